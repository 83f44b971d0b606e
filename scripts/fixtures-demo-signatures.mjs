#!/usr/bin/env node
// The demo's Notation signatures (testdata/images/demo-signatures/): one AWS Signer-shaped JWS
// envelope per build of the demo's thumbnailer image (testdata/images/demo-al2023/, refs 2024-08
// and 2024-09), each an OCI 1.1 referrer manifest whose `subject` is that build, and the root
// certificate of the private chain that signed them (testdata/images/demo-signer-root.pem).
// The chain is shaped like AWS Signer's (root, intermediate, regional CA, a 3-day P-384 leaf
// per signing job; ES384, notary.x509.signingAuthority), as in
// https://docs.aws.amazon.com/signer/latest/developerguide/image-signing-prerequisites.html.
// The signing jobs are in testdata/estates/demo.yaml; the 2024-08 build's was revoked.
// Deterministic: keys come from fixed seeds and ECDSA signatures are RFC 6979 (@noble/curves),
// so rerunning gives the same bytes.
import { createHash, webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { p384 } from '@noble/curves/nist.js';
import { jsonBytes, readLayout, REF_NAME, sha256, writeLayout } from './lib/ociwriter.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const images = join(root, 'testdata', 'images');
const DAY = 86_400_000;
const REGION = 'us-east-1';
const PROFILE_VERSION =
  'arn:aws:signer:us-east-1:123456789012:/signing-profiles/ImageSigner/Im4g3S1gn1';
const job = (n) =>
  `arn:aws:signer:us-east-1:123456789012:/signing-jobs/3f1e2d4c-00${n}-4a5b-8c7d-0000000000${n}`;
/** Which build each signing job signed, and when (the jobs in demo.yaml). */
const SIGNED = [
  { ref: '2024-08', job: job('09'), at: new Date('2024-08-01T00:10:00Z') },
  { ref: '2024-09', job: job('10'), at: new Date('2024-09-20T00:10:00Z') },
];

/** Private keys from fixed seeds, and a WebCrypto whose ECDSA signing is deterministic. */
const scalars = new WeakMap();
const b64u = (b) => Buffer.from(b).toString('base64url');
async function keyPair(seed) {
  const n = p384.Point.CURVE().n;
  const d = (BigInt(`0x${createHash('sha384').update(seed).digest('hex')}`) % (n - 1n)) + 1n;
  const sk = Buffer.from(d.toString(16).padStart(96, '0'), 'hex');
  const pub = p384.getPublicKey(sk, false);
  const jwk = { kty: 'EC', crv: 'P-384', x: b64u(pub.subarray(1, 49)), y: b64u(pub.subarray(49)) };
  const alg = { name: 'ECDSA', namedCurve: 'P-384' };
  const privateKey = await webcrypto.subtle.importKey('jwk', { ...jwk, d: b64u(sk) }, alg, true, [
    'sign',
  ]);
  const publicKey = await webcrypto.subtle.importKey('jwk', jwk, alg, true, ['verify']);
  scalars.set(privateKey, sk);
  return { privateKey, publicKey, sk };
}
const sign = (sk, data) => Buffer.from(p384.sign(new Uint8Array(data), sk)); // SHA-384, r||s
const crypto = {
  getRandomValues: () => {
    throw new Error('fixtures-demo-signatures: nothing here may be random');
  },
  subtle: new Proxy(webcrypto.subtle, {
    get(target, prop) {
      if (prop === 'sign')
        return async (_alg, key, data) => sign(scalars.get(key), Buffer.from(data));
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }),
};
x509.cryptoProvider.set(crypto);

async function issue({ subject, issuer, notBefore, notAfter, ca }) {
  const keys = await keyPair(`lamina demo signer: ${subject}`);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: createHash('sha256').update(subject).digest('hex').slice(0, 16),
      subject,
      issuer: issuer?.subject ?? subject,
      notBefore,
      notAfter,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-384' },
      publicKey: keys.publicKey,
      signingKey: (issuer?.keys ?? keys).privateKey,
      extensions: [
        new x509.BasicConstraintsExtension(ca, undefined, true),
        new x509.KeyUsagesExtension(
          ca
            ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
            : x509.KeyUsageFlags.digitalSignature,
          true
        ),
        ...(ca ? [] : [new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.3'], false)]),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto
  );
  return { subject, keys, cert, der: Buffer.from(cert.rawData) };
}

const rfc3339 = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const at = (t) => new Date(t);
const epoch = Date.parse('2024-01-01T00:00:00Z');
const dn = (cn) => `C=US, ST=WA, O=Lamina Demo, OU=Cryptography, CN=${cn}`;
const rootCa = await issue({
  subject: dn('Demo Signer Code Signing Root CA G1'),
  notBefore: at(epoch),
  notAfter: at(epoch + 36500 * DAY),
  ca: true,
});
const intermediate = await issue({
  subject: dn('Demo Signer Code Signing Int CA G1'),
  issuer: rootCa,
  notBefore: at(epoch),
  notAfter: at(epoch + 3650 * DAY),
  ca: true,
});
const regional = await issue({
  subject: dn(`Demo Signer ${REGION} Code Signing CA G1`),
  issuer: intermediate,
  notBefore: at(epoch),
  notAfter: at(epoch + 730 * DAY),
  ca: true,
});

const layout = readLayout(join(images, 'demo-al2023'));
const blobs = new Map();
const entries = [];
for (const s of SIGNED) {
  const entry = layout.index.manifests.find((m) => m.annotations?.[REF_NAME] === s.ref);
  const subject = { mediaType: entry.mediaType, digest: entry.digest, size: entry.size };
  // Signer issues a fresh leaf for each signing job.
  const leaf = await issue({
    subject: `C=US, ST=WA, L=Seattle, O=Lamina Demo, OU=AWS Cryptography, CN=AWS Signer ${s.ref}`,
    issuer: regional,
    notBefore: at(s.at.getTime() - 3600_000),
    notAfter: at(s.at.getTime() - 3600_000 + 3 * DAY),
    ca: false,
  });
  const header = {
    alg: 'ES384',
    cty: 'application/vnd.cncf.notary.payload.v1+json',
    crit: [
      'io.cncf.notary.signingScheme',
      'io.cncf.notary.authenticSigningTime',
      'io.cncf.notary.expiry',
      'io.cncf.notary.verificationPlugin',
      'com.amazonaws.signer.signingProfileVersion',
      'com.amazonaws.signer.signingJob',
    ],
    'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
    'io.cncf.notary.authenticSigningTime': rfc3339(s.at),
    'io.cncf.notary.expiry': rfc3339(at(s.at.getTime() + 4018 * DAY)),
    'io.cncf.notary.verificationPlugin': 'com.amazonaws.signer.notation.plugin',
    'com.amazonaws.signer.signingProfileVersion': PROFILE_VERSION,
    'com.amazonaws.signer.signingJob': s.job,
  };
  const prot = b64u(JSON.stringify(header));
  const payload = b64u(JSON.stringify({ targetArtifact: subject }));
  const envelope = Buffer.from(
    JSON.stringify({
      payload,
      protected: prot,
      header: {
        x5c: [leaf.der, regional.der, intermediate.der, rootCa.der].map((c) =>
          c.toString('base64')
        ),
        'io.cncf.notary.signingAgent': 'lamina-demo-fixtures/1',
      },
      signature: b64u(sign(leaf.keys.sk, Buffer.from(`${prot}.${payload}`))),
    })
  );
  // An OCI 1.1 referrer: artifactType, the empty config, the envelope, subject.
  const empty = Buffer.from('{}');
  const layer = {
    mediaType: 'application/jose+json',
    digest: sha256(envelope),
    size: envelope.length,
  };
  const manifest = jsonBytes({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: 'application/vnd.cncf.notary.signature',
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 },
    layers: [layer],
    subject,
    annotations: { 'io.cncf.notary.x509chain.thumbprint#S256': thumbprints(leaf, regional) },
  });
  blobs.set(sha256(empty), empty);
  blobs.set(layer.digest, envelope);
  blobs.set(sha256(manifest), manifest);
  entries.push({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: sha256(manifest),
    size: manifest.length,
    artifactType: 'application/vnd.cncf.notary.signature',
    annotations: { [REF_NAME]: `thumbnailer-${s.ref}` },
  });
}

/** Notation's annotation: the SHA-256 thumbprints of the chain, leaf first. */
function thumbprints(...certs) {
  return JSON.stringify(
    [...certs, intermediate, rootCa].map((c) => createHash('sha256').update(c.der).digest('hex'))
  );
}

writeLayout(join(images, 'demo-signatures'), { blobs, entries });
const pem = rootCa.der.toString('base64').replace(/(.{64})/g, '$1\n');
writeFileSync(
  join(images, 'demo-signer-root.pem'),
  `-----BEGIN CERTIFICATE-----\n${pem.trimEnd()}\n-----END CERTIFICATE-----\n`
);
console.log(
  `wrote ${join('testdata', 'images', 'demo-signatures')} (${entries.length} signatures) and demo-signer-root.pem`
);
