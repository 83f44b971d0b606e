// The image verifier (pure): rule selection, pins on manifests and indexes, deploy-by-tag,
// signedVia, and fail-closed inventory rules. Discovery and GetRevocationStatus over the wire
// are tested end to end in test/e2e/verify/image.test.ts; here the revocation call is the
// injected function the verifier is given.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { unreadableImageVerdict, verifyImage, type ImageEvidence } from './image.js';
import type { FoundImageSignature } from './images/signers.js';
import {
  makeSignerChain,
  signJws,
  signerProtectedHeader,
  TEST_PROFILE_VERSION_ARN,
  type SignerChain,
} from './images/testing/signer-chain.js';
import { SIGSTORE_BUNDLE_V03_MEDIA_TYPE } from './images/cosign/bundle-referrer.js';
import { cosignStatement, keyAnchorYaml, keySignedDsseBundle } from './images/testing/cosign.js';
import { loadPolicy } from './policy/load.js';
import { COSIGN_SIGN_PREDICATE_TYPE } from './sigstore/index.js';
import type { LoadedPolicy } from './policy/types.js';

const NOW = new Date();
const SIGNED_AT = new Date(NOW.getTime() - 3600_000);
const hex = (c: string) => c.repeat(64);
const MANIFEST = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${hex('a')}`,
  size: 500,
};
const INDEX = {
  mediaType: 'application/vnd.oci.image.index.v1+json',
  digest: `sha256:${hex('b')}`,
  size: 900,
};
const PROFILE = TEST_PROFILE_VERSION_ARN.replace(/\/[^/]+$/, '');

let chain: SignerChain;
let rootPem: string;

beforeAll(async () => {
  chain = await makeSignerChain(SIGNED_AT);
  const b64 = chain.root.der.toString('base64').replace(/(.{64})/g, '$1\n');
  rootPem = `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
});

function policy(rule: string, extra = '', anchors = ''): LoadedPolicy {
  const sha = createHash('sha256').update(rootPem).digest('hex');
  const text = `version: 1
default: deny
anchors:
  team:
    kind: aws-signer
    profileArn: '${PROFILE}'
    notationRoot: { path: root.pem, sha256: '${sha}' }
${anchors ? `${anchors}\n` : ''}images:
${rule}
${extra}`;
  return loadPolicy(text, '/p/policy.yaml', { readFile: () => Buffer.from(rootPem) });
}

function notation(subject: typeof MANIFEST, via: FoundImageSignature['via']): FoundImageSignature {
  return {
    format: 'notation',
    source: `sha256:${hex('c')}`,
    via,
    subject,
    mediaType: 'application/jose+json',
    envelope: signJws({
      protected: signerProtectedHeader(SIGNED_AT),
      payload: { targetArtifact: subject },
      x5c: chain.x5c,
      key: chain.leaf.privateKey,
    }),
  };
}

function evidence(over: Partial<ImageEvidence> = {}): ImageEvidence {
  return {
    name: `registry.example/team/app@${MANIFEST.digest}`,
    repository: 'registry.example/team/app',
    manifest: MANIFEST,
    platform: 'linux/arm64/v8',
    listedIn: [],
    signatures: { manifest: [], index: [] },
    discoveryProblems: [],
    ...over,
  };
}

const notRevoked = () => Promise.resolve({ revokedEntities: [] });
const run = (ev: ImageEvidence, p: LoadedPolicy) =>
  verifyImage(ev, p, { now: NOW, getRevocationStatus: notRevoked });
const outcome = async (ev: ImageEvidence, p: LoadedPolicy, id: string) =>
  (await run(ev, p)).checks.find((c) => c.id === id)?.outcome;

