// The registry client against an in-process fake registry that lies: every
// digest trap must be refused with its code before any JSON parser sees the
// bytes, credentials must never reach a second origin, and transient faults
// must be retried within bounds.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeImage, makeIndex, makeLayer, MT } from '../../../scripts/lib/ociwriter.mjs';
import { ContentCache } from '../cache.js';
import { resolveImage, type ResolveOptions } from '../image/resolve.js';
import { parsePlatform } from '../image/platform.js';
import { RegistryClient } from './client.js';
import { parseDockerConfig } from './credentials.js';
import { FakeRegistry } from './testing/fake-registry.js';
import { codeOfAsync } from '../image/testing/expect-code.js';

// Record every document the strict parser is handed.
const parsed = vi.hoisted(() => [] as Buffer[]);
vi.mock('../image/json.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../image/json.js')>();
  return {
    ...mod,
    parseStrictJson: (bytes: Uint8Array, options: Parameters<typeof mod.parseStrictJson>[1]) => {
      parsed.push(Buffer.from(bytes));
      return mod.parseStrictJson(bytes, options);
    },
  };
});

const FAST = { attempts: 3, baseMs: 1, capMs: 5 };
const MARK = 'TAMPERED-BY-THE-FAKE';
const REPO = 'lamina/app';

const layer = makeLayer([
  { name: 'etc/', type: 'dir' },
  { name: 'etc/os-release', data: 'ID=lamina\n' },
  { name: 'var/task/index.mjs', data: 'export const handler = () => 1;\n'.repeat(200) },
]);
const image = makeImage({ layers: [layer] });
const armLayer = makeLayer([{ name: 'arm.txt', data: 'arm64' }], { compression: 'none' });
const armImage = makeImage({
  layers: [armLayer],
  platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
});
const index = makeIndex([
  { ...image.manifest.descriptor, platform: { os: 'linux', architecture: 'amd64' } },
  {
    ...armImage.manifest.descriptor,
    platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
  },
]);
const MANIFEST = image.manifest.descriptor.digest;
const CONFIG = image.config.descriptor.digest;
const LAYER = layer.descriptor.digest;

/** A manifest that keeps valid JSON but says something else. */
function tamper(bytes: Buffer): Buffer {
  const doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...doc, annotations: { note: MARK } }));
}

let fake: FakeRegistry;
let dir: string;
let cache: ContentCache;
const jsonSeen: string[] = [];

