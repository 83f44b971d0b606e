/**
 * Verifying one Sigstore bundle file against an artifact and an anchor, offline: the use case
 * behind `lamina verify-bundle` (the sigstore-conformance client protocol,
 * https://github.com/sigstore/sigstore-conformance/blob/main/docs/cli_protocol.md).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { readBounded } from '../util/fs.js';
import { MAX_BUNDLE_BYTES } from '../verify/evidence.js';
import {
  verifyBundle,
  type BundleArtifact,
  type SigstoreAnchor,
  type SigstoreCheckCode,
} from '../verify/sigstore/index.js';
import {
  loadPublicGoodTrustedRoot,
  loadTrustedRoot,
  TrustRootError,
  type TrustRootErrorCode,
  type TrustedRootMaterial,
} from '../verify/trust/index.js';

/** Options for {@link verifyBundleFile}. */
export interface VerifyBundleFileOptions {
  /** The bundle (JSON) file. */
  bundle: string;
  /** The artifact: a file, or `sha256:HEX` for its digest. */
  artifact: string;
  /** Who must have signed: a keyless identity (compared exactly) and issuer, or a key file (PEM). */
  signer: { identity: string; issuer: string } | { keyFile: string };
  /** A trusted_root.json; default the pinned public-good root shipped with lamina. */
  trustedRoot?: string;
}

/** The outcome: verified, or the code and sentence saying why not. */
export interface BundleFileVerdict {
  ok: boolean;
  code: SigstoreCheckCode | TrustRootErrorCode;
  detail: string;
}

/**
 * Read an input file; a bundle, key or trusted root at most `max` bytes (a device or FIFO is read
 * up to that bound, never forever).
 */
async function readInput(path: string, what: string, max?: number): Promise<Buffer> {
  let bytes: Buffer | undefined;
  try {
    bytes = max === undefined ? await readFile(path) : await readBounded(path, max);
  } catch (e) {
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    });
  }
  if (bytes === undefined)
    throw new UsageError({
      code: 'BAD_INPUT',
      message: `${what} ${path} is larger than ${max} bytes: refused`,
    });
  return bytes;
}

async function readArtifact(arg: string): Promise<BundleArtifact> {
  if (arg.startsWith('sha256:')) {
    const hex = arg.slice('sha256:'.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex))
      throw new UsageError({ code: 'BAD_ARGUMENT', message: `bad digest ${arg}` });
    return { $case: 'digest', sha256: Buffer.from(hex, 'hex') };
  }
  return { $case: 'bytes', bytes: await readInput(arg, 'artifact') };
}

/**
 * Verify a bundle file. A trusted root or bundle that cannot be used fails verification (the
 * verdict says why); only inputs that cannot be read throw.
 * @throws UsageError for an unreadable file or a bad digest; TrustRootError when the shipped
 *   public-good root is missing
 */
export async function verifyBundleFile(
  options: VerifyBundleFileOptions
): Promise<BundleFileVerdict> {
  const artifact = await readArtifact(options.artifact);
  const bundleText = (await readInput(options.bundle, 'bundle', MAX_BUNDLE_BYTES)).toString('utf8');
  const anchor: SigstoreAnchor =
    'keyFile' in options.signer
      ? {
          $case: 'key',
          publicKeyPem: (await readInput(options.signer.keyFile, 'key', MAX_BUNDLE_BYTES)).toString(
            'utf8'
          ),
        }
      : { $case: 'keyless', subject: options.signer.identity, issuer: options.signer.issuer };
  const rootBytes =
    options.trustedRoot !== undefined
      ? await readInput(options.trustedRoot, 'trusted root', MAX_BUNDLE_BYTES)
      : undefined;

  let trustedRoot: TrustedRootMaterial;
  try {
    trustedRoot = rootBytes ? loadTrustedRoot(rootBytes) : loadPublicGoodTrustedRoot();
  } catch (e) {
    if (e instanceof TrustRootError && e.code !== 'TRUST_ROOT_NOT_FOUND')
      return { ok: false, code: e.code, detail: e.message };
    throw e;
  }

  let bundle: unknown;
  try {
    bundle = JSON.parse(bundleText);
  } catch {
    return { ok: false, code: 'BUNDLE_INVALID', detail: 'bundle is not valid JSON' };
  }
  const check = verifyBundle({ bundle, artifact, trustedRoot, anchor });
  return { ok: check.ok, code: check.code, detail: check.detail };
}
