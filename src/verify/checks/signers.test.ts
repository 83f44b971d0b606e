import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../policy/load.js';
import { verifyLayer } from '../verifier.js';
import { distinctSignatures } from './signers.js';

const DIR = 'testdata/sigstore/conformance';
const A_TXT = readFileSync(`${DIR}/a.txt`);
const HAPPY = JSON.parse(readFileSync(`${DIR}/happy-path-v0.3/bundle.sigstore.json`, 'utf8')) as {
  messageSignature: { signature: string };
  verificationMaterial: { certificate: { rawBytes: string } };
};
const ISSUER = 'https://token.actions.githubusercontent.com';
const IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';

/** The same bytes, base64 written another way (URL alphabet, no padding): a decoder reads both. */
const reencode = (b64: string): string => Buffer.from(b64, 'base64').toString('base64url');

describe('distinctSignatures', () => {
  it('signatures sharing any identity are one, transitively', () => {
    const of = distinctSignatures([
      ['sig:1', 'key:A'],
      ['sig:2', 'key:A'],
      ['sig:2', 'key:B'],
      ['sig:3', 'key:C'],
    ]);
    expect(of(['sig:1', 'key:A'])).toBe(of(['sig:2', 'key:B']));
    expect(of(['sig:3', 'key:C'])).not.toBe(of(['sig:1', 'key:A']));
  });
});

describe('threshold over cryptographically distinct signatures', () => {
  const loaded = loadPolicy(
    `version: 1
default: deny
anchors:
  beacon:
    kind: sigstore-keyless
    issuer: ${ISSUER}
    subject: ${IDENTITY}
    trustRoot: public-good
  beacon-again:
    kind: sigstore-keyless
    issuer: ${ISSUER}
    subjectRegex: 'https://github\\.com/sigstore-conformance/.*'
    trustRoot: public-good
layers:
  - match: { name: utils }
    signers: { anyOf: [beacon, beacon-again], threshold: 2 }
`,
    'p.yaml'
  );
  const inventory = {
    artifact: { name: 'a', kind: 'zip' as const, sha256: 'a', size: 0, properties: {} },
    packages: [],
    findings: [],
    complete: true,
  };
  const ev = (bundles: unknown[]) => ({
    name: 'a.txt',
    layerName: 'utils',
    sha256: createHash('sha256').update(A_TXT).digest('hex'),
    bytes: A_TXT,
    inventory,
    bundles: bundles.map((bundle, i) => ({ source: `b${i}.json`, bundle })),
  });

  it('a re-encoded copy of one signature verifies, but counts once', () => {
    const copy = structuredClone(HAPPY);
    copy.messageSignature.signature = reencode(HAPPY.messageSignature.signature);
    copy.verificationMaterial.certificate.rawBytes = reencode(
      HAPPY.verificationMaterial.certificate.rawBytes
    );
    expect(copy.messageSignature.signature).not.toBe(HAPPY.messageSignature.signature);
    // Each anchor gets a different file, encoded differently.
    const v = verifyLayer(ev([HAPPY, copy]), loaded, { now: new Date('2026-01-01') });
    const outcome = Object.fromEntries(v.checks.map((c) => [c.id, c.outcome]));
    expect(outcome).toMatchObject({
      'sigstore:beacon': 'pass',
      'sigstore:beacon-again': 'pass',
      'signers:threshold': 'fail',
    });
    const t = v.checks.find((c) => c.id === 'signers:threshold');
    expect(t?.evidence['verified']).toHaveLength(1);
    expect(v.ok).toBe(false);
  });
});