beforeAll(async () => {
  fake = await new FakeRegistry().start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  fake.repos.clear();
  fake.put(REPO, {
    blobs: new Map([...image.blobs, ...armImage.blobs]),
    manifests: [
      { mediaType: MT.ociManifest, bytes: image.manifest.bytes, tag: 'v1' },
      { mediaType: MT.ociManifest, bytes: armImage.manifest.bytes },
      { mediaType: MT.ociIndex, bytes: index.bytes, tag: 'multi' },
    ],
  });
  parsed.length = 0;
  jsonSeen.length = 0;
  const real = JSON.parse.bind(JSON);
  vi.spyOn(JSON, 'parse').mockImplementation(
    (text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) => {
      jsonSeen.push(String(text));
      return real(text, reviver) as unknown;
    }
  );
  dir = await mkdtemp(join(tmpdir(), 'lamina-fake-'));
  cache = new ContentCache(dir, 'tar');
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

function opts(extra: Partial<NonNullable<ResolveOptions['registry']>> = {}): ResolveOptions {
  return { registry: { retry: FAST, ...extra } };
}

async function resolveAndSpool(ref: string, o: ResolveOptions = opts()) {
  const h = await resolveImage(ref, o);
  try {
    return { image: h.image, spooled: await h.spoolLayers(cache, { retry: FAST }) };
  } finally {
    await h.close();
  }
}

/** No parser (ours or JSON.parse) was handed the tampered bytes. */
function expectNeverParsed(): void {
  expect(parsed.some((b) => b.includes(MARK))).toBe(false);
  expect(jsonSeen.some((t) => t.includes(MARK))).toBe(false);
}

const requestsFor = (path: string): number => fake.requests.filter((r) => r.path === path).length;

describe('registry client: what it sends', () => {
  it('resolves by tag and by digest, asking for every manifest type it reads', async () => {
    const byTag = await resolveAndSpool(`${fake.host}/${REPO}:v1`);
    expect(byTag.image.manifestDigest).toBe(MANIFEST);
    expect(byTag.image.configDigest).toBe(CONFIG);
    expect(byTag.spooled.map((s) => s.layer.diffId)).toEqual([layer.diffId]);
    const accept = fake.requests.find((r) => r.path.includes('/manifests/'))?.headers.accept;
    expect(String(accept).split(/,\s*/).sort()).toEqual(
      [MT.ociManifest, MT.ociIndex, MT.dockerManifest, MT.dockerManifestList].sort()
    );
    const byDigest = await resolveAndSpool(`${fake.host}/${REPO}@${MANIFEST}`);
    expect(byDigest.image.manifestDigest).toBe(MANIFEST);
    expect(byDigest.spooled[0]!.cached).toBe(true);
  });

  it('resolves an index to the requested platform and records the index digest', async () => {
    const amd = await resolveAndSpool(`${fake.host}/${REPO}:multi`);
    expect(amd.image).toMatchObject({
      indexDigest: index.descriptor.digest,
      manifestDigest: MANIFEST,
    });
    const h = await resolveImage(`${fake.host}/${REPO}:multi`, {
      ...opts(),
      platform: parsePlatform('linux/arm64'),
    });
    expect(h.image.manifestDigest).toBe(armImage.manifest.descriptor.digest);
    expect(h.image.layers[0]!.compression).toBe('none');
    await h.close();
    expect(
      await codeOfAsync(
        resolveImage(`${fake.host}/${REPO}:multi`, {
          ...opts(),
          platform: parsePlatform('linux/s390x'),
        })
      )
    ).toBe('PLATFORM_NOT_FOUND');
  });
});

describe('registry client: digest traps', () => {
  it('refuses a tampered manifest fetched by digest, retries once, never parses it', async () => {
    fake.faults.manifestBody = (ref, bytes) => (ref === MANIFEST ? tamper(bytes) : undefined);
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}@${MANIFEST}`, opts()))).toBe(
      'DIGEST_MISMATCH'
    );
    expect(requestsFor(`/v2/${REPO}/manifests/${MANIFEST}`)).toBe(2);
    expectNeverParsed();
  });

  it('refuses a tag whose bytes disagree with the Docker-Content-Digest it came with', async () => {
    fake.faults.manifestBody = (ref, bytes) => (ref === 'v1' ? tamper(bytes) : undefined);
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'CONTENT_DIGEST_MISMATCH'
    );
    expectNeverParsed();
  });

  it('refuses a lying Docker-Content-Digest even when the bytes are right', async () => {
    fake.faults.manifestDigestHeader = () => `sha256:${'0'.repeat(64)}`;
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}@${MANIFEST}`, opts()))).toBe(
      'CONTENT_DIGEST_MISMATCH'
    );
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'CONTENT_DIGEST_MISMATCH'
    );
    expect(parsed).toHaveLength(0);
  });

  it('takes the hash of the bytes as a tag digest when no header claims one', async () => {
    fake.faults.manifestDigestHeader = () => undefined;
    fake.faults.manifestBody = (ref, bytes) => (ref === 'v1' ? tamper(bytes) : undefined);
    const h = await resolveImage(`${fake.host}/${REPO}:v1`, opts());
    // Not the stored manifest: the digest names what was actually received.
    expect(h.image.manifestDigest).not.toBe(MANIFEST);
    expect(h.image.manifest?.annotations).toEqual({ note: MARK });
    await h.close();
  });

  it('refuses a tampered platform manifest under an index', async () => {
    fake.faults.manifestBody = (ref, bytes) => (ref === MANIFEST ? tamper(bytes) : undefined);
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:multi`, opts()))).toBe(
      'DIGEST_MISMATCH'
    );
    expectNeverParsed();
  });

  it('refuses a tampered config before parsing it', async () => {
    fake.faults.blobBody = (digest, bytes) => (digest === CONFIG ? tamper(bytes) : undefined);
    fake.faults.contentLength = () => undefined;
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'SIZE_MISMATCH'
    );
    fake.faults.blobBody = (digest, bytes) =>
      digest === CONFIG
        ? Buffer.from(bytes.toString('utf8').replace('"amd64"', '"arm64"'))
        : undefined;
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'DIGEST_MISMATCH'
    );
    expect(requestsFor(`/v2/${REPO}/blobs/${CONFIG}`)).toBe(4); // each retried once
    expectNeverParsed();
    expect(jsonSeen.some((t) => t.includes('"arm64"'))).toBe(false);
  });

  it('refuses a document served with a Content-Type that contradicts it', async () => {
    fake.faults.manifestContentType = () => MT.ociIndex;
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'AMBIGUOUS_DOCUMENT'
    );
    fake.faults.manifestContentType = () =>
      'application/vnd.docker.distribution.manifest.v1+prettyjws';
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'SCHEMA1_REFUSED'
    );
  });

  it('refuses a tampered layer, retries it once, and caches nothing', async () => {
    fake.faults.blobBody = (digest, bytes) => {
      if (digest !== LAYER) return undefined;
      const b = Buffer.from(bytes);
      b[b.length - 20] = b[b.length - 20]! ^ 0xff;
      return b;
    };
    expect(await codeOfAsync(resolveAndSpool(`${fake.host}/${REPO}:v1`))).toMatch(
      /^(DIGEST_MISMATCH|CORRUPT_LAYER)$/
    );
    expect(requestsFor(`/v2/${REPO}/blobs/${LAYER}`)).toBe(2);
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('refuses a layer whose uncompressed bytes are not the diffID, and caches nothing', async () => {
    const other = makeLayer([{ name: 'x', data: 'not what the config says' }]);
    const lie = makeImage({ layers: [{ ...other, diffId: layer.diffId }] });
    fake.put(REPO, {
      blobs: lie.blobs,
      manifests: [{ mediaType: MT.ociManifest, bytes: lie.manifest.bytes, tag: 'lie' }],
    });
    expect(await codeOfAsync(resolveAndSpool(`${fake.host}/${REPO}:lie`))).toBe('DIFF_ID_MISMATCH');
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('refuses wrong sizes: announced, and received', async () => {
    fake.faults.contentLength = (path, n) => (path.endsWith(LAYER) ? n + 1 : undefined);
    expect(await codeOfAsync(resolveAndSpool(`${fake.host}/${REPO}:v1`))).toBe('SIZE_MISMATCH');
    expect(requestsFor(`/v2/${REPO}/blobs/${LAYER}`)).toBe(2); // retried once, not more
    // The descriptor says fewer bytes than the blob has; sent chunked, without a
    // Content-Length, the extra bytes are only noticed as they arrive.
    fake.faults.contentLength = (path) => (path.endsWith(LAYER) ? null : undefined);
    const short = makeImage({
      layers: [{ ...layer, descriptor: { ...layer.descriptor, size: layer.blob.length - 10 } }],
    });
    fake.put(REPO, {
      blobs: short.blobs,
      manifests: [{ mediaType: MT.ociManifest, bytes: short.manifest.bytes, tag: 'short' }],
    });
    expect(await codeOfAsync(resolveAndSpool(`${fake.host}/${REPO}:short`))).toBe('SIZE_MISMATCH');
    expect(requestsFor(`/v2/${REPO}/blobs/${LAYER}`)).toBe(4);
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });
});

describe('registry client: transient faults', () => {
  it('retries 429 and 5xx, then succeeds', async () => {
    fake.faults.status = (path, count) =>
      path.includes('/manifests/') && count <= 2 ? [429, 503][count - 1] : undefined;
    const { image: img } = await resolveAndSpool(`${fake.host}/${REPO}:v1`);
    expect(img.manifestDigest).toBe(MANIFEST);
    expect(requestsFor(`/v2/${REPO}/manifests/v1`)).toBe(3);
  });

  it('gives up after the retry budget with a class-3 error', async () => {
    fake.faults.status = () => 500;
    const err = await resolveImage(`${fake.host}/${REPO}:v1`, opts()).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RETRIES_EXHAUSTED', exitCode: 3 });
    expect(requestsFor(`/v2/${REPO}/manifests/v1`)).toBe(FAST.attempts);
  });

  it('retries a body cut short, and reports TRUNCATED when it keeps happening', async () => {
    let cuts = 0;
    fake.faults.truncateAt = (path) => (path.endsWith(LAYER) && cuts++ < 1 ? 100 : undefined);
    const ok = await resolveAndSpool(`${fake.host}/${REPO}:v1`);
    expect(ok.spooled[0]!.cached).toBe(false);
    expect(requestsFor(`/v2/${REPO}/blobs/${LAYER}`)).toBe(2);
    await rm(join(dir, 'sha256'), { recursive: true });
    fake.faults.truncateAt = (path) => (path.endsWith(LAYER) ? 100 : undefined);
    expect(await codeOfAsync(resolveAndSpool(`${fake.host}/${REPO}:v1`))).toBe('TRUNCATED');
  });

  it('times out a registry that does not answer', async () => {
    fake.onRequest = (_req, _res, url) => url.pathname.includes('/manifests/'); // swallow: never answer
    const err = await resolveImage(
      `${fake.host}/${REPO}:v1`,
      opts({
        timeouts: { headersMs: 100, idleMs: 100 },
        retry: { attempts: 2, baseMs: 1, capMs: 1 },
      })
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TIMEOUT', exitCode: 3 });
  });

  it('gives up on a layer body that stalls half way', async () => {
    fake.onRequest = (_req, res, url) => {
      if (!url.pathname.endsWith(LAYER)) return false;
      res.writeHead(200, { 'content-length': String(layer.blob.length) });
      res.write(layer.blob.subarray(0, 50)); // and then nothing
      return true;
    };
    const o = opts({ timeouts: { headersMs: 1000, idleMs: 150 } });
    const started = Date.now();
    expect(await codeOfAsync(resolveAndSpool(`${fake.host}/${REPO}:v1`, o))).toBe('TRUNCATED');
    expect(requestsFor(`/v2/${REPO}/blobs/${LAYER}`)).toBe(FAST.attempts);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('reports missing manifests (class 2) and missing blobs (class 3)', async () => {
    expect(
      await resolveImage(`${fake.host}/${REPO}:nope`, opts()).catch((e: unknown) => e)
    ).toMatchObject({
      code: 'MANIFEST_NOT_FOUND',
      exitCode: 2,
    });
    fake.repos.get(REPO)!.blobs.delete(LAYER);
    expect(await resolveAndSpool(`${fake.host}/${REPO}:v1`).catch((e: unknown) => e)).toMatchObject(
      {
        code: 'BLOB_NOT_FOUND',
        exitCode: 3,
      }
    );
  });
});

describe('registry client: credentials and origins', () => {
  const creds = (host: string, user: string, password: string) =>
    parseDockerConfig(
      JSON.stringify({
        auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } },
      }),
      'test'
    );

  it('never sends Authorization to the origin a blob redirects to', async () => {
    fake.auth = { kind: 'basic', username: 'AWS', password: 'secret' };
    fake.faults.redirectBlobs = true;
    const got = await resolveAndSpool(
      `${fake.host}/${REPO}:v1`,
      opts({ credentials: creds(fake.host, 'AWS', 'secret') })
    );
    expect(got.spooled).toHaveLength(1);
    const storage = fake.other.requests.filter((r) => r.path.startsWith('/storage/'));
    expect(storage.length).toBeGreaterThanOrEqual(2); // config and layer
    for (const r of storage) expect(r.headers.authorization).toBeUndefined();
    // The registry itself did get the credentials.
    expect(fake.requests.some((r) => r.headers.authorization?.startsWith('Basic '))).toBe(true);
  });

  it('follows the Bearer challenge to a token service on the same origin', async () => {
    fake.auth = { kind: 'bearer', realm: 'same', username: 'u', password: 'p' };
    fake.faults.redirectBlobs = true;
    await resolveAndSpool(
      `${fake.host}/${REPO}:v1`,
      opts({ credentials: creds(fake.host, 'u', 'p') })
    );
    const tokenReq = fake.requests.find((r) => r.path.startsWith('/token'));
    expect(tokenReq?.path).toContain(`scope=${encodeURIComponent(`repository:${REPO}:pull`)}`);
    expect(tokenReq?.path).toContain('service=fake-registry');
    expect(tokenReq?.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    for (const r of fake.other.requests) expect(r.headers.authorization).toBeUndefined();
  });

  it('sends the credentials to the token service the challenge names on another origin, and only there', async () => {
    fake.auth = { kind: 'bearer', realm: 'other', username: 'u', password: 'p' };
    fake.faults.redirectBlobs = true;
    await resolveAndSpool(
      `${fake.host}/${REPO}:v1`,
      opts({ credentials: creds(fake.host, 'u', 'p') })
    );
    const token = fake.other.requests.filter((r) => r.path.startsWith('/token'));
    expect(token).toHaveLength(1);
    expect(token[0]!.headers.authorization?.startsWith('Basic ')).toBe(true);
    for (const r of fake.other.requests.filter((x) => x.path.startsWith('/storage/'))) {
      expect(r.headers.authorization).toBeUndefined();
    }
  });

  it('anonymous Bearer tokens work; refused ones say credentials are required', async () => {
    fake.auth = { kind: 'bearer', realm: 'same' };
    const h = await resolveImage(`${fake.host}/${REPO}:v1`, opts());
    await h.close();
    expect(
      fake.requests.find((r) => r.path.startsWith('/token'))?.headers.authorization
    ).toBeUndefined();
    fake.auth = { kind: 'bearer', realm: 'same', username: 'u', password: 'p' };
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'AUTH_REQUIRED'
    );
    expect(
      await codeOfAsync(
        resolveImage(
          `${fake.host}/${REPO}:v1`,
          opts({ credentials: creds(fake.host, 'u', 'wrong') })
        )
      )
    ).toBe('AUTH_FAILED');
  });

  it('Basic: no credentials is AUTH_REQUIRED (naming an unrun helper), wrong ones AUTH_FAILED', async () => {
    fake.auth = { kind: 'basic', username: 'u', password: 'p' };
    const withHelper = parseDockerConfig(
      JSON.stringify({ credHelpers: { [fake.host]: 'secretstore' } }),
      'c'
    );
    const err = await resolveImage(
      `${fake.host}/${REPO}:v1`,
      opts({ credentials: withHelper })
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'AUTH_REQUIRED', exitCode: 3 });
    expect((err as Error).message).toContain('docker-credential-secretstore');
    expect(
      await codeOfAsync(
        resolveImage(`${fake.host}/${REPO}:v1`, opts({ credentials: creds(fake.host, 'u', 'x') }))
      )
    ).toBe('AUTH_FAILED');
    // Credentials for another host are not offered.
    expect(
      await codeOfAsync(
        resolveImage(`${fake.host}/${REPO}:v1`, opts({ credentials: creds('127.0.0.1', 'u', 'p') }))
      )
    ).toBe('AUTH_REQUIRED');
  });

  it('uses https except for loopback and named insecure hosts, and refuses downgrade redirects', async () => {
    expect(new RegistryClient('registry.example.com').origin).toBe('https://registry.example.com');
    expect(
      new RegistryClient('registry.example.com:5000', {
        insecureHosts: ['registry.example.com:5000'],
      }).origin
    ).toBe('http://registry.example.com:5000');
    expect(new RegistryClient('localhost:5000').origin).toBe('http://localhost:5000');
    expect(new RegistryClient('docker.io').origin).toBe('https://registry-1.docker.io');
    fake.onRequest = (_req, res, url) => {
      if (!url.pathname.includes('/blobs/')) return false;
      res.writeHead(307, { location: 'http://storage.example.invalid/blob' }).end();
      return true;
    };
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'INSECURE_REFUSED'
    );
  });

  it('drops userinfo from a redirect target: it would become an Authorization header', async () => {
    fake.faults.redirectBlobs = true;
    fake.onRequest = (_req, res, url) => {
      if (!url.pathname.includes('/blobs/')) return false;
      const target = new URL(
        `${fake.other.url}/storage/${encodeURIComponent(REPO)}/${url.pathname.split('/').pop()!}`
      );
      target.username = 'planted';
      target.password = 'creds';
      res.writeHead(307, { location: target.href }).end();
      return true;
    };
    await resolveAndSpool(`${fake.host}/${REPO}:v1`);
    const storage = fake.other.requests.filter((r) => r.path.startsWith('/storage/'));
    expect(storage.length).toBeGreaterThanOrEqual(2);
    for (const r of storage) expect(r.headers.authorization).toBeUndefined();
  });

  it('stops following redirects after the limit', async () => {
    fake.onRequest = (_req, res, url) => {
      if (!url.pathname.includes('/manifests/')) return false;
      res.writeHead(302, { location: url.pathname }).end();
      return true;
    };
    expect(await codeOfAsync(resolveImage(`${fake.host}/${REPO}:v1`, opts()))).toBe(
      'TOO_MANY_REDIRECTS'
    );
  });
});

describe('fake registry: referrers API switch', () => {
  it('answers the referrers API only when it is on', async () => {
    const client = new RegistryClient(fake.host, { retry: FAST });
    try {
      const path = `/v2/${REPO}/referrers/${MANIFEST}`;
      const off = await client.request(REPO, 'GET', path);
      off.body.resume();
      expect(off.status).toBe(404);
      fake.referrersApi = true;
      const on = await client.request(REPO, 'GET', path);
      on.body.resume();
      expect(on.status).toBe(200);
      expect(on.headers['content-type']).toBe(MT.ociIndex);
    } finally {
      client.close();
    }
  });
});
