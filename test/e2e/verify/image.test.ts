// `lamina verify|gate|pin IMAGE` end to end: the Alpine image with Notation signatures shaped
// like AWS Signer's, found through the referrers API (the in-process fake registry) and through
// the referrers tag schema (Debian's docker-registry, which has no referrers API); revocation
// through GetRevocationStatus with the real SDK against the local AWS endpoint.
import {
  createHash,
  generateKeyPairSync,
  type KeyObject,
  type KeyPairKeyObjectResult,
} from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAwsLocal, type AwsLocal } from '@lamina/aws-local/testing';
import {
  pushImage,
  pushLayout,
  readLayout,
  REF_NAME,
  writeLayout,
} from '../../../scripts/lib/ociwriter.mjs';
import {
  ALPINE_LAYOUT,
  ALPINE_MANIFEST,
  MULTI_LAYOUT,
} from '../../../src/fetch/image/testing/fixtures.js';
import {
  notationReferrer,
  referrerManifest,
  referrersIndex,
  sigManifest,
  type Doc,
} from '../../../src/fetch/image/testing/signed-image.js';
import {
  discoverRegistrySignatures,
  referrersTag,
  sigTag,
} from '../../../src/fetch/image/signatures.js';
import {
  cosignStatement,
  keyAnchorYaml,
  keySignedDsseBundle,
  keySignedLayer,
  simpleSigningPayload,
} from '../../../src/verify/images/testing/cosign.js';
import { RegistryClient } from '../../../src/fetch/registry/client.js';
import { RegistryStore } from '../../../src/fetch/registry/store.js';
import { verifyNotationJws } from '../../../src/verify/images/index.js';
import { FakeRegistry } from '../../../src/fetch/registry/testing/fake-registry.js';
import {
  startDockerRegistry,
  type RunningRegistry,
} from '../../../src/fetch/registry/testing/docker-registry.js';
import { SIGNATURE_MEDIA_TYPES } from '../../../src/model/oci.js';
import {
  makeSignerChain,
  signJws,
  rfc3339,
  signerProtectedHeader,
  type SignerChain,
} from '../../../src/verify/images/testing/signer-chain.js';
import type { Verdict } from '../../../src/verify/verdict.js';
import { runCli } from '../helpers/cli.js';
import {
  GOOD_JOB,
  HOME,
  PROFILE,
  R,
  REVOKED_JOB,
  rootPemOf,
  SIGNER_ESTATE,
  signerEnvelope,
  VERSION,
} from './image-signing.js';

const ESTATE = `
homeAccount: '${HOME}'
accounts:
  '${HOME}':
    accessKeys: [{ accessKeyId: AKIAIMAGEHOME0000001, secretAccessKey: home-secret }]
    regions:
      ${R}:
${SIGNER_ESTATE}`;

/** What each test repository holds: the Alpine image and one Notation signature of it. */
const REPOS = { good: GOOD_JOB, revoked: REVOKED_JOB } as const;
type RepoName = keyof typeof REPOS;

const SIGNED_AT = new Date(Date.now() - 3600_000);
let chain: SignerChain;
let subject: { mediaType: string; digest: string; size: number };
let alpine: { blobs: Map<string, Buffer>; manifest: Buffer };
let aws: AwsLocal;
let fake: FakeRegistry;
let real: RunningRegistry;
let rootPem: string;
let cosignKey: KeyPairKeyObjectResult;
let secondKey: KeyPairKeyObjectResult;

function envelope(job: string): Buffer {
  return signerEnvelope(chain, subject, job, SIGNED_AT);
}

