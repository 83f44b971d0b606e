/**
 * `lamina verify-bundle`: the sigstore-conformance client protocol for bundle verification.
 * https://github.com/sigstore/sigstore-conformance/blob/main/docs/cli_protocol.md
 *
 *   verify-bundle --bundle FILE (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM)
 *                 [--trusted-root FILE] FILE_OR_sha256:DIGEST
 *
 * The identity is compared exactly (never as a regex or substring). Without `--trusted-root`
 * the pinned public-good root shipped with lamina is used; nothing is fetched.
 * Exit 0 only when verified; 1 when verification fails; 2 on usage errors or unreadable files.
 */
import { UsageError } from '../../errors.js';
import { verifyBundleFile } from '../../pipeline/bundle.js';
import { escapeTerminal } from '../../util/escape.js';
import { EXIT } from '../exit.js';
import { command } from '../command.js';

export const VERIFY_BUNDLE_USAGE = `usage: lamina verify-bundle --bundle FILE
           (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM)
           [--trusted-root FILE] [--quiet] FILE_OR_sha256:DIGEST

The sigstore-conformance client protocol. --staging is refused (lamina never uses TUF).`;

const usage = (code: 'BAD_ARGUMENT' | 'MISSING_ARGUMENT', message: string) =>
  new UsageError({ code, message: `${message}\n${VERIFY_BUNDLE_USAGE}` });

/** `lamina verify-bundle`. */
export const verifyBundleCommand = command(
  VERIFY_BUNDLE_USAGE,
  {
    bundle: { type: 'string' },
    'certificate-identity': { type: 'string' },
    'certificate-oidc-issuer': { type: 'string' },
    key: { type: 'string' },
    'trusted-root': { type: 'string' },
    staging: { type: 'boolean' },
  },
  async ({ values, positionals }, io) => {
    if (values.staging)
      throw usage('BAD_ARGUMENT', '--staging is not supported: lamina never uses TUF');
    if (positionals.length !== 1)
      throw usage('MISSING_ARGUMENT', 'expected exactly one FILE_OR_sha256:DIGEST');
    if (values.bundle === undefined) throw usage('MISSING_ARGUMENT', '--bundle is required');
    const identity = values['certificate-identity'];
    const issuer = values['certificate-oidc-issuer'];
    const keyFile = values.key;
    if (keyFile !== undefined && (identity !== undefined || issuer !== undefined)) {
      throw usage(
        'BAD_ARGUMENT',
        '--key cannot be combined with --certificate-identity/--certificate-oidc-issuer'
      );
    }
    if (keyFile === undefined && (identity === undefined || issuer === undefined)) {
      throw usage(
        'MISSING_ARGUMENT',
        'give --certificate-identity and --certificate-oidc-issuer, or --key'
      );
    }
    const verdict = await verifyBundleFile({
      bundle: values.bundle,
      artifact: positionals[0]!,
      signer: keyFile !== undefined ? { keyFile } : { identity: identity!, issuer: issuer! },
      ...(values['trusted-root'] !== undefined ? { trustedRoot: values['trusted-root'] } : {}),
    });
    // The detail quotes the bundle (its payloadType, signer, key hint): escaped, a hostile
    // bundle cannot colour, hide or rewrite the line, or print an OK of its own.
    if (verdict.ok) {
      io.stdout.write(`${escapeTerminal(`OK: ${verdict.detail}`)}\n`);
      return EXIT.OK;
    }
    io.stderr.write(`${escapeTerminal(`verify-bundle: ${verdict.code}: ${verdict.detail}`)}\n`);
    return EXIT.POLICY_FAILURE;
  }
);
