// Signature discovery against the in-process fake registry (the referrers API, its pagination
// and its lies; the tag schema when the API is off; the cosign `.sig` tag) and an OCI layout.
// The real registry (tag schema only) is exercised in test/e2e/verify/image.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeLayout, REF_NAME } from '../../../scripts/lib/ociwriter.mjs';
import { MEDIA_TYPES, SIGNATURE_MEDIA_TYPES, type Descriptor } from '../../model/oci.js';
import { RegistryClient } from '../registry/client.js';
import { RegistryStore } from '../registry/store.js';
import { FakeRegistry } from '../registry/testing/fake-registry.js';
import { OciLayoutStore } from './layout.js';
import {
  discoverLayoutSignatures,
  discoverRegistrySignatures,
  nextPage,
  referrersTag,
  sigTag,
} from './signatures.js';
import {
  digestOf,
  notationReferrer,
  referrerManifest,
  referrersIndex,
  sigManifest,
  type Doc,
} from './testing/signed-image.js';

const IMAGE_BYTES = Buffer.from('{"schemaVersion":2,"note":"the signed image manifest"}');
const SUBJECT: Descriptor = {
  mediaType: MEDIA_TYPES.ociManifest,
  digest: digestOf(IMAGE_BYTES) as Descriptor['digest'],
  size: IMAGE_BYTES.length,
};
const OTHER = { ...SUBJECT, digest: digestOf(Buffer.from('another image')) };
const FAST = { attempts: 2, baseMs: 1, capMs: 2 };
const REPO = 'team/app';

const envelope = (n: number) => Buffer.from(`{"payload":"envelope-${n}"}`);

let reg: FakeRegistry;
let store: RegistryStore;

beforeAll(async () => {
  reg = await new FakeRegistry().start();
});
afterAll(async () => {
  await reg.close();
});
afterEach(async () => {
  reg.reset();
  reg.repos.clear();
  await store?.close();
});

function put(...docs: Doc[]): void {
  const blobs = new Map<string, Buffer>();
  for (const d of docs) for (const [k, v] of d.blobs) blobs.set(k, v);
  reg.put(REPO, {
    blobs,
    manifests: docs.map((d) => ({ mediaType: d.descriptor.mediaType, bytes: d.bytes })),
  });
}

function discover() {
  store = new RegistryStore(new RegistryClient(reg.host, { retry: FAST }), REPO);
  return discoverRegistrySignatures(store, SUBJECT);
}

describe('the referrers API', () => {
  it('finds a Notation referrer by the manifest’s own artifactType and reads its blob', async () => {
    reg.referrersApi = true;
    put(notationReferrer(SUBJECT, envelope(1)));
    const d = await discover();
    expect(d.problems).toEqual([]);
    expect(d.signatures).toHaveLength(1);
    expect(d.signatures[0]).toMatchObject({ format: 'notation', via: 'referrers-api' });
    expect((d.signatures[0] as { envelope: Buffer }).envelope).toEqual(envelope(1));
  });

  it('older Notation manifests (type in the config) and Sigstore bundles are found too', async () => {
    reg.referrersApi = true;
    const old = referrerManifest({
      subject: SUBJECT,
      artifactType: SIGNATURE_MEDIA_TYPES.notation,
      blobMediaType: SIGNATURE_MEDIA_TYPES.notationJws,
      blob: envelope(2),
      typeInConfig: true,
    });
    const bundle = referrerManifest({
      subject: SUBJECT,
      artifactType: SIGNATURE_MEDIA_TYPES.sigstoreBundle,
      blobMediaType: SIGNATURE_MEDIA_TYPES.sigstoreBundle,
      blob: Buffer.from('{"bundle":1}'),
    });
    put(old, bundle);
    const d = await discover();
    expect(d.signatures.map((s) => s.format).sort()).toEqual(['cosign-bundle', 'notation']);
  });

  it('a referrer naming another subject is refused, not used', async () => {
    reg.referrersApi = true;
    const liar = notationReferrer(OTHER, envelope(3));
    put(liar);
    // The listing says it refers to our image; its own subject says otherwise.
    reg.onRequest = (_req, res, url) => {
      if (!url.pathname.includes('/referrers/')) return false;
      res.writeHead(200, { 'content-type': MEDIA_TYPES.ociIndex });
      res.end(referrersIndex([liar.descriptor]));
      return true;
    };
    const d = await discover();
    expect(d.signatures).toEqual([]);
    expect(d.problems[0]).toMatchObject({ via: 'referrers-api', code: 'DIGEST_MISMATCH' });
  });

  it('the listing’s artifactType does not decide: an SBOM listed as a signature is not one', async () => {
    reg.referrersApi = true;
    const sbom = referrerManifest({
      subject: SUBJECT,
      artifactType: 'application/spdx+json',
      blobMediaType: 'application/spdx+json',
      blob: Buffer.from('{}x'),
    });
    put(sbom);
    reg.onRequest = (_req, res, url) => {
      if (!url.pathname.includes('/referrers/')) return false;
      res.writeHead(200, { 'content-type': MEDIA_TYPES.ociIndex });
      res.end(
        referrersIndex([{ ...sbom.descriptor, artifactType: SIGNATURE_MEDIA_TYPES.notation }])
      );
      return true;
    };
    const d = await discover();
    expect(d.signatures).toEqual([]);
    expect(d.otherArtifacts).toEqual([
      { digest: sbom.descriptor.digest, artifactType: 'application/spdx+json' },
    ]);
  });

  it('a tampered signature blob is a problem, never a signature', async () => {
    reg.referrersApi = true;
    const r = notationReferrer(SUBJECT, envelope(4));
    put(r);
    reg.faults.blobBody = (digest, bytes) =>
      digest === digestOf(envelope(4)) ? Buffer.from(bytes.toString().toUpperCase()) : undefined;
    const d = await discover();
    expect(d.signatures).toEqual([]);
    expect(d.problems.map((p) => p.code)).toContain('DIGEST_MISMATCH');
  });

  it('follows Link pages on the same origin, deduplicating referrers', async () => {
    const a = notationReferrer(SUBJECT, envelope(5));
    const b = notationReferrer(SUBJECT, envelope(6));
    put(a, b);
    reg.onRequest = (_req, res, url) => {
      if (!url.pathname.includes('/referrers/')) return false;
      const page2 = url.searchParams.get('page') === '2';
      res.writeHead(200, {
        'content-type': MEDIA_TYPES.ociIndex,
        ...(page2 ? {} : { link: `<${url.pathname}?page=2>; rel="next"` }),
      });
      res.end(referrersIndex(page2 ? [b.descriptor, a.descriptor] : [a.descriptor]));
      return true;
    };
    const d = await discover();
    expect(d.signatures.map((s) => s.source).sort()).toEqual(
      [a.descriptor.digest, b.descriptor.digest].sort()
    );
  });

  it('a Link to another origin or another path ends the listing', () => {
    const base = `/v2/${REPO}/referrers/`;
    expect(nextPage('<https://evil.example/v2/x>; rel="next"', reg.url, base)).toBeUndefined();
    expect(nextPage('</v2/other/referrers/x?n=1>; rel="next"', reg.url, base)).toBeUndefined();
    expect(nextPage(`<${base}x?last=1>; rel="next"`, reg.url, base)).toBe(`${base}x?last=1`);
  });
});

