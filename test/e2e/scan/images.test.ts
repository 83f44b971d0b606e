import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeScans } from '../../../src/pipeline/merge-scans.js';
import { renderScanText } from '../../../src/report/scan-text.js';
import type { ScanResult } from '../../../src/scan/result.js';
import { runCli } from '../helpers/cli.js';
import { startHarness, type Harness } from './estate.js';
import {
  ALPINE,
  ALPINE_DIGEST,
  AMD64,
  ARM64,
  ecr,
  fn,
  HOME,
  IMAGE_ESTATE,
  MULTI,
  VENDOR,
} from './image-estate.js';

const IMAGE_FUNCTIONS = [
  fn('eu-west-1', 'web'),
  ...['archived', 'bad-sha', 'vendor-denied', 'vendor-ok', 'web', 'worker', 'wrong-arch'].map((n) =>
    fn('us-east-1', n)
  ),
  fn('us-east-1', 'web', '1'),
].sort();

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function manifestGets(harness: Harness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of harness.endpoint.log)
    // Every request, 401s included: the token goes with the first one.
    if (r.service === 'registry' && r.op === 'GetManifest' && r.ref) {
      const digest = r.ref.slice(r.ref.indexOf('@') + 1);
      counts.set(digest, (counts.get(digest) ?? 0) + 1);
    }
  return counts;
}