describe('pins', () => {
  it('a manifest pin passes; arm64 and arm64/v8 are one platform; another platform fails', async () => {
    const pin = (platform: string) =>
      policy(`  - match: { repository: 'registry.example/**' }
    pins: [{ digest: '${MANIFEST.digest}', platform: ${platform} }]`);
    expect(await outcome(evidence(), pin('linux/arm64'), 'digest')).toBe('pass');
    expect(await outcome(evidence(), pin('linux/amd64'), 'digest')).toBe('fail');
  });
  it('an index pin passes only when the index was fetched and lists the manifest', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
    pins: [{ index: '${INDEX.digest}' }]`);
    expect(await outcome(evidence(), p, 'digest')).toBe('fail');
    expect(await outcome(evidence({ listedIn: [INDEX.digest] }), p, 'digest')).toBe('pass');
  });
  it('an expired pin fails', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
    pins: [{ digest: '${MANIFEST.digest}', expires: '2020-01-01' }]`);
    const v = await run(evidence(), p);
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => c.id === 'digest')?.detail).toMatch(/expired 2020-01-01/);
  });
  it('gate (skipPins) does not check pins', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
    pins: []`);
    const v = await verifyImage(evidence(), p, { now: NOW, skipPins: true });
    expect(v.checks.map((c) => c.id)).not.toContain('digest');
    expect(v.ok).toBe(true);
  });
});

describe('rule selection', () => {
  it('no rule matches: the default applies', async () => {
    const p = policy(`  - match: { repository: 'other.example/**' }`);
    const v = await run(evidence(), p);
    expect(v.rule).toBeUndefined();
    expect(v.checks[0]).toMatchObject({ id: 'default', outcome: 'fail' });
  });
  it('a rule needing an unknown fact before the one that matches: undecided, fails', async () => {
    const p = policy(`  - match: { function: 'payments-*' }
  - match: { repository: 'registry.example/**' }`);
    const v = await run(evidence(), p);
    expect(v.ok).toBe(false);
    expect(v.checks[0]?.detail).toMatch(/images\[0\] may apply.*function/);
    const known = await run(evidence({ function: 'orders' }), p);
    expect(known.rule?.index).toBe(1);
  });
  it('records the rule and check lines for SARIF', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
    tags: fail`);
    const v = await run(evidence({ tag: 'latest' }), p);
    expect(v.rule).toMatchObject({ section: 'images', index: 0, line: 9 });
    expect(v.checks.find((c) => c.id === 'tags')?.line).toBe(10);
  });
});

describe('an image that could not be read', () => {
  const facts = {
    name: 'registry.example/app:prod',
    repository: 'registry.example/app',
    function: 'orders',
    functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:orders:$LATEST',
    digest: MANIFEST.digest,
  };
  const failure = { code: 'ACCESS_DENIED', reason: 'not authorized' };
  it('fails under the rule its facts select, in its mode, pointing at the rule', () => {
    const p = policy(`  - match: { function: 'payments-*' }
  - match: { function: 'orders' }
    mode: warn`);
    const v = unreadableImageVerdict(facts, p, failure);
    expect(v.rule).toMatchObject({ section: 'images', index: 1, line: 10 });
    expect(v.subject).toMatchObject({
      kind: 'image',
      arn: facts.functionArn,
      digest: MANIFEST.digest,
    });
    expect(v.checks).toMatchObject([{ id: 'fetch', outcome: 'warn' }]);
    expect(v.checks[0]?.detail).toContain('ACCESS_DENIED: not authorized');
    expect(v.ok).toBe(true);
  });
  it('fails even when no rule matches and the default allows', () => {
    const p = policy(`  - match: { repository: 'other.example/**' }`);
    const allow = { ...p, policy: { ...p.policy, default: 'allow' as const } };
    const v = unreadableImageVerdict(facts, allow, failure);
    expect(v.rule).toBeUndefined();
    expect(v.ok).toBe(false);
    expect(v.checks[0]).toMatchObject({ id: 'fetch', outcome: 'fail' });
  });
});

describe('tags', () => {
  const p = (tags?: string) =>
    policy(`  - match: { repository: 'registry.example/**' }${tags ? `\n    tags: ${tags}` : ''}`);
  it('by digest passes; by tag warns by default, fails or passes as the rule says', async () => {
    expect(await outcome(evidence(), p(), 'tags')).toBe('pass');
    const v = await run(evidence({ tag: 'v1' }), p());
    expect(v.checks.find((c) => c.id === 'tags')?.outcome).toBe('warn');
    expect(v.ok).toBe(true);
    expect(await outcome(evidence({ tag: 'v1' }), p('fail'), 'tags')).toBe('fail');
    expect(await outcome(evidence({ tag: 'v1' }), p('allow'), 'tags')).toBe('pass');
    expect(await outcome(evidence({ tag: 'v1', immutableTags: true }), p('fail'), 'tags')).toBe(
      'pass'
    );
  });
});

