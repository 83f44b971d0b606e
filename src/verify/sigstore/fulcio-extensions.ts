/**
 * Fulcio certificate extensions (OIDs under 1.3.6.1.4.1.57264.1).
 * Spec: https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md
 */
import type { X509Certificate } from '@sigstore/core';

const FULCIO_ARC = '1.3.6.1.4.1.57264.1';

/** Friendly names accepted in policies, mapped to their Fulcio OID. */
export const FULCIO_EXTENSION_OIDS: Readonly<Record<string, string>> = {
  issuerV1: `${FULCIO_ARC}.1`,
  githubWorkflowTrigger: `${FULCIO_ARC}.2`,
  githubWorkflowSha: `${FULCIO_ARC}.3`,
  githubWorkflowName: `${FULCIO_ARC}.4`,
  githubWorkflowRepository: `${FULCIO_ARC}.5`,
  githubWorkflowRef: `${FULCIO_ARC}.6`,
  issuer: `${FULCIO_ARC}.8`,
  buildSignerURI: `${FULCIO_ARC}.9`,
  buildSignerDigest: `${FULCIO_ARC}.10`,
  runnerEnvironment: `${FULCIO_ARC}.11`,
  sourceRepositoryURI: `${FULCIO_ARC}.12`,
  sourceRepositoryDigest: `${FULCIO_ARC}.13`,
  sourceRepositoryRef: `${FULCIO_ARC}.14`,
  sourceRepositoryIdentifier: `${FULCIO_ARC}.15`,
  sourceRepositoryOwnerURI: `${FULCIO_ARC}.16`,
  sourceRepositoryOwnerIdentifier: `${FULCIO_ARC}.17`,
  buildConfigURI: `${FULCIO_ARC}.18`,
  buildConfigDigest: `${FULCIO_ARC}.19`,
  buildTrigger: `${FULCIO_ARC}.20`,
  runInvocationURI: `${FULCIO_ARC}.21`,
  sourceRepositoryVisibilityAtSigning: `${FULCIO_ARC}.22`,
};

const OID_PATTERN = /^[0-2](?:\.(?:0|[1-9][0-9]*))+$/;

/** Resolves a friendly name or dotted OID; undefined when it is neither. */
export function resolveExtensionOid(nameOrOid: string): string | undefined {
  if (Object.hasOwn(FULCIO_EXTENSION_OIDS, nameOrOid)) return FULCIO_EXTENSION_OIDS[nameOrOid];
  return OID_PATTERN.test(nameOrOid) ? nameOrOid : undefined;
}

/** Fulcio v1 extensions (.1–.7) hold the raw string bytes; later ones a DER UTF8String. */
function isRawFulcioOid(oid: string): boolean {
  if (!oid.startsWith(`${FULCIO_ARC}.`)) return false;
  const last = Number(oid.slice(FULCIO_ARC.length + 1));
  return Number.isInteger(last) && last >= 1 && last <= 7;
}

// ignoreBOM: an identity is compared byte for byte; the decoder would drop a leading U+FEFF.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a DER UTF8String (tag 0x0c), requiring the encoding to span exactly `der`. */
export function decodeDerUtf8String(der: Uint8Array): string | undefined {
  if (der.length < 2 || der[0] !== 0x0c) return undefined;
  const first = der[1] ?? 0;
  let len: number;
  let off: number;
  if (first < 0x80) {
    len = first;
    off = 2;
  } else {
    const n = first & 0x7f;
    if (n === 0 || n > 3 || der.length < 2 + n) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[2 + i] ?? 0);
    off = 2 + n;
    if (len < 0x80) return undefined; // non-minimal length: not DER
  }
  if (off + len !== der.length) return undefined;
  try {
    return utf8.decode(der.subarray(off));
  } catch {
    return undefined;
  }
}

/**
 * The string value of a Fulcio extension in `cert`, decoded per its OID's encoding;
 * undefined when absent or undecodable (callers treat both as a mismatch).
 */
export function fulcioExtensionValue(cert: X509Certificate, oid: string): string | undefined {
  const matches = cert.extensions.filter((e) => e.subs[0]?.toOID() === oid);
  // A duplicated extension is ambiguous: refuse it rather than pick one.
  if (matches.length !== 1) return undefined;
  const ext = cert.extension(oid);
  if (ext === undefined) return undefined;
  const raw = ext.value;
  if (isRawFulcioOid(oid)) {
    try {
      return utf8.decode(raw);
    } catch {
      return undefined;
    }
  }
  return decodeDerUtf8String(raw);
}