beforeAll(async () => {
  chain = await makeSignerChain(SIGNED_AT, R);
  const layout = readLayout(ALPINE_LAYOUT) as {
    blob: (d: string) => Buffer;
  };
  const manifest = layout.blob(ALPINE_MANIFEST);
  const doc = JSON.parse(manifest.toString()) as {
    mediaType: string;
    config: { digest: string };
    layers: { digest: string }[];
  };
  const blobs = new Map<string, Buffer>();
  for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)])
    blobs.set(d, layout.blob(d));
  alpine = { blobs, manifest };
  subject = { mediaType: doc.mediaType, digest: ALPINE_MANIFEST, size: manifest.length };

  aws = await startAwsLocal(ESTATE);
  rootPem = rootPemOf(chain);
  await aws.file('signer-root.pem', rootPem);

  fake = await new FakeRegistry().start();
  fake.referrersApi = true;
  real = await startDockerRegistry();
  for (const [name, job] of Object.entries(REPOS)) {
    const sig = notationReferrer(subject, envelope(job));
    const repo = `lamina/${name}`;
    fake.put(repo, {
      blobs: new Map([...alpine.blobs, ...sig.blobs]),
      manifests: [
        { mediaType: subject.mediaType, bytes: alpine.manifest, tag: 'v2' },
        { mediaType: sig.descriptor.mediaType, bytes: sig.bytes },
      ],
    });
    await pushWithTagSchema(repo, [sig]);
  }
  // Envelopes that each break one check, through both discovery paths.
  const other = await makeSignerChain(SIGNED_AT, R);
  const header = (): Record<string, unknown> => ({
    ...signerProtectedHeader(SIGNED_AT),
    'com.amazonaws.signer.signingProfileVersion': VERSION,
    'com.amazonaws.signer.signingJob': GOOD_JOB,
  });
  const sign = (protectedHeader: Record<string, unknown>, payload: unknown, c = chain) =>
    signJws({
      protected: protectedHeader,
      payload: payload as Record<string, unknown>,
      x5c: c.x5c,
      key: c.leaf.privateKey,
    });
  const good = JSON.parse(envelope(GOOD_JOB).toString()) as Record<string, string>;
  const bad: Record<string, Buffer> = {
    'wrong-target': sign(header(), { targetArtifact: { ...subject, size: subject.size + 1 } }),
    'other-root': sign(header(), { targetArtifact: subject }, other),
    expired: sign(
      { ...header(), 'io.cncf.notary.expiry': rfc3339(new Date(Date.now() - 60_000)) },
      { targetArtifact: subject }
    ),
    'unknown-crit': sign(
      {
        ...header(),
        crit: [...(header().crit as string[]), 'x.lamina.unknown'],
        'x.lamina.unknown': 'y',
      },
      { targetArtifact: subject }
    ),
    tampered: Buffer.from(
      JSON.stringify({
        ...good,
        payload: Buffer.from(
          JSON.stringify({ targetArtifact: { ...subject, annotations: { a: 'b' } } })
        ).toString('base64url'),
      })
    ),
  };
  for (const [name, env] of Object.entries(bad)) {
    const sig = notationReferrer(subject, env);
    const repo = `lamina/bad-${name}`;
    fake.put(repo, {
      blobs: new Map([...alpine.blobs, ...sig.blobs]),
      manifests: [
        { mediaType: subject.mediaType, bytes: alpine.manifest, tag: 'v2' },
        { mediaType: sig.descriptor.mediaType, bytes: sig.bytes },
      ],
    });
    await pushWithTagSchema(repo, [sig]);
  }
  // A tag-schema listing of a referrer that signs another image: refused, not counted.
  const liar = notationReferrer({ ...subject, size: subject.size + 7 }, envelope(GOOD_JOB));
  await pushWithTagSchema('lamina/liar', [liar]);
  // COSE from AWS Signer is not verified: it must fail closed, not be skipped silently.
  const cose = notationReferrer(
    subject,
    Buffer.from('not really COSE'),
    SIGNATURE_MEDIA_TYPES.notationCose
  );
  fake.put('lamina/cose', {
    blobs: new Map([...alpine.blobs, ...cose.blobs]),
    manifests: [
      { mediaType: subject.mediaType, bytes: alpine.manifest, tag: 'v2' },
      { mediaType: cose.descriptor.mediaType, bytes: cose.bytes },
    ],
  });
  await pushWithTagSchema('lamina/cose', [cose]);
  // cosign legacy: a key-signed simple-signing payload on the `.sig` tag.
  cosignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const payload = simpleSigningPayload(ALPINE_MANIFEST, 'registry.example/lamina/cosign');
  const layer = keySignedLayer(payload, cosignKey.privateKey, 'sha256');
  const sig = sigManifest([
    { payload: Buffer.from(layer.payload), annotations: { ...layer.annotations } },
  ]);
  const sigRef = {
    reference: sigTag(ALPINE_MANIFEST),
    mediaType: sig.descriptor.mediaType,
    bytes: sig.bytes,
  };
  fake.put('lamina/cosign', {
    blobs: new Map([...alpine.blobs, ...sig.blobs]),
    manifests: [
      { mediaType: subject.mediaType, bytes: alpine.manifest, tag: 'v2' },
      { mediaType: sig.descriptor.mediaType, bytes: sig.bytes, tag: sigTag(ALPINE_MANIFEST) },
    ],
  });
  // The `.sig` tag after `cosign sign` ran twice: two layers, each a signature of its own; by
  // one key (cosign-twice), or by two keys (cosign-two-keys).
  const twice = (second: KeyObject) =>
    sigManifest(
      [cosignKey.privateKey, second].map((k) => {
        const l = keySignedLayer(payload, k, 'sha256');
        return { payload: Buffer.from(l.payload), annotations: { ...l.annotations } };
      })
    );
  secondKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  for (const [repo, s] of [
    ['lamina/cosign-twice', twice(cosignKey.privateKey)],
    ['lamina/cosign-two-keys', twice(secondKey.privateKey)],
  ] as const) {
    fake.put(repo, {
      blobs: new Map([...alpine.blobs, ...s.blobs]),
      manifests: [
        { mediaType: subject.mediaType, bytes: alpine.manifest, tag: 'v2' },
        { mediaType: s.descriptor.mediaType, bytes: s.bytes, tag: sigTag(ALPINE_MANIFEST) },
      ],
    });
  }
  // cosign bundle referrer (v3): a key-signed DSSE over the in-toto statement, as a referrer.
  const pem = cosignKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const bundle = await keySignedDsseBundle(
    cosignStatement(ALPINE_MANIFEST, 'registry.example/lamina/cosign'),
    cosignKey.privateKey,
    pem,
    'release'
  );
  const bundleRef = referrerManifest({
    subject,
    artifactType: SIGNATURE_MEDIA_TYPES.sigstoreBundle,
    blobMediaType: SIGNATURE_MEDIA_TYPES.sigstoreBundle,
    blob: Buffer.from(JSON.stringify(bundle)),
  });
  fake.put('lamina/bundle', {
    blobs: new Map([...alpine.blobs, ...bundleRef.blobs]),
    manifests: [
      { mediaType: subject.mediaType, bytes: alpine.manifest, tag: 'v2' },
      { mediaType: bundleRef.descriptor.mediaType, bytes: bundleRef.bytes },
    ],
  });
  await pushWithTagSchema('lamina/bundle', [bundleRef]);
  await pushImage(real.url, 'lamina/cosign', {
    blobs: new Map([...alpine.blobs, ...sig.blobs]),
    manifests: [{ reference: 'v2', mediaType: subject.mediaType, bytes: alpine.manifest }, sigRef],
  });
}, 120_000);

