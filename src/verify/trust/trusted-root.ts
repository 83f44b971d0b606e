/**
 * Loading of Sigstore trusted roots (`trusted_root.json`), offline and pinned.
 *
 * Format: https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto
 * (`TrustedRoot`, JSON mapping of protobuf).
 */
import { createHash } from 'node:crypto';
import type * as ProtobufSpecs from '@sigstore/protobuf-specs';
import type * as SigstoreVerify from '@sigstore/verify';
import { TrustRootError } from './errors.js';
import { requireCjs } from '../../util/cjs.js';

// CommonJS, loaded with require (util/cjs.ts): an import would parse it a second time.
const { TrustedRoot } = requireCjs('@sigstore/protobuf-specs') as typeof ProtobufSpecs;
const { toTrustMaterial } = requireCjs('@sigstore/verify') as typeof SigstoreVerify;

/** A parsed trusted root plus the sha256 of the exact bytes it came from. */
export interface TrustedRootMaterial {
  /** The protobuf message, as `@sigstore/verify`'s `toTrustMaterial` takes it. */
  readonly trustedRoot: ProtobufSpecs.TrustedRoot;
  /** Lower-case hex sha256 of the file bytes. */
  readonly sha256: string;
}

/** Options for {@link loadTrustedRoot}. */
export interface LoadTrustedRootOptions {
  /** Hex sha256 the bytes must have (case-insensitive); mismatch is `TRUST_ROOT_DIGEST_MISMATCH`. */
  readonly expectedSha256?: string;
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Parses and checks a `trusted_root.json`.
 *
 * Refuses a root in which any transparency log, CT log, certificate authority or
 * timestamp authority lacks `validFor.start`: sigstore-js would treat a missing start
 * as "valid since the beginning of time", which widens trust silently
 * (conformance case `trust-root-tlog-missing-validity-start_fail`).
 *
 * @throws TrustRootError
 */
export function loadTrustedRoot(
  bytes: Buffer,
  opts: LoadTrustedRootOptions = {}
): TrustedRootMaterial {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (opts.expectedSha256 !== undefined && opts.expectedSha256.toLowerCase() !== sha256) {
    throw new TrustRootError({
      code: 'TRUST_ROOT_DIGEST_MISMATCH',
      message: `trusted root sha256 is ${sha256}, expected ${opts.expectedSha256}`,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (cause) {
    throw new TrustRootError({
      code: 'TRUST_ROOT_PARSE',
      message: 'trusted root is not valid JSON',
      cause,
    });
  }
  if (!isObject(json) || typeof json.mediaType !== 'string') {
    throw new TrustRootError({
      code: 'TRUST_ROOT_PARSE',
      message: 'trusted root is not a JSON object with a mediaType',
    });
  }
  if (!json.mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    throw new TrustRootError({
      code: 'TRUST_ROOT_PARSE',
      message: `unexpected trusted root mediaType ${json.mediaType}`,
    });
  }
  checkValidityStarts(json);

  let trustedRoot: ProtobufSpecs.TrustedRoot;
  try {
    trustedRoot = TrustedRoot.fromJSON(json);
    // Load every key and certificate now, so a broken root fails here with a clear
    // code rather than inside a later verification.
    toTrustMaterial(trustedRoot);
  } catch (cause) {
    throw new TrustRootError({
      code: 'TRUST_ROOT_INVALID',
      message: `trusted root cannot be loaded: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
  }
  return { trustedRoot, sha256 };
}

/** Every log's `publicKey.validFor.start` and authority's `validFor.start` must be a valid time. */
function checkValidityStarts(json: JsonObject): void {
  const lists: [string, (e: JsonObject) => unknown][] = [
    ['tlogs', (e) => (isObject(e.publicKey) ? e.publicKey.validFor : undefined)],
    ['ctlogs', (e) => (isObject(e.publicKey) ? e.publicKey.validFor : undefined)],
    ['certificateAuthorities', (e) => e.validFor],
    ['timestampAuthorities', (e) => e.validFor],
  ];
  for (const [key, validForOf] of lists) {
    const list = json[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      throw new TrustRootError({ code: 'TRUST_ROOT_PARSE', message: `${key} is not an array` });
    }
    list.forEach((entry: unknown, i) => {
      const validFor = isObject(entry) ? validForOf(entry) : undefined;
      const start = isObject(validFor) ? validFor.start : undefined;
      if (typeof start !== 'string' || Number.isNaN(Date.parse(start))) {
        throw new TrustRootError({
          code: 'TRUST_ROOT_MISSING_VALIDITY',
          message: `${key}[${i}] has no valid validFor.start`,
        });
      }
    });
  }
}
