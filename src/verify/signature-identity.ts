/**
 * The identity of one signature, for counting signatures in a threshold: the same signature
 * found twice (two files, two discovery paths, re-encoded, re-wrapped) must count once, and
 * distinct signatures must stay distinct.
 *
 * Identity = SHA-256 over (canonical signature bytes, verifier bytes), each length-prefixed:
 * - signature bytes are the decoded signature (never its base64 or JSON text). ECDSA signatures
 *   are canonicalised to fixed-width r‖s with low S, because (r, s) and (r, n − s) are both valid
 *   for the same signing event (malleability) and DER and IEEE P1363 encode the same pair
 *   differently.
 * - verifier bytes are the DER of the certificate or the SPKI of the key that verified it.
 * Shared by layer bundles and image signatures; it depends on nothing format-specific.
 */
import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

/** What a signature's identity is computed from. */
export interface SignatureMaterial {
  /** The decoded signature bytes. */
  readonly signature: Uint8Array;
  /** DER of the verifying certificate (leaf) or SPKI DER of the verifying key. */
  readonly verifier: Uint8Array;
  /** Encoding of an ECDSA signature; other key types ignore it. Default `der`. */
  readonly ecdsaEncoding?: 'der' | 'ieee-p1363';
}

/** Curve orders, for low-S canonicalisation. */
const CURVE_ORDERS: Readonly<Record<string, { n: bigint; bytes: number }>> = {
  'P-256': {
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    bytes: 32,
  },
  'P-384': {
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    bytes: 48,
  },
  'P-521': {
    n: 0x01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    bytes: 66,
  },
};

/**
 * `sig:` + hex SHA-256 identity of a signature (see the module comment for what it covers).
 * Never throws: material that cannot be canonicalised is hashed as given.
 */
export function signatureIdentity(m: SignatureMaterial): string {
  const canonical = canonicalSignature(m) ?? Buffer.from(m.signature);
  const h = createHash('sha256');
  for (const part of [canonical, Buffer.from(m.verifier)]) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(part.length);
    h.update(len).update(part);
  }
  return `sig:${h.digest('hex')}`;
}

/**
 * `key:` + hex SHA-256 of a public key's canonical SPKI DER: the identity every signature made
 * with that key shares, so a second signature by the same key cannot count as a second signer.
 */
export function keyIdentity(key: KeyObject): string {
  const spki = key.export({ type: 'spki', format: 'der' });
  return `key:${createHash('sha256').update(spki).digest('hex')}`;
}

function verifierKey(verifier: Uint8Array): KeyObject | undefined {
  const der = Buffer.from(verifier);
  try {
    return new X509Certificate(der).publicKey;
  } catch {
    // not a certificate: try SPKI below
  }
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

function canonicalSignature(m: SignatureMaterial): Buffer | undefined {
  const key = verifierKey(m.verifier);
  if (key?.asymmetricKeyType !== 'ec') return undefined;
  const curve = CURVE_ORDERS[key.export({ format: 'jwk' }).crv ?? ''];
  if (curve === undefined) return undefined;
  const rs =
    m.ecdsaEncoding === 'ieee-p1363'
      ? splitP1363(Buffer.from(m.signature), curve.bytes)
      : parseDerEcdsa(Buffer.from(m.signature));
  if (rs === undefined) return undefined;
  const [r, s0] = rs;
  const s = s0 > curve.n / 2n ? curve.n - s0 : s0;
  return Buffer.concat([toFixed(r, curve.bytes), toFixed(s, curve.bytes)]);
}

function splitP1363(sig: Buffer, size: number): [bigint, bigint] | undefined {
  if (sig.length !== 2 * size) return undefined;
  return [toBigInt(sig.subarray(0, size)), toBigInt(sig.subarray(size))];
}

/** ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 3279 §2.2.3), short or long lengths. */
function parseDerEcdsa(sig: Buffer): [bigint, bigint] | undefined {
  let pos = 0;
  const readLen = (): number | undefined => {
    const first = sig[pos++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first !== 0x81) return undefined; // ECDSA signatures up to P-521 fit in 255 bytes
    return sig[pos++];
  };
  if (sig[pos++] !== 0x30) return undefined;
  const seqLen = readLen();
  if (seqLen === undefined || pos + seqLen !== sig.length) return undefined;
  const ints: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    if (sig[pos++] !== 0x02) return undefined;
    const len = readLen();
    if (len === undefined || len === 0 || pos + len > sig.length) return undefined;
    ints.push(toBigInt(sig.subarray(pos, pos + len)));
    pos += len;
  }
  return pos === sig.length ? [ints[0]!, ints[1]!] : undefined;
}

function toBigInt(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt(`0x${b.toString('hex')}`);
}

function toFixed(v: bigint, bytes: number): Buffer {
  return Buffer.from(v.toString(16).padStart(bytes * 2, '0'), 'hex');
}