describe('lamina scan: image functions', () => {
  it('inventories every image function or lists it as failed, reading each digest once', async () => {
    h = await startHarness(IMAGE_ESTATE);
    const { result, stats } = await h.scan();
    const images = result.functions.filter((f) => f.packageType === 'Image');
    expect(images.map((f) => f.arn).sort()).toEqual(IMAGE_FUNCTIONS);
    // An image function has no Handler setting: scan.json says nothing of one.
    expect(images.filter((f) => 'handler' in f)).toEqual([]);
    const byArn = new Map(images.map((f) => [f.arn, f.image]));
    expect(byArn.get(fn('us-east-1', 'web'))?.digest).toBe(ALPINE_DIGEST);
    expect(byArn.get(fn('us-east-1', 'web', '1'))?.digest).toBe(AMD64);
    expect(byArn.get(fn('us-east-1', 'worker'))?.digest).toBe(ARM64);

    // Failed with their reasons, never skipped.
    expect(
      result.failures.map((f) => [f.subject, f.code]).filter(([s]) => IMAGE_FUNCTIONS.includes(s!))
    ).toEqual([
      [fn('us-east-1', 'archived'), 'IMAGE_ARCHIVED'],
      [fn('us-east-1', 'vendor-denied'), 'ACCESS_DENIED'],
    ]);

    // One manifest GET per distinct digest read; one token per registry.
    const gets = manifestGets(h);
    expect([...gets.values()].every((n) => n === 1)).toBe(true);
    expect([...gets.keys()].sort()).toEqual([ALPINE_DIGEST, AMD64, ARM64].sort());
    // One token per registry read from: each digest comes from the first repository (by name)
    // that serves it, here home eu-west-1 (Alpine) and home us-east-1 (amd64, arm64).
    expect(stats.tokenRequests).toBe(2);
    expect(stats.imagesRead).toBe(3);

    // --stats: what the endpoint saw is what the scan counted, and with no faults the floor.
    const seen = (service: string, op: string): number =>
      h!.endpoint.log.filter((r) => r.service === service && r.op === op).length;
    const im = stats.images!;
    expect(im.imageFunctions).toBe(IMAGE_FUNCTIONS.length);
    expect(stats.api.byOperation.get('GetFunctionCommand')).toBe(seen('lambda', 'GetFunction'));
    expect(seen('lambda', 'GetFunction')).toBe(im.imageFunctions);
    expect(seen('ecr', 'GetAuthorizationToken')).toBe(im.tokenRequests);
    expect(im.tokenFloor).toBe(2);
    const ecrCalls = ['DescribeRepositories', 'DescribeImages', 'BatchGetImage'].reduce(
      (n, op) => n + seen('ecr', op),
      0
    );
    // Five repositories asked for (the vendor's private one is denied), four listed in one page
    // each, one tagged index.
    expect(im.ecrFloor).toBe(5 + 4 + 1);
    expect(ecrCalls).toBe(im.ecrFloor);
    expect(seen('registry', 'GetManifest')).toBe(im.registry.manifests);
    expect(seen('registry', 'GetBlob')).toBe(im.registry.blobs);
    expect(im.registryFloor.manifests).toBe(3);
    expect(im.registry.manifests).toBe(im.registryFloor.manifests);
    // Three configs and the three images' distinct layers, each fetched once.
    expect(im.registryFloor.blobs).toBeGreaterThanOrEqual(6);
    expect(im.registry.blobs).toBe(im.registryFloor.blobs);

    const web = result.images?.find((r) => r.name === 'app/web' && r.region === 'us-east-1');
    expect(web?.tagMutability).toBe('MUTABLE');
    expect(web?.tags).toEqual([
      { tag: 'prod', digest: AMD64, pushedAt: '2024-03-01T00:00:00.000Z' },
    ]);
    expect(web?.newestDigest).toBe(AMD64);
    const alpine = web?.images.find((i) => i.digest === ALPINE_DIGEST);
    expect(alpine).toMatchObject({
      tags: [],
      pushOrder: 1,
      status: 'inventoried',
      architecture: 'amd64',
      usedBy: [fn('us-east-1', 'web'), fn('us-east-1', 'wrong-arch')],
    });
    expect(alpine?.packageCount).toBeGreaterThanOrEqual(15);
    const sbom = JSON.parse(
      await readFile(join(h.dir, 'out', alpine?.sbom ?? 'missing'), 'utf8')
    ) as { components: { name: string }[] };
    expect(sbom.components.map((c) => c.name)).toContain('musl');

    const kinds = (result.drift.images?.findings ?? []).map((f) => [
      f.kind,
      f.function?.split(':').slice(-2).join(':') ?? f.repository,
    ]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['tag-moved', 'web:$LATEST'],
        ['behind-newest', 'web:$LATEST'],
        ['mutable-tag-deploy', 'web:$LATEST'],
        ['architecture-mismatch', 'wrong-arch:$LATEST'],
        ['code-sha-mismatch', 'bad-sha:$LATEST'],
        ['image-archived', 'archived:$LATEST'],
        ['tag-differs-across-registries', `${ecr(HOME, 'eu-west-1')}/app/web`],
      ])
    );
    // Not flagged: deployed after the move, by an immutable tag, or with matching architecture.
    expect(kinds).not.toContainEqual(['tag-moved', 'web:1']);
    expect(kinds).not.toContainEqual(['mutable-tag-deploy', 'worker:$LATEST']);
    expect(kinds).not.toContainEqual(['tag-moved', 'worker:$LATEST']);
    expect(kinds).not.toContainEqual(['behind-newest', 'worker:$LATEST']);
    expect(kinds).not.toContainEqual(['architecture-mismatch', 'worker:$LATEST']);
    expect(result.drift.images?.sharedDigests).toContainEqual({
      digest: AMD64,
      functions: [
        fn('us-east-1', 'bad-sha'),
        fn('us-east-1', 'vendor-denied'),
        fn('us-east-1', 'web', '1'),
      ],
    });

    const text = renderScanText(result);
    expect(text).toContain('Images');
    expect(text).toContain('tag prod now names');
  });

  it('writes the same scan.json under throttling, 5xx, an expired token and a truncated blob', async () => {
    h = await startHarness(IMAGE_ESTATE);
    await h.scan({ outDir: join(h.dir, 'clean'), cacheDir: join(h.dir, 'clean-cache') });
    const clean = await readFile(join(h.dir, 'clean', 'scan.json'), 'utf8');
    await h.close();
    h = await startHarness(IMAGE_ESTATE, {
      faults:
        // Blob requests 2 and 3 are truncated when they get that far (a random 5xx may answer first).
        'throttle=0.2,5xx=0.2,expired@GetAuthorizationToken#1=1,truncate@GetBlob#2=1,truncate@GetBlob#3=1,truncate@GetBlob=0.2,seed=11',
    });
    const many = { attempts: 12, baseMs: 1, capMs: 5 };
    await h.scan({
      outDir: join(h.dir, 'faulted'),
      cacheDir: join(h.dir, 'faulted-cache'),
      retry: { api: many, download: many },
    });
    const faulted = await readFile(join(h.dir, 'faulted', 'scan.json'), 'utf8');
    const log = h.endpoint.log;
    expect(log.some((r) => r.fault === 'expired')).toBe(true);
    expect(log.some((r) => r.service === 'registry' && r.fault === 'truncate')).toBe(true);
    expect(log.some((r) => r.service === 'ecr' && r.fault === 'throttle')).toBe(true);
    expect(log.some((r) => r.service === 'registry' && r.fault === '5xx')).toBe(true);
    expect(faulted).toBe(clean);
    expect(JSON.parse(faulted) as ScanResult).toMatchObject({ schemaVersion: 1 });
  });

  it('sharded scans of image functions merged equal one unsharded scan, byte for byte', async () => {
    // And a replica archived in eu-west-1 of an image us-east-1 still serves: one scan reads it
    // there, where eu-west-1's shard alone could not read it at all.
    const replica = `            - name: app/web
              images:
                - { layout: '${MULTI}', ref: amd64, tags: [old], pushedAt: '2023-12-01T00:00:00Z', status: ARCHIVED }
                - { layout: '${ALPINE}', tags: [prod], pushedAt: '2024-01-01T00:00:00Z' }
        functions:
          - name: replica
            packageType: Image
            imageUri: ${ecr(HOME, 'eu-west-1')}/app/web@${AMD64}
`;
    const estate = IMAGE_ESTATE.replace(
      `            - name: app/web
              images:
                - { layout: '${ALPINE}', tags: [prod], pushedAt: '2024-01-01T00:00:00Z' }
        functions:
`,
      replica
    );
    expect(estate).not.toBe(IMAGE_ESTATE);
    h = await startHarness(estate);
    const out = (name: string) => ({
      outDir: join(h!.dir, name),
      cacheDir: join(h!.dir, `${name}-cache`),
    });
    await h.scan(out('whole'));
    // Two (account, region) pairs: us-east-1 with most image functions, eu-west-1 with one.
    for (const index of [1, 2])
      await h.scan({ ...out(`shard${index}`), shard: { index, count: 2 } });
    await mergeScans({
      shardDirs: [join(h.dir, 'shard1'), join(h.dir, 'shard2')],
      outDir: join(h.dir, 'merged'),
    });
    const files = async (dir: string): Promise<Map<string, Buffer>> => {
      const got = new Map([['scan.json', await readFile(join(dir, 'scan.json'))]]);
      for (const f of (await readdir(join(dir, 'sboms'))).sort())
        got.set(f, await readFile(join(dir, 'sboms', f)));
      return got;
    };
    const want = await files(join(h.dir, 'whole'));
    const got = await files(join(h.dir, 'merged'));
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [path, bytes] of want) expect(got.get(path)?.equals(bytes), path).toBe(true);
    const whole = JSON.parse(want.get('scan.json')!.toString('utf8')) as ScanResult;
    // Each image function once among the images' users (a repository it could not read too).
    expect(whole.images?.flatMap((r) => r.images.flatMap((i) => i.usedBy)).sort()).toEqual(
      [...IMAGE_FUNCTIONS, fn('eu-west-1', 'replica')].sort()
    );
    // Read from us-east-1's app/web for every repository that has it, the archived one too.
    const amd64 = whole.images!.flatMap((r) => r.images.filter((i) => i.digest === AMD64));
    expect(amd64.map((i) => [i.status, i.imageStatus])).toContainEqual(['inventoried', 'ARCHIVED']);
    expect(new Set(amd64.map((i) => i.status))).toEqual(new Set(['inventoried']));
    // The Alpine image runs in both regions: one scan named its SBOM after the first repository
    // by name, eu-west-1's, where each shard read it from its own.
    expect(want.get(`${ALPINE_DIGEST.slice('sha256:'.length)}.cdx.json`)?.toString()).toContain(
      '"name": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/app/web"'
    );
  });

  it("reads another account's repository as its owner where the scan covers that account", async () => {
    // The vendor's private repository is not shared with the home account (pull or listing): a
    // scan that also assumes a role in the vendor's account reads it as the vendor.
    const estate = IMAGE_ESTATE.replace(
      `    accessKeys: [{ accessKeyId: AKIAIMAGEVENDOR00001, secretAccessKey: vendor }]
`,
      `    accessKeys: [{ accessKeyId: AKIAIMAGEVENDOR00001, secretAccessKey: vendor }]
    roles:
      - name: Audit
        trustedAccounts: ['${HOME}']
`
    );
    expect(estate).not.toBe(IMAGE_ESTATE);
    h = await startHarness(estate);
    const { result } = await h.scan({
      roleArns: [`arn:aws:iam::${VENDOR}:role/Audit`],
      outDir: join(h.dir, 'both'),
    });
    expect(result.scope.accounts).toEqual([HOME, VENDOR]);
    const failed = result.failures.map((f) => [f.subject, f.code]);
    expect(failed).toContainEqual([fn('us-east-1', 'archived'), 'IMAGE_ARCHIVED']);
    expect(failed.filter(([s]) => s === fn('us-east-1', 'vendor-denied'))).toEqual([]);
    const priv = result.images?.find(
      (r) => r.registry === ecr(VENDOR, 'us-east-1') && r.name === 'private'
    );
    expect(priv?.images.map((i) => [i.digest, i.status, i.usedBy])).toEqual([
      [AMD64, 'inventoried', [fn('us-east-1', 'vendor-denied')]],
    ]);
    // Described and pulled as the vendor: nothing was refused, the home account never asked.
    const asked = (account: string): number =>
      h!.endpoint.log.filter((r) => r.service === 'ecr' && r.account === account).length;
    expect(asked(VENDOR)).toBeGreaterThan(0);
    expect(h.endpoint.log.filter((r) => r.status === 403 || r.status === 400)).toEqual([]);

    // Each shard reads it as the vendor too: merged, the shards are the one scan.
    for (const index of [1, 2])
      await h.scan({
        roleArns: [`arn:aws:iam::${VENDOR}:role/Audit`],
        outDir: join(h.dir, `shard${index}`),
        shard: { index, count: 2 },
      });
    await mergeScans({
      shardDirs: [join(h.dir, 'shard1'), join(h.dir, 'shard2')],
      outDir: join(h.dir, 'merged'),
    });
    expect(await readFile(join(h.dir, 'merged', 'scan.json'), 'utf8')).toBe(
      await readFile(join(h.dir, 'both', 'scan.json'), 'utf8')
    );
  });

  it('the command lists image failures and exits 3', async () => {
    h = await startHarness(IMAGE_ESTATE);
    const c = await runCli([
      'scan',
      '--endpoint-url',
      h.endpoint.url,
      '--region',
      'us-east-1',
      '--out',
      join(h.dir, 'cli'),
      '--cache-dir',
      join(h.dir, 'cli-cache'),
      '--stats',
    ]);
    expect(c.code).toBe(3);
    // us-east-1 only: eight image function versions, the Alpine image from app/web this time.
    expect(c.stderr).toMatch(
      /images: 8 image functions, 3 images read; GetFunction 8 \(floor 8\), GetAuthorizationToken 1 \(floor 1\)/
    );
    expect(c.stderr).toMatch(/registry: manifest GETs 3 \(floor 3\), blob GETs (\d+) \(floor \1\)/);
    expect(c.stdout).toContain('IMAGE_ARCHIVED');
    expect(c.stdout).toContain('ACCESS_DENIED');
    expect(c.stdout).toContain('architecture-mismatch');
  });
});
