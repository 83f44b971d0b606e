/**
 * Verifying one Sigstore bundle file against an artifact and an anchor, offline: the use case
 * behind `lamina verify-bundle` (the sigstore-conformance client protocol,
 * https://github.com/sigstore/sigstore-conformance/blob/main/docs/cli_protocol.md).
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { readNamedFileSync } from '../util/fs.js';
import { MAX_BUNDLE_BYTES, MAX_BYTES_FOR_SIGSTORE } from '../verify/evidence.js';
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

const unreadable = (what: string, path: string, e: unknown): UsageError =>
  new UsageError({
    code: 'BAD_INPUT',
    message: `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
  });

const tooLarge = (what: string, path: string, max: number): UsageError =>
  new UsageError({
    code: 'BAD_INPUT',
    message: `${what} ${path} is larger than ${max} bytes: refused`,
  });

/** A bundle, key or trusted root: small, read whole, bounded (a FIFO or device too). */
const readInput = (path: string, what: string): Buffer =>
  readNamedFileSync(path, what, MAX_BUNDLE_BYTES);

/**
 * Largest artifact `verify-bundle` reads: far above any Lambda layer zip (50 MB uploaded,
 * 250 MB unzipped), and a bound on a FIFO or device that never ends.
 */
export const MAX_ARTIFACT_BYTES = 4 * 1024 * 1024 * 1024;

/** How much of an artifact is read: into memory, and at all. */
export interface ArtifactBounds {
  /** Up to this many bytes the artifact is verified from its bytes. */
  inMemory: number;
  /** Above `inMemory` it is verified by its sha256, hashed as it is read, up to this many. */
  max: number;
}

const ARTIFACT_BOUNDS: ArtifactBounds = {
  inMemory: MAX_BYTES_FOR_SIGSTORE,
  max: MAX_ARTIFACT_BYTES,
};

/**
 * The artifact named on the command line: `sha256:HEX`, or a file read once from start to end
 * (a FIFO too). A small one is kept as bytes; a larger one only by its sha256, as `lamina verify`
 * checks a layer over {@link MAX_BYTES_FOR_SIGSTORE} (digest mode, which cannot check an Ed25519
 * key's signature: that bundle then fails, it is not read whole into memory).
 * @throws UsageError BAD_ARGUMENT for a bad digest; BAD_INPUT for an unreadable file or one over
 *   `bounds.max` bytes
 */
export async function readArtifact(
  arg: string,
  bounds: ArtifactBounds = ARTIFACT_BOUNDS
): Promise<BundleArtifact> {
  if (arg.startsWith('sha256:')) {
    const hex = arg.slice('sha256:'.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex))
      throw new UsageError({ code: 'BAD_ARGUMENT', message: `bad digest ${arg}` });
    return { $case: 'digest', sha256: Buffer.from(hex, 'hex') };
  }
  let fh;
  try {
    fh = await open(arg, 'r');
  } catch (e) {
    throw unreadable('artifact', arg, e);
  }
  const hash = createHash('sha256');
  let kept: Buffer[] | undefined = [];
  let total = 0;
  try {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > bounds.max) throw tooLarge('artifact', arg, bounds.max);
      const chunk = buf.subarray(0, bytesRead);
      hash.update(chunk);
      if (kept && total <= bounds.inMemory) kept.push(Buffer.from(chunk));
      else kept = undefined;
    }
  } catch (e) {
    throw e instanceof UsageError ? e : unreadable('artifact', arg, e);
  } finally {
    await fh.close();
  }
  return kept
    ? { $case: 'bytes', bytes: Buffer.concat(kept, total) }
    : { $case: 'digest', sha256: hash.digest() };
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
  const bundleText = readInput(options.bundle, 'bundle').toString('utf8');
  const anchor: SigstoreAnchor =
    'keyFile' in options.signer
      ? {
          $case: 'key',
          publicKeyPem: readInput(options.signer.keyFile, 'key').toString('utf8'),
        }
      : { $case: 'keyless', subject: options.signer.identity, issuer: options.signer.issuer };
  const rootBytes =
    options.trustedRoot !== undefined ? readInput(options.trustedRoot, 'trusted root') : undefined;

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
