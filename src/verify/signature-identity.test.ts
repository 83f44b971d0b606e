import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureIdentity } from './signature-identity.js';

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const data = Buffer.from('manifest bytes');

describe('signatureIdentity', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = ec.publicKey.export({ type: 'spki', format: 'der' });
  const p1363 = sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });

  it('one ECDSA signature has one identity in DER and IEEE P1363 form', () => {
    const der = sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    // Re-encode the same (r, s) as DER.
    const int = (b: Buffer) => {
      const t = b.subarray(b.findIndex((x) => x !== 0));
      const v = t[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), t]) : t;
      return Buffer.concat([Buffer.from([2, v.length]), v]);
    };
    const body = Buffer.concat([int(der.subarray(0, 32)), int(der.subarray(32))]);
    const asDer = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    expect(verify('sha256', data, ec.publicKey, asDer)).toBe(true);
    expect(signatureIdentity({ signature: asDer, verifier: spki })).toBe(
      signatureIdentity({ signature: der, verifier: spki, ecdsaEncoding: 'ieee-p1363' })
    );
  });

  it('the malleated twin (r, n − s) of a signature has the same identity', () => {
    const r = p1363.subarray(0, 32);
    const s = BigInt(`0x${p1363.subarray(32).toString('hex')}`);
    const twin = Buffer.concat([
      r,
      Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex'),
    ]);
    // Both verify: that is why counting raw bytes would count one signing event twice.
    expect(verify('sha256', data, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, twin)).toBe(
      true
    );
    const id = (sig: Buffer) =>
      signatureIdentity({ signature: sig, verifier: spki, ecdsaEncoding: 'ieee-p1363' });
    expect(id(twin)).toBe(id(p1363));
    expect(id(twin)).toMatch(/^sig:[0-9a-f]{64}$/);
  });

  it('differs for another signature, or the same bytes under another verifier', () => {
    const again = sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    const id = (sig: Buffer, v: Buffer = spki) =>
      signatureIdentity({ signature: sig, verifier: v, ecdsaEncoding: 'ieee-p1363' });
    expect(id(again)).not.toBe(id(p1363));
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    expect(id(p1363, other)).not.toBe(id(p1363));
  });

  it('RSA and Ed25519 signatures are taken as they are', () => {
    const ed = generateKeyPairSync('ed25519');
    const sig = sign(null, data, ed.privateKey);
    const v = ed.publicKey.export({ type: 'spki', format: 'der' });
    expect(signatureIdentity({ signature: sig, verifier: v })).toBe(
      signatureIdentity({ signature: Buffer.from(sig), verifier: v })
    );
    const flipped = Buffer.from(sig);
    flipped.writeUInt8(flipped.readUInt8(0) ^ 1, 0);
    expect(signatureIdentity({ signature: flipped, verifier: v })).not.toBe(
      signatureIdentity({ signature: sig, verifier: v })
    );
  });

  it('never throws on material it cannot read', () => {
    expect(
      signatureIdentity({ signature: Buffer.from('x'), verifier: Buffer.from('not a key') })
    ).toMatch(/^sig:/);
    expect(signatureIdentity({ signature: Buffer.from([0x30, 0x99]), verifier: spki })).toMatch(
      /^sig:/
    );
  });
});
