/**
 * The Notation JWS verifier against a private chain shaped like AWS Signer's: every check has a
 * passing case (the untouched envelope) and at least one failing case with its own code.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  issue,
  makeSignerChain,
  rfc3339,
  signJws,
  signerProtectedHeader,
  TEST_JOB_ARN,
  TEST_PROFILE_VERSION_ARN,
  type JwsParts,
  type SignerChain,
  x509,
} from '../testing/signer-chain.js';
import { NOTATION_PLATFORM_ID } from './aws-signer.js';
import { verifyNotationJws, type NotationCheckCode, type VerifyNotationInput } from './jws.js';
import type { NotationTrustStore } from './trust-store.js';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T12:00:00Z');
// Signed 200 days ago: the 3-day leaf expired long before "now", as with every real Signer signature.
const SIGNED_AT = new Date(NOW.getTime() - 200 * DAY);
const SUBJECT = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${'ab'.repeat(32)}`,
  size: 1234,
};
const PAYLOAD = { targetArtifact: { ...SUBJECT } };

let chain: SignerChain;
let stores: NotationTrustStore[];

beforeAll(async () => {
  chain = await makeSignerChain(SIGNED_AT);
  stores = [{ name: 'signer-test-root', type: 'signingAuthority', certificates: [chain.root.der] }];
});

type Header = Record<string, unknown>;
interface Variant {
  header?: (h: Header) => Header | string;
  payload?: JwsParts['payload'];
  x5c?: readonly Buffer[];
  key?: KeyObject;
  unprotected?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

function envelope(v: Variant = {}): Buffer {
  const h = signerProtectedHeader(SIGNED_AT);
  return signJws({
    protected: v.header ? v.header(h) : h,
    payload: v.payload ?? PAYLOAD,
    x5c: v.x5c ?? chain.x5c,
    key: v.key ?? chain.leaf.privateKey,
    ...(v.unprotected ? { header: v.unprotected } : {}),
    ...(v.extra ? { extra: v.extra } : {}),
  });
}

function verify(env: Buffer, over: Partial<VerifyNotationInput> = {}) {
  return verifyNotationJws({
    envelope: env,
    envelopeMediaType: 'application/jose+json',
    subject: SUBJECT,
    trustStores: stores,
    now: NOW,
    ...over,
  });
}

const expectCode = (
  env: Buffer,
  code: NotationCheckCode,
  over: Partial<VerifyNotationInput> = {}
) => {
  const r = verify(env, over);
  expect(r.code, r.detail).toBe(code);
  expect(r.ok).toBe(false);
  return r;
};

const without = (h: Header, ...keys: string[]): Header =>
  Object.fromEntries(Object.entries(h).filter(([k]) => !keys.includes(k)));
const x5cB64 = (certs: readonly Buffer[]) => certs.map((c) => c.toString('base64'));

describe('a Signer-shaped signature', () => {
  it('verifies 200 days after signing although the 3-day leaf expired long ago', () => {
    const r = verify(envelope());
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
    expect(r.evidence).toMatchObject({
      alg: 'ES384',
      signingScheme: 'notary.x509.signingAuthority',
      signingTime: SIGNED_AT.toISOString(),
      verificationPlugin: 'com.amazonaws.signer.notation.plugin',
      rootLabel: 'custom-root',
      trustStore: 'signer-test-root',
      profileVersionArn: TEST_PROFILE_VERSION_ARN,
      jobArn: TEST_JOB_ARN,
      targetArtifact: SUBJECT,
    });
    expect(r.evidence.chain).toHaveLength(4);
    expect(r.verified?.awsSigner).toMatchObject({
      partition: 'aws',
      region: 'us-east-1',
      account: '123456789012',
      profileName: 'LaminaTest',
      profileVersion: 'AbCdEf0123',
      jobId: '00000000-1111-2222-3333-444444444444',
    });
    const req = r.verified?.revocationRequest;
    expect(req).toMatchObject({
      platformId: NOTATION_PLATFORM_ID,
      profileVersionArn: TEST_PROFILE_VERSION_ARN,
      jobArn: TEST_JOB_ARN,
      signatureTimestamp: SIGNED_AT,
      region: 'us-east-1',
      partition: 'aws',
    });
    expect(req?.certificateHashes).toHaveLength(4);
    // The root pairs with itself (the plugin's hashCertificates).
    const last = req!.certificateHashes[3]!;
    expect(last.slice(0, 96)).toBe(last.slice(96));
    expect(req!.certificateHashes[2]!.slice(96)).toBe(last.slice(0, 96));
  });
});

describe('envelope format', () => {
  it('COSE and unknown envelope media types fail closed', () => {
    expectCode(envelope(), 'UNSUPPORTED_ENVELOPE', { envelopeMediaType: 'application/cose' });
    expectCode(envelope(), 'UNSUPPORTED_ENVELOPE', { envelopeMediaType: 'application/json' });
  });
  it('refuses bytes that are not strict JSON', () => {
    expectCode(Buffer.from('not json'), 'ENVELOPE_INVALID');
    const good = envelope().toString();
    // A second "payload" member: JSON.parse would keep the last, Go's decoder too; lamina refuses.
    expectCode(
      Buffer.from(good.replace('{"payload":', '{"payload":"e30","payload":')),
      'ENVELOPE_INVALID'
    );
    // A case variant: Go would read "Payload" into the payload field.
    expectCode(
      Buffer.from(good.replace('{"payload":', '{"Payload":"e30","payload":')),
      'ENVELOPE_INVALID'
    );
    expectCode(Buffer.from(`\ufeff${good}`), 'ENVELOPE_INVALID');
  });
  it('members must be exactly payload, protected, header, signature', () => {
    expectCode(envelope({ extra: { signatures: [] } }), 'ENVELOPE_MEMBERS');
    const env = JSON.parse(envelope().toString()) as Record<string, unknown>;
    delete env.header;
    expectCode(Buffer.from(JSON.stringify(env)), 'ENVELOPE_MEMBERS');
    expectCode(
      envelope({ unprotected: { x5c: x5cB64(chain.x5c), kid: 'other-key' } }),
      'ENVELOPE_MEMBERS'
    );
  });
  it('unprotected member names are matched the way Go matches them (notation-go vectors spell SigningAgent)', () => {
    const r = verify(
      envelope({ unprotected: { X5C: x5cB64(chain.x5c), 'io.cncf.notary.SigningAgent': 'x/1' } })
    );
    expect(r, r.detail).toMatchObject({ ok: true, code: 'OK' });
    expect(r.evidence.signingAgent).toBe('x/1');
  });
  it('base64 encodings are strict', () => {
    const env = JSON.parse(envelope().toString()) as Record<string, string>;
    expectCode(
      Buffer.from(JSON.stringify({ ...env, signature: `${env.signature}==` })),
      'ENVELOPE_INVALID'
    );
    expectCode(
      Buffer.from(JSON.stringify({ ...env, signature: `${env.signature!.slice(0, -2)}!!` })),
      'ENVELOPE_INVALID'
    );
    expectCode(envelope({ unprotected: { x5c: ['@@not base64@@'] } }), 'CERTIFICATE_INVALID');
  });
});

describe('protected header', () => {
  it('must be a JSON object without refused JOSE parameters or case variants', () => {
    expectCode(envelope({ header: () => '[1,2]' }), 'PROTECTED_HEADER_INVALID');
    expectCode(
      envelope({ header: (h) => ({ ...h, jwk: { kty: 'EC' } }) }),
      'PROTECTED_HEADER_INVALID'
    );
    expectCode(envelope({ header: (h) => ({ ...h, b64: false }) }), 'PROTECTED_HEADER_INVALID');
    expectCode(
      envelope({ header: (h) => ({ ...without(h, 'alg'), Alg: 'ES384' }) }),
      'PROTECTED_HEADER_INVALID'
    );
    const text = JSON.stringify(signerProtectedHeader(SIGNED_AT)).replace(
      '{"alg":"ES384"',
      '{"alg":"ES384","alg":"PS256"'
    );
    expectCode(envelope({ header: () => text }), 'PROTECTED_HEADER_INVALID');
    expectCode(
      envelope({ header: (h) => ({ ...h, 'IO.cncf.notary.expiry': '2099-01-01T00:00:00Z' }) }),
      'PROTECTED_HEADER_INVALID'
    );
  });
  it('cty must be the Notary Project payload type', () => {
    expectCode(
      envelope({ header: (h) => ({ ...h, cty: 'application/json' }) }),
      'CONTENT_TYPE_INVALID'
    );
    expectCode(envelope({ header: (h) => without(h, 'cty') }), 'CONTENT_TYPE_INVALID');
  });
  it('signing scheme: known, with the time attribute that belongs to it', () => {
    expectCode(
      envelope({ header: (h) => ({ ...h, 'io.cncf.notary.signingScheme': 'notary.x509.custom' }) }),
      'SIGNING_SCHEME_INVALID'
    );
    expectCode(
      envelope({ header: (h) => ({ ...h, 'io.cncf.notary.signingTime': rfc3339(SIGNED_AT) }) }),
      'SIGNING_SCHEME_INVALID'
    );
    // The AWS Signer plugin only handles the signingAuthority scheme.
    expectCode(
      envelope({
        header: (h) => ({
          ...without(h, 'io.cncf.notary.authenticSigningTime'),
          crit: (h.crit as string[]).filter((c) => c !== 'io.cncf.notary.authenticSigningTime'),
          'io.cncf.notary.signingScheme': 'notary.x509',
          'io.cncf.notary.signingTime': rfc3339(SIGNED_AT),
        }),
      }),
      'SIGNING_SCHEME_INVALID'
    );
  });
  it('times are RFC 3339 and expiry comes after signing', () => {
    const t = 'io.cncf.notary.authenticSigningTime';
    expectCode(
      envelope({ header: (h) => ({ ...h, [t]: '2026-02-30T00:00:00Z' }) }),
      'SIGNING_TIME_INVALID'
    );
    expectCode(
      envelope({ header: (h) => ({ ...h, [t]: '2026-01-01T00:00:00+24:00' }) }),
      'SIGNING_TIME_INVALID'
    );
    expectCode(
      envelope({ header: (h) => ({ ...h, [t]: 'Tue, 18 Jul 2023 10:51:39 GMT' }) }),
      'SIGNING_TIME_INVALID'
    );
    expectCode(envelope({ header: (h) => ({ ...h, [t]: 1700000000 }) }), 'SIGNING_TIME_INVALID');
    expectCode(
      envelope({
        header: (h) => ({
          ...h,
          'io.cncf.notary.expiry': rfc3339(new Date(SIGNED_AT.getTime() - 1000)),
        }),
      }),
      'SIGNING_TIME_INVALID'
    );
  });
  it("verification plugin: only AWS Signer's, at a version lamina implements", () => {
    expectCode(
      envelope({
        header: (h) => ({ ...h, 'io.cncf.notary.verificationPlugin': 'com.example.plugin' }),
      }),
      'VERIFICATION_PLUGIN_UNSUPPORTED'
    );
    const min = 'io.cncf.notary.verificationPluginMinVersion';
    const withMin = (v: string) => (h: Header) => ({
      ...h,
      [min]: v,
      crit: [...(h.crit as string[]), min],
    });
    expectCode(envelope({ header: withMin('2.0.0') }), 'VERIFICATION_PLUGIN_UNSUPPORTED');
    expectCode(envelope({ header: withMin('latest') }), 'VERIFICATION_PLUGIN_UNSUPPORTED');
    expect(verify(envelope({ header: withMin('1.0.0') })).code).toBe('OK');
  });
});

describe('crit', () => {
  const crit = (h: Header) => h.crit as string[];
  it('must be present, non-empty, without duplicates, naming present attributes', () => {
    expectCode(envelope({ header: (h) => without(h, 'crit') }), 'CRIT_INVALID');
    expectCode(envelope({ header: (h) => ({ ...h, crit: [] }) }), 'CRIT_INVALID');
    expectCode(
      envelope({ header: (h) => ({ ...h, crit: [...crit(h), crit(h)[0]] }) }),
      'CRIT_INVALID'
    );
    expectCode(envelope({ header: (h) => without(h, 'io.cncf.notary.expiry') }), 'CRIT_INVALID');
  });
  it('an unknown critical attribute fails; the same attribute not critical is ignored', () => {
    const attr = { 'com.example.policy': 'strict' };
    expectCode(
      envelope({ header: (h) => ({ ...h, ...attr, crit: [...crit(h), 'com.example.policy'] }) }),
      'UNKNOWN_CRITICAL_ATTRIBUTE'
    );
    expect(verify(envelope({ header: (h) => ({ ...h, ...attr }) })).code).toBe('OK');
    // signingTime is not a critical attribute (notation-core-go rejects it in crit too).
    expectCode(
      envelope({ header: (h) => ({ ...h, crit: [...crit(h), 'alg'] }) }),
      'UNKNOWN_CRITICAL_ATTRIBUTE'
    );
  });
  it('the AWS attributes are known only with the AWS Signer plugin', () => {
    expectCode(
      envelope({
        header: (h) => ({
          ...without(h, 'io.cncf.notary.verificationPlugin'),
          crit: crit(h).filter((c) => c !== 'io.cncf.notary.verificationPlugin'),
        }),
      }),
      'UNKNOWN_CRITICAL_ATTRIBUTE'
    );
  });
  it.each([
    'io.cncf.notary.signingScheme',
    'io.cncf.notary.authenticSigningTime',
    'io.cncf.notary.expiry',
    'io.cncf.notary.verificationPlugin',
    'com.amazonaws.signer.signingProfileVersion',
    'com.amazonaws.signer.signingJob',
  ])('%s must be marked critical', (name) => {
    expectCode(
      envelope({ header: (h) => ({ ...h, crit: crit(h).filter((c) => c !== name) }) }),
      'NOT_CRITICAL'
    );
  });
});

describe('alg, key and signature', () => {
  it('alg must be a Notary Project algorithm', () => {
    for (const alg of ['none', 'HS256', 'ES256K', 'EdDSA']) {
      expectCode(envelope({ header: (h) => ({ ...h, alg }) }), 'ALG_INVALID');
    }
  });
  it("alg must be the signing key's algorithm", () => {
    const r = expectCode(envelope({ header: (h) => ({ ...h, alg: 'ES256' }) }), 'ALG_KEY_MISMATCH');
    expect(r.detail).toMatch(/ES384/);
    expectCode(envelope({ header: (h) => ({ ...h, alg: 'PS384' }) }), 'ALG_KEY_MISMATCH');
  });
  it('the signature must verify with the leaf key over exactly protected.payload', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    expectCode(envelope({ key: other }), 'SIGNATURE_INVALID');
    const env = JSON.parse(envelope().toString()) as Record<string, string>;
    const sig = Buffer.from(env.signature!, 'base64url');
    sig.writeUInt8(sig.readUInt8(10) ^ 1, 10);
    expectCode(
      Buffer.from(JSON.stringify({ ...env, signature: sig.toString('base64url') })),
      'SIGNATURE_INVALID'
    );
    // The payload of another envelope under this signature.
    const other2 = JSON.parse(
      envelope({ payload: { targetArtifact: { ...SUBJECT, size: 1 } } }).toString()
    ) as Record<string, string>;
    expectCode(
      Buffer.from(JSON.stringify({ ...env, payload: other2.payload })),
      'SIGNATURE_INVALID'
    );
  });
});

describe('certificate chain', () => {
  it('x5c must hold parseable certificates, at most 10', () => {
    expectCode(envelope({ unprotected: { x5c: [] } }), 'CERTIFICATE_INVALID');
    expectCode(
      envelope({ unprotected: { x5c: [Buffer.from('garbage').toString('base64')] } }),
      'CERTIFICATE_INVALID'
    );
    expectCode(
      envelope({ unprotected: { x5c: x5cB64(Array(11).fill(chain.leaf.der)) } }),
      'CERTIFICATE_INVALID'
    );
  });
  it('each certificate is issued by the next and the last is self-signed', () => {
    const { leaf, regional, intermediate, root } = chain;
    expectCode(envelope({ x5c: [leaf.der, intermediate.der, root.der] }), 'CHAIN_INVALID');
    expectCode(envelope({ x5c: [leaf.der, regional.der, intermediate.der] }), 'CHAIN_INVALID');
    expectCode(
      envelope({ x5c: [leaf.der, regional.der, intermediate.der, root.der, root.der] }),
      'CHAIN_INVALID'
    );
  });
  it('certificate requirements: leaf usage, CA bits, critical extensions', async () => {
    const t = SIGNED_AT.getTime();
    const leafWith = async (extensions: x509.Extension[], issuer = chain.regional) => {
      const c = await issue({
        subject: 'CN=AWS Signer, OU=AWS Cryptography',
        issuer,
        notBefore: new Date(t - 3600_000),
        notAfter: new Date(t + 3 * DAY),
        profile: 'leaf',
        extensions,
      });
      return envelope({ x5c: [c.der, ...chain.x5c.slice(1)], key: c.privateKey });
    };
    const F = x509.KeyUsageFlags;
    const ku = (flags: number, critical = true) => new x509.KeyUsagesExtension(flags, critical);
    // Each changes exactly one property of an otherwise valid leaf.
    expect(verify(await leafWith([ku(F.digitalSignature)])).code).toBe('OK');
    expectCode(await leafWith([ku(F.digitalSignature, false)]), 'CERTIFICATE_USAGE_INVALID');
    expectCode(await leafWith([]), 'CERTIFICATE_USAGE_INVALID');
    expectCode(
      await leafWith([ku(F.digitalSignature | F.keyCertSign)]),
      'CERTIFICATE_USAGE_INVALID'
    );
    expectCode(await leafWith([ku(F.keyEncipherment)]), 'CERTIFICATE_USAGE_INVALID');
    expectCode(
      await leafWith([
        ku(F.digitalSignature),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1']),
      ]),
      'CERTIFICATE_USAGE_INVALID'
    );
    expectCode(
      await leafWith([
        ku(F.digitalSignature),
        new x509.BasicConstraintsExtension(true, undefined, true),
      ]),
      'CERTIFICATE_USAGE_INVALID'
    );
    expectCode(
      await leafWith([
        ku(F.digitalSignature),
        new x509.Extension('1.3.6.1.4.1.99999.1', true, new Uint8Array([5, 0])),
      ]),
      'CERTIFICATE_USAGE_INVALID'
    );
    // The same unknown extension, not critical, is fine.
    expect(
      verify(
        await leafWith([
          ku(F.digitalSignature),
          new x509.Extension('1.3.6.1.4.1.99999.1', false, new Uint8Array([5, 0])),
        ])
      ).code
    ).toBe('OK');
  });
  it('a CA without keyCertSign, or not a CA, cannot issue', async () => {
    const t = SIGNED_AT.getTime();
    const regionalWith = async (extensions: x509.Extension[]) => {
      const reg = await issue({
        subject: 'CN=Test Signer us-east-1 Code Signing CA G1',
        issuer: chain.intermediate,
        notBefore: new Date(t - 30 * DAY),
        notAfter: new Date(t + 240 * DAY),
        profile: 'ca',
        extensions,
      });
      const leaf = await issue({
        subject: 'CN=AWS Signer',
        issuer: reg,
        notBefore: new Date(t - 3600_000),
        notAfter: new Date(t + 3 * DAY),
        profile: 'leaf',
      });
      return envelope({
        x5c: [leaf.der, reg.der, chain.intermediate.der, chain.root.der],
        key: leaf.privateKey,
      });
    };
    const F = x509.KeyUsageFlags;
    expect(
      verify(
        await regionalWith([
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(F.keyCertSign, true),
        ])
      ).code
    ).toBe('OK');
    expectCode(
      await regionalWith([
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(F.cRLSign, true),
      ]),
      'CERTIFICATE_USAGE_INVALID'
    );
    expectCode(
      await regionalWith([
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(F.keyCertSign, true),
      ]),
      'CERTIFICATE_USAGE_INVALID'
    );
    expectCode(
      await regionalWith([
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(F.keyCertSign, false),
      ]),
      'CERTIFICATE_USAGE_INVALID'
    );
  });
  it('the last certificate must be a pinned root of the signingAuthority type', async () => {
    const other = await makeSignerChain(SIGNED_AT);
    expectCode(envelope(), 'ROOT_UNTRUSTED', {
      trustStores: [{ name: 'other', type: 'signingAuthority', certificates: [other.root.der] }],
    });
    const r = expectCode(envelope(), 'ROOT_UNTRUSTED', {
      trustStores: [{ name: 'as-ca', type: 'ca', certificates: [chain.root.der] }],
    });
    expect(r.detail).toMatch(/type ca/);
    expectCode(envelope(), 'ROOT_UNTRUSTED', { trustStores: [] });
  });
});

describe('times', () => {
  it('expiry passed fails; just before it passes', () => {
    const expiry = Date.parse(signerProtectedHeader(SIGNED_AT)['io.cncf.notary.expiry'] as string);
    expectCode(envelope(), 'EXPIRED', { now: new Date(expiry) });
    expect(verify(envelope(), { now: new Date(expiry - 1000) }).code).toBe('OK');
  });
  it('the authentic signing time must be inside every certificate validity', () => {
    const t = 'io.cncf.notary.authenticSigningTime';
    // 4 days after the leaf was issued: the leaf had expired when this claims to be signed.
    const late = new Date(SIGNED_AT.getTime() + 4 * DAY);
    expectCode(
      envelope({ header: (h) => ({ ...h, [t]: rfc3339(late) }) }),
      'AUTHENTIC_TIMESTAMP_INVALID'
    );
    const early = new Date(SIGNED_AT.getTime() - 2 * 3600_000);
    expectCode(
      envelope({ header: (h) => ({ ...h, [t]: rfc3339(early) }) }),
      'AUTHENTIC_TIMESTAMP_INVALID'
    );
  });
});

describe('payload and target', () => {
  it('payload must be exactly {targetArtifact: {mediaType, digest, size, annotations?}}', () => {
    expectCode(envelope({ payload: { ...PAYLOAD, extra: 1 } }), 'PAYLOAD_INVALID');
    expectCode(
      envelope({ payload: { targetArtifact: { ...SUBJECT, urls: ['https://x'] } } }),
      'PAYLOAD_INVALID'
    );
    expectCode(
      envelope({ payload: { targetArtifact: { ...SUBJECT, size: '1234' } } }),
      'PAYLOAD_INVALID'
    );
    expectCode(
      envelope({ payload: { targetArtifact: { ...SUBJECT, size: 2 ** 60 } } }),
      'PAYLOAD_INVALID'
    );
    const dup = JSON.stringify(PAYLOAD).replace(
      '{"targetArtifact":',
      `{"targetArtifact":${JSON.stringify({ ...SUBJECT, size: 1 })},"targetArtifact":`
    );
    expectCode(envelope({ payload: dup }), 'PAYLOAD_INVALID');
    const annotated = { targetArtifact: { ...SUBJECT, annotations: { 'io.example.build': '42' } } };
    expect(verify(envelope({ payload: annotated })).code).toBe('OK');
  });
  it('digest, size and media type must be the image descriptor', () => {
    expectCode(envelope(), 'TARGET_MISMATCH', {
      subject: { ...SUBJECT, digest: `sha256:${'cd'.repeat(32)}` },
    });
    expectCode(envelope(), 'TARGET_MISMATCH', { subject: { ...SUBJECT, size: SUBJECT.size + 1 } });
    expectCode(envelope(), 'TARGET_MISMATCH', {
      subject: { ...SUBJECT, mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
  });
});

describe('AWS Signer attributes', () => {
  it('must be Signer ARNs of one partition and Region', () => {
    const pv = 'com.amazonaws.signer.signingProfileVersion';
    const job = 'com.amazonaws.signer.signingJob';
    expectCode(
      envelope({ header: (h) => ({ ...h, [pv]: 'LaminaTest/AbCdEf0123' }) }),
      'SIGNER_ATTRIBUTES_INVALID'
    );
    expectCode(envelope({ header: (h) => ({ ...h, [pv]: 42 }) }), 'SIGNER_ATTRIBUTES_INVALID');
    expectCode(
      envelope({
        header: (h) => ({ ...h, [job]: TEST_JOB_ARN.replace('us-east-1', 'eu-west-1') }),
      }),
      'SIGNER_ATTRIBUTES_INVALID'
    );
    expectCode(
      envelope({
        header: (h) => ({
          ...without(h, job),
          crit: (h.crit as string[]).filter((c) => c !== job),
        }),
      }),
      'SIGNER_ATTRIBUTES_INVALID'
    );
  });
});

describe('signature identity', () => {
  it('is the same for the same signature however the envelope is re-serialised', () => {
    const env = envelope();
    const a = verify(env).verified!.signatureId;
    const pretty = Buffer.from(JSON.stringify(JSON.parse(env.toString()), null, 2));
    expect(verify(pretty).verified!.signatureId).toBe(a);
  });
  it('differs for another signature of the same content', () => {
    // ECDSA is randomised: two signing runs give two signatures.
    expect(verify(envelope()).verified!.signatureId).not.toBe(
      verify(envelope()).verified!.signatureId
    );
  });
});