describe('signatures', () => {
  it('signedVia decides whether a signature on the index counts', async () => {
    const onIndex = evidence({
      index: INDEX,
      signatures: { manifest: [], index: [notation(INDEX, 'referrers-api')] },
    });
    const rule = (via: string) =>
      policy(`  - match: { repository: 'registry.example/**' }
    signers: { anyOf: [team], signedVia: ${via} }`);
    expect(await outcome(onIndex, rule('[manifest]'), 'signers:threshold')).toBe('fail');
    expect(await outcome(onIndex, rule('[manifest, index]'), 'signers:threshold')).toBe('pass');
  });
  it('a revoked signature fails; an anchor without a Notation root fails closed', async () => {
    const ev = evidence({ signatures: { manifest: [notation(MANIFEST, 'sig-tag')], index: [] } });
    const p = policy(`  - match: { repository: 'registry.example/**' }
    signers: { anyOf: [team] }`);
    expect(await outcome(ev, p, 'signers:threshold')).toBe('pass');
    const revoked = await verifyImage(ev, p, {
      now: NOW,
      getRevocationStatus: () => Promise.resolve({ revokedEntities: ['arn:aws:signer:x'] }),
    });
    expect(revoked.ok).toBe(false);
    const noRoot = { ...p, notationRoots: new Map() } as LoadedPolicy;
    const v = await run(ev, noRoot);
    expect(v.ok).toBe(false);
    expect(JSON.stringify(v.checks)).toMatch(/has no notationRoot/);
  });
  it('discovery problems are reported with a failing threshold', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
    signers: { anyOf: [team] }`);
    const v = await run(evidence({ discoveryProblems: ['referrers-api x: HTTP_ERROR: 500'] }), p);
    expect(v.checks.find((c) => c.id === 'signers:threshold')?.detail).toMatch(
      /Discovery could not read everything: referrers-api x/
    );
  });
});

describe("a Sigstore anchor's predicateTypes", () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const SLSA = 'https://slsa.dev/provenance/v1';
  /** A cosign v3 bundle referrer on the manifest: a key-signed DSSE statement of `predicateType`. */
  const referrer = async (predicateType: string): Promise<FoundImageSignature> => ({
    format: 'cosign-bundle',
    source: `sha256:${hex('d')}`,
    via: 'referrers-api',
    subject: MANIFEST,
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    bundle: Buffer.from(
      JSON.stringify(
        await keySignedDsseBundle(
          cosignStatement(MANIFEST.digest, 'registry.example/team/app', predicateType),
          key.privateKey,
          pem,
          'release'
        )
      )
    ),
  });
  const keyPolicy = (extra: string) =>
    policy(
      `  - match: { repository: 'registry.example/**' }
    signers: { anyOf: [release] }`,
      '',
      `${keyAnchorYaml('release', pem)}${extra}`
    );
  const signedWith = async (predicateType: string) =>
    evidence({ signatures: { manifest: [await referrer(predicateType)], index: [] } });

  it("default to cosign's signature predicate, and name what a bundle referrer may carry", async () => {
    const byDefault = keyPolicy('');
    expect(
      await outcome(await signedWith(COSIGN_SIGN_PREDICATE_TYPE), byDefault, 'sigstore:release')
    ).toBe('pass');
    expect(await outcome(await signedWith(SLSA), byDefault, 'sigstore:release')).toBe('fail');
    const slsa = keyPolicy(`\n    predicateTypes: ['${SLSA}']`);
    expect(await outcome(await signedWith(SLSA), slsa, 'sigstore:release')).toBe('pass');
    expect(
      await outcome(await signedWith(COSIGN_SIGN_PREDICATE_TYPE), slsa, 'sigstore:release')
    ).toBe('fail');
  });
});

describe('inventory rules', () => {
  it('fail closed when the image was not inventoried', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
    licenses: { deny: [GPL-3.0-only] }`);
    expect(await outcome(evidence(), p, 'inventory:not-inventoried')).toBe('fail');
  });
  it('apply as for layers when it was', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
    packages: { deny: [{ purl: 'pkg:npm/left-pad' }] }`);
    const inventory = {
      artifact: { name: 'img', kind: 'image', sha256: hex('a'), size: 1, properties: {} },
      packages: [
        {
          name: 'left-pad',
          version: '1.0.0',
          ecosystem: 'npm',
          purl: 'pkg:npm/left-pad@1.0.0',
          licenses: [],
          locations: [{ path: 'var/task/node_modules/left-pad/package.json' }],
          properties: {},
        },
      ],
      findings: [],
    } as unknown as ImageEvidence['inventory'];
    const v = await run(evidence({ ...(inventory ? { inventory } : {}) }), p);
    expect(v.checks.find((c) => c.id === 'packages')?.outcome).toBe('fail');
    expect(v.checks.map((c) => c.id)).toContain('inventory:complete');
  });
  // An inventory with a gap: an error finding (what a refused entry leaves).
  const incomplete = {
    artifact: { name: 'img', kind: 'image', sha256: hex('a'), size: 1, properties: {} },
    packages: [],
    findings: [{ code: 'UNREADABLE', severity: 'error', message: 'x', path: 'var/task/x' }],
  } as unknown as NonNullable<ImageEvidence['inventory']>;
  it('fail an incomplete inventory under a rule that asks for any of them', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
    licenses: { deny: [GPL-3.0-only] }`);
    expect(await outcome(evidence({ inventory: incomplete }), p, 'inventory:complete')).toBe(
      'fail'
    );
  });
  it('do not apply under a rule with none, though another rule had the image inventoried', async () => {
    const p = policy(`  - match: { repository: 'registry.example/**' }
  - match: { repository: 'other.example/**' }
    packages: { deny: [{ purl: 'pkg:npm/left-pad' }] }`);
    const v = await run(evidence({ inventory: incomplete }), p);
    expect(v.checks.filter((c) => c.kind === 'inventory')).toEqual([]);
  });
});
