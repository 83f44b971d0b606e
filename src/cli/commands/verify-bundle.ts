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
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  loadPublicGoodTrustedRoot,
  loadTrustedRoot,
  TrustRootError,
  type TrustedRootMaterial,
} from '../../verify/trust/index.js';
import {
  verifyBundle,
  type BundleArtifact,
  type SigstoreAnchor,
} from '../../verify/sigstore/index.js';

/** Streams the command writes to. */
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const USAGE =
  'usage: lamina verify-bundle --bundle FILE (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM) [--trusted-root FILE] FILE_OR_sha256:DIGEST';

class Usage extends Error {}

/**
 * Runs `verify-bundle` with `argv` = the arguments after the command name.
 * Resolves to the exit code; never rejects.
 */
export function verifyBundleCommand(argv: string[], io: CommandIO): Promise<number> {
  const say = (stream: NodeJS.WritableStream, line: string): void => {
    stream.write(`${line}\n`);
  };
  if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
    say(io.stdout, USAGE);
    return Promise.resolve(0);
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        bundle: { type: 'string' },
        'certificate-identity': { type: 'string' },
        'certificate-oidc-issuer': { type: 'string' },
        key: { type: 'string' },
        'trusted-root': { type: 'string' },
        staging: { type: 'boolean' },
      },
    });
    if (values.staging) throw new Usage('--staging is not supported: lamina never uses TUF');
    if (positionals.length !== 1) throw new Usage('expected exactly one FILE_OR_sha256:DIGEST');
    if (values.bundle === undefined) throw new Usage('--bundle is required');
    const identity = values['certificate-identity'];
    const issuer = values['certificate-oidc-issuer'];
    const keyPath = values.key;
    if (keyPath !== undefined && (identity !== undefined || issuer !== undefined)) {
      throw new Usage(
        '--key cannot be combined with --certificate-identity/--certificate-oidc-issuer'
      );
    }
    if (keyPath === undefined && (identity === undefined || issuer === undefined)) {
      throw new Usage('give --certificate-identity and --certificate-oidc-issuer, or --key');
    }

    const artifact = readArtifact(positionals[0] as string);
    const bundleText = readInput(values.bundle, 'bundle').toString('utf8');
    const anchor: SigstoreAnchor =
      keyPath !== undefined
        ? { $case: 'key', publicKeyPem: readInput(keyPath, 'key').toString('utf8') }
        : { $case: 'keyless', subject: identity as string, issuer: issuer as string };

    let trustedRoot: TrustedRootMaterial;
    try {
      trustedRoot =
        values['trusted-root'] !== undefined
          ? loadTrustedRoot(readInput(values['trusted-root'], 'trusted root'))
          : loadPublicGoodTrustedRoot();
    } catch (e) {
      if (e instanceof TrustRootError && e.code !== 'TRUST_ROOT_NOT_FOUND') {
        say(io.stderr, `verify-bundle: ${e.code}: ${e.message}`);
        return Promise.resolve(1);
      }
      throw e;
    }

    let bundle: unknown;
    try {
      bundle = JSON.parse(bundleText);
    } catch {
      say(io.stderr, 'verify-bundle: BUNDLE_INVALID: bundle is not valid JSON');
      return Promise.resolve(1);
    }

    const check = verifyBundle({ bundle, artifact, trustedRoot, anchor });
    if (check.ok) {
      say(io.stdout, `OK: ${check.detail}`);
      return Promise.resolve(0);
    }
    say(io.stderr, `verify-bundle: ${check.code}: ${check.detail}`);
    return Promise.resolve(1);
  } catch (e) {
    if (e instanceof Usage || (e instanceof TypeError && 'code' in e)) {
      // parseArgs reports bad options as TypeError with an ERR_PARSE_ARGS_* code.
      say(io.stderr, `verify-bundle: ${e.message}`);
      say(io.stderr, USAGE);
      return Promise.resolve(2);
    }
    say(io.stderr, `verify-bundle: ${e instanceof Error ? e.message : String(e)}`);
    return Promise.resolve(2);
  }
}

function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Usage(
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`
    );
  }
}

function readArtifact(arg: string): BundleArtifact {
  if (arg.startsWith('sha256:')) {
    const hex = arg.slice('sha256:'.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Usage(`bad digest ${arg}`);
    return { $case: 'digest', sha256: Buffer.from(hex, 'hex') };
  }
  return { $case: 'bytes', bytes: readInput(arg, 'artifact') };
}