afterAll(async () => {
  await fake?.close();
  await real?.stop();
  await aws?.close();
});

/** The image, its referrers by digest, and the tag-schema index listing them, on the real registry. */
async function pushWithTagSchema(repo: string, sigs: Doc[]): Promise<void> {
  const blobs = new Map(alpine.blobs);
  for (const s of sigs) for (const [k, v] of s.blobs) blobs.set(k, v);
  await pushImage(real.url, repo, {
    blobs,
    manifests: [
      { reference: 'v2', mediaType: subject.mediaType, bytes: alpine.manifest },
      ...sigs.map((s) => ({
        reference: s.descriptor.digest,
        mediaType: s.descriptor.mediaType,
        bytes: s.bytes,
      })),
      {
        reference: referrersTag(ALPINE_MANIFEST),
        mediaType: 'application/vnd.oci.image.index.v1+json',
        bytes: referrersIndex(sigs.map((s) => s.descriptor)),
      },
    ],
  });
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function policyText(o: {
  pin?: boolean;
  profile?: string;
  revocation?: string;
  tags?: string;
  extra?: string;
}): string {
  return `version: 1
default: deny
anchors:
  image-team:
    kind: aws-signer
    profileArn: '${o.profile ?? PROFILE}'
    notationRoot: { path: signer-root.pem, sha256: '${sha256(rootPem)}' }
images:
  # every image of the test registries
  - match: { repository: '**' }
    mode: enforce
${o.pin === false ? '' : `    pins:\n      - digest: '${ALPINE_MANIFEST}'\n        platform: linux/amd64\n`}    signers: { anyOf: [image-team] }
    revocation: ${o.revocation ?? 'required'}
${o.tags ? `    tags: ${o.tags}\n` : ''}${o.extra ?? ''}`;
}

let n = 0;
async function verify(image: string, policy: string, extra: string[] = []) {
  const file = await aws.file(`policy-${++n}.yaml`, policy);
  const r = await runCli([
    'verify',
    image,
    '--policy',
    file,
    '--format',
    'json',
    ...aws.awsFlags,
    ...extra,
  ]);
  const parsed = r.stdout ? (JSON.parse(r.stdout) as { verdicts: Verdict[] }) : { verdicts: [] };
  const v = parsed.verdicts[0];
  const check = (id: string) => v?.checks.find((c) => c.id === id);
  return { ...r, v, check, file };
}

const PATHS = [
  ['referrers API (fake registry)', () => fake.host, 'referrers-api'],
  ['referrers tag schema (docker-registry)', () => real.host, 'referrers-tag'],
] as const;

describe.each(PATHS)('verify IMAGE through the %s', (_label, host, via) => {
  const ref = (repo: RepoName | 'cose', tag = false) =>
    `${host()}/lamina/${repo}${tag ? ':v2' : `@${ALPINE_MANIFEST}`}`;

  it('passes a pinned image signed by the allowed profile, revocation checked', async () => {
    const r = await verify(ref('good'), policyText({}));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.v?.subject).toMatchObject({ kind: 'image', digest: ALPINE_MANIFEST });
    expect(r.check('digest')?.outcome).toBe('pass');
    const signer = r.check('signer:image-team')!;
    expect(signer.outcome).toBe('pass');
    const [sig] = (signer.evidence['signatures'] as Record<string, unknown>[]) ?? [];
    expect(sig).toMatchObject({
      format: 'notation',
      via,
      signer: VERSION,
      awsSigner: { jobArn: GOOD_JOB, root: 'custom-root', revocation: { code: 'NOT_REVOKED' } },
    });
    expect(r.check('signers:threshold')?.outcome).toBe('pass');
  });

  it('fails an unpinned image', async () => {
    const r = await verify(ref('good'), policyText({ pin: false, extra: '    pins: []\n' }));
    expect(r.code).toBe(1);
    expect(r.check('digest')?.outcome).toBe('fail');
  });

  it('fails a signature from another profile', async () => {
    const other = `arn:aws:signer:${R}:${HOME}:/signing-profiles/Someone`;
    const r = await verify(ref('good'), policyText({ profile: other }));
    expect(r.code).toBe(1);
    expect(r.check('signer:image-team')?.detail).toMatch(/IDENTITY_MISMATCH/);
  });

  it('fails a signature whose signing job AWS Signer revoked', async () => {
    const r = await verify(ref('revoked'), policyText({}));
    expect(r.code).toBe(1);
    expect(r.check('signer:image-team')?.detail).toMatch(/REVOKED/);
    expect(r.check('signer:image-team')?.detail).toContain(REVOKED_JOB);
  });

  it('fails a root that is not the pinned one', async () => {
    const text = policyText({}).replace(sha256(rootPem), '0'.repeat(64));
    const file = await aws.file(`bad-root-${via}.yaml`, text);
    const r = await runCli(['verify', ref('good'), '--policy', file, ...aws.awsFlags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/notationRoot/);
  });

  it('a COSE envelope fails closed with a named code', async () => {
    const r = await verify(ref('cose'), policyText({}));
    expect(r.code).toBe(1);
    expect(r.check('signer:image-team')?.detail).toMatch(/UNSUPPORTED_ENVELOPE/);
  });

  it.each([
    ['wrong-target', 'TARGET_MISMATCH'],
    ['other-root', 'ROOT_UNTRUSTED'],
    ['expired', 'EXPIRED'],
    ['unknown-crit', 'UNKNOWN_CRITICAL_ATTRIBUTE'],
    ['tampered', 'SIGNATURE_INVALID'],
  ])('fails an envelope that breaks one check: %s (%s)', async (name, code) => {
    const r = await verify(`${host()}/lamina/bad-${name}@${ALPINE_MANIFEST}`, policyText({}));
    expect(r.code).toBe(1);
    expect(r.check('signer:image-team')?.detail).toContain(code);
  });

  it('deploy by tag: warns by default, fails under tags: fail', async () => {
    const warn = await verify(ref('good', true), policyText({}));
    expect(warn.code).toBe(0);
    expect(warn.check('tags')?.outcome).toBe('warn');
    expect(warn.stderr).toMatch(/warning: .*tags: \[warn\] Named by tag v2/);
    const fail = await verify(ref('good', true), policyText({ tags: 'fail' }));
    expect(fail.code).toBe(1);
    expect(fail.check('tags')?.outcome).toBe('fail');
  });

  it('inventories the image for package rules: a denied package in it fails', async () => {
    const r = await verify(
      ref('good'),
      policyText({ extra: "    packages: { deny: [{ purl: 'pkg:apk/alpine/busybox' }] }\n" })
    );
    expect(r.code).toBe(1);
    expect(r.check('packages')?.outcome).toBe('fail');
    expect(r.check('packages')?.detail).toMatch(/busybox@1\.35\.0-r29/);
    expect(r.check('inventory:not-inventoried')).toBeUndefined();
    expect(r.check('inventory:complete')?.outcome).toBe('pass');
  });

  it('an image the inventory could not see whole fails its package rule (limits honoured)', async () => {
    // Over --max-file-size the apk database is not read: no package is seen, so none is denied,
    // and the incomplete inventory fails the rule instead of letting it pass.
    const r = await verify(
      ref('good'),
      policyText({ extra: "    packages: { deny: [{ purl: 'pkg:apk/alpine/busybox' }] }\n" }),
      ['--max-file-size', '1K']
    );
    expect(r.code).toBe(1);
    expect(r.check('packages')?.outcome).toBe('pass');
    expect(r.check('inventory:complete')?.outcome).toBe('fail');
    expect(r.check('inventory:complete')?.detail).toMatch(/lib\/apk\/db\/installed/);
  });

  it('passes package and license rules the image meets, and fails a denied license', async () => {
    const allowed = await verify(
      ref('good'),
      policyText({
        extra:
          "    packages: { deny: [{ purl: 'pkg:apk/alpine/not-in-this-image' }] }\n" +
          "    licenses: { deny: ['AGPL-3.0-only'] }\n",
      })
    );
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(allowed.check('packages')?.outcome).toBe('pass');
    expect(allowed.check('licenses')?.outcome).toBe('pass');
    const denied = await verify(
      ref('good'),
      policyText({ extra: "    licenses: { deny: ['GPL-2.0-only'] }\n" })
    );
    expect(denied.code).toBe(1);
    expect(denied.check('licenses')?.outcome).toBe('fail');
    expect(denied.check('licenses')?.detail).toMatch(/busybox/);
  });
});

describe('a referrer that signs another image', () => {
  it('is refused on the tag schema path and the verdict says why', async () => {
    const r = await verify(`${real.host}/lamina/liar@${ALPINE_MANIFEST}`, policyText({}));
    expect(r.code).toBe(1);
    expect(r.check('signers:threshold')?.detail).toMatch(
      /Discovery could not read everything: referrers-tag .*DIGEST_MISMATCH/
    );
  });
});

describe('GetRevocationStatus failures through the real SDK', () => {
  let faulty: AwsLocal;
  beforeAll(async () => {
    faulty = await startAwsLocal(ESTATE, { faults: '5xx@GetRevocationStatus=1,seed=3' });
  });
  afterAll(async () => {
    await faulty.close();
  });
  const image = () => `${fake.host}/lamina/good@${ALPINE_MANIFEST}`;
  const run = async (mode: string) => {
    const file = await aws.file(`rev-${mode}.yaml`, policyText({ revocation: mode }));
    const r = await runCli([
      'verify',
      image(),
      '--policy',
      file,
      '--format',
      'json',
      ...faulty.awsFlags,
    ]);
    const v = (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts[0]!;
    return { ...r, signer: v.checks.find((c) => c.id === 'signer:image-team')! };
  };

  it('a 5xx fails under revocation: required', async () => {
    const r = await run('required');
    expect(r.code).toBe(1);
    expect(r.signer.detail).toMatch(/REVOCATION_CHECK_FAILED/);
  });
  it('a 5xx warns under revocation: best-effort', async () => {
    const r = await run('best-effort');
    expect(r.code).toBe(0);
    expect(r.signer.detail).toMatch(/Warning: GetRevocationStatus failed/);
  });
  it('skip makes no call', async () => {
    const before = faulty.endpoint.log.length;
    const r = await run('skip');
    expect(r.code).toBe(0);
    expect(faulty.endpoint.log.length).toBe(before);
  });
  it('an access denial (unknown credentials) fails under required', async () => {
    const saved = process.env['AWS_ACCESS_KEY_ID'];
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAUNKNOWNKEY000001';
    try {
      const file = await aws.file('rev-denied.yaml', policyText({}));
      const r = await runCli([
        'verify',
        image(),
        '--policy',
        file,
        '--format',
        'json',
        ...aws.awsFlags,
      ]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/REVOCATION_CHECK_FAILED/);
    } finally {
      process.env['AWS_ACCESS_KEY_ID'] = saved;
    }
  });
});

describe('gate and pin IMAGE', () => {
  it('gate passes an unpinned signed image and prints the pin entry', async () => {
    const file = await aws.file('gate.yaml', policyText({ pin: false }));
    const r = await runCli([
      'gate',
      `${real.host}/lamina/good@${ALPINE_MANIFEST}`,
      '--policy',
      file,
      ...aws.awsFlags,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`# add to images[0].pins in ${file}:`);
    expect(r.stdout).toContain(`- digest: '${ALPINE_MANIFEST}'`);
    expect(r.stdout).toContain('platform: linux/amd64');
  });

  it('gate inventories the image for package rules, with the limit flags given', async () => {
    const rule = "    packages: { deny: [{ purl: 'pkg:apk/alpine/not-in-this-image' }] }\n";
    const file = await aws.file('gate-packages.yaml', policyText({ pin: false, extra: rule }));
    const image = `${real.host}/lamina/good@${ALPINE_MANIFEST}`;
    const ok = await runCli(['gate', image, '--policy', file, ...aws.awsFlags]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`- digest: '${ALPINE_MANIFEST}'`);
    // Over --max-file-size the apk database is unread: the inventory is incomplete, no pin.
    const hidden = await runCli([
      'gate',
      image,
      '--policy',
      file,
      '--max-file-size',
      '1K',
      ...aws.awsFlags,
    ]);
    expect(hidden.code).toBe(1);
    expect(hidden.stdout).toBe('');
    expect(hidden.stderr).toMatch(/inventory:complete/);
  });

  it('gate fails an image whose signature is revoked', async () => {
    const file = await aws.file('gate-revoked.yaml', policyText({ pin: false }));
    const r = await runCli([
      'gate',
      `${real.host}/lamina/revoked@${ALPINE_MANIFEST}`,
      '--policy',
      file,
      ...aws.awsFlags,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
  });

  it('pin writes images[].pins keeping comments, and verify then passes', async () => {
    const file = await aws.file('pin.yaml', policyText({ pin: false }));
    const r = await runCli([
      'pin',
      `${real.host}/lamina/good:v2`,
      '--policy',
      file,
      '--note',
      'reviewed',
    ]);
    expect(r.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('# every image of the test registries');
    expect(text).toContain(`- digest: '${ALPINE_MANIFEST}'`);
    expect(text).toContain('note: reviewed');
    const again = await runCli(['pin', `${real.host}/lamina/good:v2`, '--policy', file]);
    expect(again.stderr).toMatch(/already pinned/);
    const v = await runCli([
      'verify',
      `${real.host}/lamina/good@${ALPINE_MANIFEST}`,
      '--policy',
      file,
      ...aws.awsFlags,
    ]);
    expect(v.code).toBe(0);
  });

  it('SARIF names the failing image check', async () => {
    const file = await aws.file('sarif.yaml', policyText({ pin: false, extra: '    pins: []\n' }));
    const r = await runCli([
      'verify',
      `${fake.host}/lamina/good@${ALPINE_MANIFEST}`,
      '--policy',
      file,
      '--format',
      'sarif',
      ...aws.awsFlags,
    ]);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toContain('lamina/digest');
  });
});

describe('public vector: notation-go jws_signature.sig on the Alpine image', () => {
  const VECTORS = 'testdata/images/vectors/notation-go/internal/testdata';
  // Inside the vector certificate's validity, as notation-go's own test uses it.
  const VECTOR_NOW = new Date('2026-06-01T00:00:00Z');
  it('is discovered on docker-registry through the tag schema and verifies with its certificate', async () => {
    const jws = await readFile(`${VECTORS}/jws_signature.sig`);
    const sig = notationReferrer(subject, jws);
    await pushWithTagSchema('lamina/vector', [sig]);
    const store = new RegistryStore(new RegistryClient(real.host), 'lamina/vector');
    const found = await discoverRegistrySignatures(store, { ...subject, digest: ALPINE_MANIFEST });
    await store.close();
    expect(found.problems).toEqual([]);
    expect(found.signatures).toHaveLength(1);
    const s = found.signatures[0]!;
    expect(s).toMatchObject({ format: 'notation', via: 'referrers-tag' });
    const envelope = (s as { envelope: Buffer }).envelope;
    expect(envelope).toEqual(jws);
    // The vector is signed by a self-signed certificate (notary.x509 scheme): a `ca` store.
    const leaf = Buffer.from(
      (JSON.parse(jws.toString()) as { header: { x5c: string[] } }).header.x5c[0]!,
      'base64'
    );
    const verify = (certs: Buffer[]) =>
      verifyNotationJws({
        envelope,
        envelopeMediaType: SIGNATURE_MEDIA_TYPES.notationJws,
        subject,
        trustStores: [{ name: 'vector', type: 'ca', certificates: certs }],
        now: VECTOR_NOW,
      });
    expect(verify([leaf])).toMatchObject({ ok: true, code: 'OK' });
    expect(verify([chain.root.der]).code).toBe('ROOT_UNTRUSTED');
  });
});

describe('verify an OCI layout', () => {
  it('finds the referrer in index.json; --repository gives the rule its repository', async () => {
    const sig = notationReferrer(subject, envelope(GOOD_JOB));
    const blobs = new Map([...alpine.blobs, ...sig.blobs]);
    blobs.set(ALPINE_MANIFEST, alpine.manifest);
    blobs.set(sig.descriptor.digest, sig.bytes);
    const dir = `${aws.dir}/layout`;
    writeLayout(dir, {
      blobs,
      entries: [
        {
          ...subject,
          annotations: { [REF_NAME]: 'v2' },
          platform: { os: 'linux', architecture: 'amd64' },
        },
        sig.descriptor,
      ],
    });
    const rule = policyText({}).replace("repository: '**'", "repository: 'ecr.example/app'");
    const unknown = await verify(`oci:${dir}:v2`, rule);
    expect(unknown.code).toBe(1);
    expect(unknown.check('rule')?.detail).toMatch(/--repository/);
    const r = await verify(`oci:${dir}:v2`, rule, ['--repository', 'ecr.example/app']);
    expect(r.code).toBe(0);
    const signer = r.check('signer:image-team')!;
    expect(signer.evidence['signatures']).toEqual([
      expect.objectContaining({ via: 'layout-index', format: 'notation' }),
    ]);
    expect(r.check('tags')?.outcome).toBe('pass');
  });
});

describe.each(PATHS)('cosign through %s', (_label, host, via) => {
  const policyFor = (pem: string, format = 'cosign-legacy') => `version: 1
default: deny
anchors:
${keyAnchorYaml('release-key', pem)}
images:
  - match: { repository: '**' }
    signers: { anyOf: [release-key], formats: [${format}] }
`;
  const image = () => `${host()}/lamina/cosign@${ALPINE_MANIFEST}`;
  it('passes with the signing key, fails with another', async () => {
    const pem = cosignKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ok = await verify(image(), policyFor(pem));
    expect(ok.code).toBe(0);
    expect(ok.check('sigstore:release-key')?.evidence['signatures']).toEqual([
      expect.objectContaining({ format: 'cosign-legacy', via: 'sig-tag' }),
    ]);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    const bad = await verify(image(), policyFor(other));
    expect(bad.code).toBe(1);
    expect(bad.check('sigstore:release-key')?.outcome).toBe('fail');
  });
  it('a bundle referrer passes with the signing key, fails with another', async () => {
    const pem = cosignKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ref = `${host()}/lamina/bundle@${ALPINE_MANIFEST}`;
    const ok = await verify(ref, policyFor(pem, 'cosign-bundle'));
    expect(ok.code).toBe(0);
    expect(ok.check('sigstore:release-key')?.evidence['signatures']).toEqual([
      expect.objectContaining({ format: 'cosign-bundle', via }),
    ]);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect((await verify(ref, policyFor(other, 'cosign-bundle'))).code).toBe(1);
  });
});

describe('a threshold of two key anchors', () => {
  const pemOf = (k: KeyPairKeyObjectResult) =>
    k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const policyFor = (a: string, b: string) => `version: 1
default: deny
anchors:
${keyAnchorYaml('release-key', a)}
${keyAnchorYaml('second-key', b)}
images:
  - match: { repository: '**' }
    signers: { anyOf: [release-key, second-key], threshold: 2 }
`;
  it('two signatures by one key, under two anchors naming it, are one signer: fails', async () => {
    const pem = pemOf(cosignKey);
    const r = await verify(
      `${fake.host}/lamina/cosign-twice@${ALPINE_MANIFEST}`,
      policyFor(pem, pem)
    );
    expect(r.check('sigstore:release-key')?.outcome).toBe('pass');
    expect(r.check('sigstore:second-key')?.outcome).toBe('pass');
    expect(r.check('signers:threshold')?.outcome).toBe('fail');
    expect(r.check('signers:threshold')?.detail).toMatch(/^1 of 2 distinct anchor\(s\)/);
    expect(r.code).toBe(1);
  });
  it('signatures by two keys meet it', async () => {
    const r = await verify(
      `${fake.host}/lamina/cosign-two-keys@${ALPINE_MANIFEST}`,
      policyFor(pemOf(cosignKey), pemOf(secondKey))
    );
    expect(r.check('signers:threshold')?.outcome).toBe('pass');
    expect(r.code).toBe(0);
  });
});

describe('the text report', () => {
  it('names the image, its rule and digest, and counts images', async () => {
    const file = await aws.file('text.yaml', policyText({}));
    const r = await runCli([
      'verify',
      `${fake.host}/lamina/good:v2`,
      '--policy',
      file,
      ...aws.awsFlags,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`image ${fake.host}/lamina/good:v2`);
    // The 80-column report wraps long lines: compare with the wrapping undone.
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      `rule: images[0] at ${file}:10, mode: enforce, ${ALPINE_MANIFEST.slice(0, 19)}…`
    );
    expect(r.stdout).toMatch(/1 image, 0 layers, 0 functions: 0 failed, 1 warned, 0 passed/);
  });
});

describe('an index: pins on the index, signatures on the index (signedVia)', () => {
  const INDEX = {
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: 'sha256:b6b0ee73e306afa9eeacafc18593bbb6a20982b781b837a99d70fd1d923d229f',
    size: 883,
  };
  beforeAll(async () => {
    await pushLayout(MULTI_LAYOUT, 'multi', real.url, 'lamina/multi', 'multi');
    const sig = notationReferrer(INDEX, signIndex());
    await pushImage(real.url, 'lamina/multi', {
      blobs: sig.blobs,
      manifests: [
        { reference: sig.descriptor.digest, mediaType: sig.descriptor.mediaType, bytes: sig.bytes },
        {
          reference: referrersTag(INDEX.digest as `sha256:${string}`),
          mediaType: INDEX.mediaType,
          bytes: referrersIndex([sig.descriptor]),
        },
      ],
    });
  });
  function signIndex(): Buffer {
    return signJws({
      protected: {
        ...signerProtectedHeader(SIGNED_AT),
        'com.amazonaws.signer.signingProfileVersion': VERSION,
        'com.amazonaws.signer.signingJob': GOOD_JOB,
      },
      payload: { targetArtifact: INDEX },
      x5c: chain.x5c,
      key: chain.leaf.privateKey,
    });
  }
  const rule = (signedVia: string) =>
    policyText({ pin: false }).replace(
      'signers: { anyOf: [image-team] }',
      `pins: [{ index: '${INDEX.digest}' }]\n    signers: { anyOf: [image-team], signedVia: ${signedVia} }`
    );

  it('an arm64 manifest chosen from the pinned, signed index passes with signedVia: [index]', async () => {
    const r = await verify(`${real.host}/lamina/multi:multi`, rule('[index]'), [
      '--platform',
      'linux/arm64',
    ]);
    expect(r.code).toBe(0);
    expect(r.v?.subject).toMatchObject({ indexDigest: INDEX.digest });
    expect(r.check('digest')?.detail).toMatch(/listed in pinned index/);
    expect(r.check('signers:threshold')?.outcome).toBe('pass');
  });
  it('the index signature does not count for signedVia: [manifest]', async () => {
    const r = await verify(`${real.host}/lamina/multi:multi`, rule('[manifest]'));
    expect(r.code).toBe(1);
    expect(r.check('signers:threshold')?.outcome).toBe('fail');
  });
  it('a manifest named by digest is found in the pinned index by fetching it', async () => {
    const arm64 = 'sha256:6825d616421d123ff6d68e36e9225c1d9cc8f93caa2b85b600025673502dc679';
    const r = await verify(`${real.host}/lamina/multi@${arm64}`, rule('[manifest, index]'));
    expect(r.check('digest')?.outcome).toBe('pass');
    // Not chosen from the index, so no index signature was looked for: unsigned.
    expect(r.check('signers:threshold')?.outcome).toBe('fail');
  });
});
