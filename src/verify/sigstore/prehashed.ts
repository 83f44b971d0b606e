/**
 * Signature verification over a precomputed digest, for the conformance `sha256:<hex>` mode
 * where the artifact bytes are not available. Node's crypto cannot verify ECDSA over a
 * given hash, so ECDSA uses @noble/curves with `prehash: false`.
 */
import { constants, publicDecrypt, type KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';

// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * True when `signature` is a valid signature by `key` over the SHA-256 `digest`.
 * Supports ECDSA P-256/P-384/P-521 (DER signatures) and RSA PKCS#1 v1.5. Anything else
 * (Ed25519 signs the message itself, RSA-PSS) returns false: fail closed.
 */
export function verifyPrehashedSha256(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  try {
    if (digest.length !== 32) return false;
    if (key.asymmetricKeyType === 'ec') {
      const jwk = key.export({ format: 'jwk' });
      const curve = { 'P-256': p256, 'P-384': p384, 'P-521': p521 }[jwk.crv ?? ''];
      if (curve === undefined || jwk.x === undefined || jwk.y === undefined) return false;
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x, 'base64url'),
        Buffer.from(jwk.y, 'base64url'),
      ]);
      // lowS: false: Go and OpenSSL signers do not normalise S; malleability is harmless here
      // because the signature is also bound to the tlog entry.
      return curve.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
    }
    if (key.asymmetricKeyType === 'rsa') {
      const decrypted = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return decrypted.equals(Buffer.concat([SHA256_DIGEST_INFO, digest]));
    }
    return false;
  } catch {
    return false;
  }
}