describe('without the referrers API', () => {
  it('reads the referrers tag schema on a 404', async () => {
    const r = notationReferrer(SUBJECT, envelope(7));
    const index = referrersIndex([r.descriptor]);
    put(r);
    reg.put(REPO, {
      manifests: [
        { mediaType: MEDIA_TYPES.ociIndex, bytes: index, tag: referrersTag(SUBJECT.digest) },
      ],
    });
    const d = await discover();
    expect(d.problems).toEqual([]);
    expect(d.signatures).toHaveLength(1);
    expect(d.signatures[0]).toMatchObject({ via: 'referrers-tag', source: r.descriptor.digest });
  });

  it('reads the cosign .sig tag: one signature per simple-signing layer', async () => {
    const sig = sigManifest([
      {
        payload: Buffer.from('{"p":1}'),
        annotations: { 'dev.cosignproject.cosign/signature': 'A' },
      },
      {
        payload: Buffer.from('{"p":2}'),
        annotations: { 'dev.cosignproject.cosign/signature': 'B' },
      },
    ]);
    reg.put(REPO, {
      blobs: sig.blobs,
      manifests: [
        { mediaType: MEDIA_TYPES.ociManifest, bytes: sig.bytes, tag: sigTag(SUBJECT.digest) },
      ],
    });
    const d = await discover();
    expect(d.signatures.map((s) => s.format)).toEqual(['cosign-legacy', 'cosign-legacy']);
    expect(d.signatures[0]).toMatchObject({
      via: 'sig-tag',
      layer: { annotations: { 'dev.cosignproject.cosign/signature': 'A' } },
    });
  });

  it('nothing found is no signature and no problem', async () => {
    const d = await discover();
    expect(d).toMatchObject({ signatures: [], problems: [] });
  });
});

describe('an OCI layout', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lamina-sig-layout-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds referrers among index.json entries and the .sig ref name', async () => {
    const r = notationReferrer(SUBJECT, envelope(8));
    const stranger = notationReferrer(OTHER, envelope(9));
    const sig = sigManifest([{ payload: Buffer.from('{"p":3}'), annotations: {} }]);
    const blobs = new Map<string, Buffer>([[SUBJECT.digest, IMAGE_BYTES]]);
    for (const d of [r, stranger, sig]) {
      blobs.set(d.descriptor.digest, d.bytes);
      for (const [k, v] of d.blobs) blobs.set(k, v);
    }
    writeLayout(join(dir, 'l'), {
      blobs,
      entries: [
        { ...r.descriptor },
        { ...stranger.descriptor },
        { ...sig.descriptor, annotations: { [REF_NAME]: sigTag(SUBJECT.digest) } },
      ],
    });
    const d = await discoverLayoutSignatures(await OciLayoutStore.open(join(dir, 'l')), SUBJECT);
    expect(d.problems).toEqual([]);
    expect(d.signatures.map((s) => [s.format, s.via]).sort()).toEqual([
      ['cosign-legacy', 'sig-tag'],
      ['notation', 'layout-index'],
    ]);
  });
});

describe('a failing referrers API', () => {
  it('is a problem, and the tag schema is still read', async () => {
    const r = notationReferrer(SUBJECT, envelope(10));
    put(r);
    reg.put(REPO, {
      manifests: [
        {
          mediaType: MEDIA_TYPES.ociIndex,
          bytes: referrersIndex([r.descriptor]),
          tag: referrersTag(SUBJECT.digest),
        },
      ],
    });
    reg.onRequest = (_req, res, url) => {
      if (!url.pathname.includes('/referrers/')) return false;
      res.writeHead(400).end();
      return true;
    };
    const d = await discover();
    expect(d.problems[0]).toMatchObject({ via: 'referrers-api', code: 'HTTP_ERROR' });
    expect(d.signatures).toHaveLength(1);
    expect(d.signatures[0]).toMatchObject({ via: 'referrers-tag' });
  });
});
