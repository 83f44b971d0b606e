import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../../src/scan/result.js';
import { SCAN_ESTATE, startHarness, type Harness } from './estate.js';

const HOME = '111111111111';
const lv = (region: string, owner: string, name: string, v: number): string =>
  `arn:aws:lambda:${region}:${owner}:layer:${name}:${v}`;

let harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses) await h.close();
  harnesses = [];
});
async function harness(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const h = await startHarness(...args);
  harnesses.push(h);
  return h;
}

const ops = (h: Harness, op: string): number => h.endpoint.log.filter((r) => r.op === op).length;
const content = (h: Harness): number =>
  h.endpoint.log.filter((r) => r.service === 'content').length;
const versionsOf = (r: ScanResult) => r.layers.flatMap((l) => l.versions);

describe('lamina scan at the API floor', () => {
  it('reads code signing configs from the listings, not per function', async () => {
    const h = await harness(SCAN_ESTATE);
    const { result, stats } = await h.scan();
    expect(ops(h, 'GetFunctionCodeSigningConfig')).toBe(0);
    expect(ops(h, 'GetCodeSigningConfig')).toBe(0);
    expect(ops(h, 'ListCodeSigningConfigs')).toBe(2); // one per region
    expect(result.functions.find((f) => f.name === 'api')!.codeSigningConfig).toEqual({
      arn: `arn:aws:lambda:us-east-1:${HOME}:code-signing-config:csc-0a1b2c3d4e5f6a7b8`,
      allowedPublishers: ['arn:aws:signer:us-east-1:111111111111:/signing-profiles/P/V1'],
      policy: 'Enforce',
    });
    const withCsc = result.functions.filter((f) => f.codeSigningConfig).map((f) => f.name);
    expect(withCsc).toEqual(['api']);
    // Without faults every request is one the scan needed: the floor is met exactly.
    expect(stats.cost.codeSigningFallbacks).toBe(0);
    expect(stats.api.requests).toBe(stats.apiFloor);
    expect(stats.cost.described).toBe(versionsOf(result).length);
  });

  it('falls back to one call per function when the listings fail, with the same result', async () => {
    const plain = await harness(SCAN_ESTATE);
    const want = await readFile((await plain.scan()).resultPath);
    const h = await harness(SCAN_ESTATE, { faults: '5xx@ListCodeSigningConfigs=1' });
    const { stats, resultPath } = await h.scan();
    expect(stats.cost.codeSigningFallbacks).toBe(2);
    expect(ops(h, 'GetFunctionCodeSigningConfig')).toBeGreaterThanOrEqual(9);
    expect(ops(h, 'GetCodeSigningConfig')).toBe(1);
    expect(await readFile(resultPath)).toEqual(want);
    expect(stats.api.requests).toBeGreaterThan(stats.apiFloor);
  });
});

describe('lamina scan within quotas', () => {
  it.each([
    ['under 20 % throttling and 5xx', 'throttle=0.2,5xx=0.2,seed=14', { targetConcurrency: 2 }],
    ['when Lambda throttles above 4 calls per second', 'rate=4', { concurrency: 8 }],
  ])('finishes with the same result %s, and reports the throttling', async (_, faults, options) => {
    const plain = await harness(SCAN_ESTATE);
    const want = await readFile((await plain.scan()).resultPath);
    const h = await harness(SCAN_ESTATE, { faults });
    const { stats, resultPath } = await h.scan(options);
    expect(await readFile(resultPath)).toEqual(want);
    const throttled = h.endpoint.log.filter(
      (r) => r.service !== 'content' && r.fault === 'throttle'
    );
    expect(throttled.length).toBeGreaterThan(0);
    expect(stats.api.throttled).toBe(throttled.length);
    expect(stats.api.requests).toBeGreaterThan(stats.apiFloor);
  });
});

describe('lamina re-scan', () => {
  it('reuses recorded layer versions and SBOMs: list calls only for what its owner lists', async () => {
    const h = await harness(SCAN_ESTATE);
    const cold = await h.scan();
    const coldJson = await readFile(cold.resultPath);
    const coldSboms = new Map<string, string>();
    const inodes = new Map<string, number>();
    for (const v of versionsOf(cold.result))
      if (v.sbom) {
        coldSboms.set(v.sbom, await readFile(join(h.dir, 'out', v.sbom), 'utf8'));
        inodes.set(v.sbom, (await stat(join(h.dir, 'out', v.sbom))).ino);
      }
    const describedCold = ops(h, 'GetLayerVersionByArn');
    const contentCold = content(h);

    const warm = await h.scan();
    expect(await readFile(warm.resultPath)).toEqual(coldJson);
    for (const [path, text] of coldSboms)
      expect(await readFile(join(h.dir, 'out', path), 'utf8')).toBe(text);
    // Into the same directory: the SBOMs it holds already are left as they are, not written again.
    for (const [path, ino] of inodes) expect((await stat(join(h.dir, 'out', path))).ino).toBe(ino);
    // Only versions no listing shows are described again: the deleted shared:4 and the
    // vendor's two (another account); the five listed ones come from the records.
    const listed = versionsOf(cold.result).filter((v) => v.listed).length;
    expect(listed).toBe(5);
    expect(warm.stats.cost.reused).toBe(listed);
    expect(warm.stats.cost.described).toBe(3);
    expect(ops(h, 'GetLayerVersionByArn') - describedCold).toBe(3);
    expect(content(h)).toBe(contentCold);
    expect(warm.stats).toMatchObject({ downloads: 0, inventoried: 0, sbomsReused: 6 });
    expect(warm.stats.api.requests).toBe(warm.stats.apiFloor);
    expect(warm.stats.api.requests).toBeLessThan(cold.stats.api.requests);
  });

  it('describes a version again when its CreatedDate differs from the record', async () => {
    const first = await harness(SCAN_ESTATE);
    const cacheDir = join(first.dir, 'cache');
    await first.scan();
    const recreated = SCAN_ESTATE.replace(
      `'{"name":"left-pad","version":"1.3.0","license":"MIT"}' } }`,
      `'{"name":"left-pad","version":"1.4.0","license":"MIT"}' } }\n                createdDate: '2026-02-03T04:05:06Z'`
    );
    expect(recreated).not.toBe(SCAN_ESTATE);
    const second = await harness(recreated);
    const { result, stats } = await second.scan({ cacheDir });
    expect(stats.cost.reused).toBe(4);
    const v3 = versionsOf(result).find((v) => v.arn === lv('us-east-1', HOME, 'shared', 3))!;
    expect(v3.status).toBe('inventoried');
    const sbom = await readFile(join(second.dir, 'out', v3.sbom!), 'utf8');
    expect(sbom).toContain('pkg:npm/left-pad@1.4.0');
    expect(stats.downloads).toBe(1);
  });

  it('ignores damaged records and SBOMs, and reuses nothing when asked not to', async () => {
    const h = await harness(SCAN_ESTATE);
    const cold = await h.scan();
    const coldJson = await readFile(cold.resultPath);
    await writeFile(join(h.dir, 'cache', 'scan', 'layer-versions.json'), '{"format":1,');
    const sbomDir = join(h.dir, 'cache', 'scan', 'sboms');
    const { readdir } = await import('node:fs/promises');
    const [victim, other] = (await readdir(sbomDir)).filter((f) => f.endsWith('.cdx.json')).sort();
    const output = (copy: string): string =>
      join(h.dir, 'out', 'sboms', `${copy.slice(0, 64)}.cdx.json`);
    const otherBytes = await readFile(output(other!));
    // The victim's cached copy and its output changed: nothing holds its SBOM any more. The
    // other's output changed, its copy did not: written back from the copy.
    await writeFile(join(sbomDir, victim!), '{"bomFormat":"CycloneDX","components":[]}');
    await writeFile(output(victim!), 'edited');
    await writeFile(output(other!), 'edited');

    const again = await h.scan();
    expect(again.stats.cost.reused).toBe(0);
    expect(again.stats).toMatchObject({ inventoried: 1, sbomsReused: 5 });
    expect(await readFile(again.resultPath)).toEqual(coldJson);
    expect(await readFile(output(other!))).toEqual(otherBytes);

    // A damaged SBOM index: every SBOM made again, from the cached zips.
    await writeFile(join(h.dir, 'cache', 'scan', 'sboms.jsonl'), '{"format":1,');
    const unindexed = await h.scan();
    expect(unindexed.stats).toMatchObject({ downloads: 0, sbomsReused: 0, inventoried: 6 });
    expect(await readFile(unindexed.resultPath)).toEqual(coldJson);

    const fresh = await h.scan({ reuse: false });
    expect(fresh.stats).toMatchObject({ sbomsReused: 0, inventoried: 6 });
    expect(fresh.stats.cost.reused).toBe(0);
    expect(await readFile(fresh.resultPath)).toEqual(coldJson);
  });

  it('is whole when the cache cannot keep what it made, and says what was not kept', async () => {
    const h = await harness(SCAN_ESTATE);
    const clean = await h.scan({ outDir: join(h.dir, 'clean') });
    // Where the SBOMs would be kept, a file; where the package drift would go, a directory.
    const cacheDir = join(h.dir, 'broken-cache');
    await mkdir(join(cacheDir, 'scan', 'package-drift.jsonl', 'x'), { recursive: true });
    await writeFile(join(cacheDir, 'scan', 'sboms'), 'not a directory');
    const broken = await h.scan({ cacheDir, outDir: join(h.dir, 'broken') });
    expect(await readFile(broken.resultPath)).toEqual(await readFile(clean.resultPath));
    expect(broken.stats.inventoried).toBe(6);
    // The first failure is said; the SBOMs after it are not tried.
    expect(broken.stats.cacheWarning).toMatch(/^could not keep the SBOMs for the next scan \(/);
    expect(clean.stats.cacheWarning).toBeUndefined();
    const again = await h.scan({ cacheDir, outDir: join(h.dir, 'broken') });
    expect(again.stats).toMatchObject({ sbomsReused: 0, inventoried: 6, downloads: 0 });
    expect(await readFile(again.resultPath)).toEqual(await readFile(clean.resultPath));
  });

  it('describes a recorded version again when its zip and SBOM are gone, for a fresh URL', async () => {
    const h = await harness(SCAN_ESTATE);
    const cold = await h.scan();
    const coldJson = await readFile(cold.resultPath);
    const { rm } = await import('node:fs/promises');
    await rm(join(h.dir, 'cache', 'sha256'), { recursive: true });
    await rm(join(h.dir, 'cache', 'scan', 'sboms'), { recursive: true });
    // Nor does the output hold them (it would: an SBOM is known from its file's digest).
    await rm(join(h.dir, 'out', 'sboms'), { recursive: true });
    const again = await h.scan();
    expect(again.stats.cost.reused).toBe(5);
    // Five listed versions have five distinct zips: each needs a URL, so each is described.
    expect(again.stats.cost.described).toBe(3 + 5);
    expect(again.stats).toMatchObject({ downloads: 6, inventoried: 6, sbomsReused: 0 });
    expect(await readFile(again.resultPath)).toEqual(coldJson);
  });
});

/**
 * One account, two Regions; `layers` layers of one version each per Region, the same zip in
 * both Regions (so one digest has two ARNs), and a function using each.
 */
function pipelineEstate(layers: number): string {
  const region = (name: string): string[] => [
    `      ${name}:`,
    '        layers:',
    ...Array.from({ length: layers }, (_, l) => [
      `          - name: lib-${String(l).padStart(2, '0')}`,
      '            versions:',
      `              - generate: { files: { 'nodejs/node_modules/lib-${l}/package.json': '{"name":"lib-${l}","version":"1.0.0"}' } }`,
    ]).flat(),
    '        functions:',
    ...Array.from({ length: layers }, (_, l) => {
      const name = `lib-${String(l).padStart(2, '0')}`;
      return `          - { name: fn-${l}, layers: ['${name}:1'] }`;
    }),
  ];
  return [
    `homeAccount: '${HOME}'`,
    'accounts:',
    `  '${HOME}':`,
    '    accessKeys:',
    '      - { accessKeyId: AKIAPIPE000000000001, secretAccessKey: pipe-secret }',
    '    regions:',
    ...region('us-west-2'),
    ...region('eu-west-1'),
  ].join('\n');
}

describe('lamina scan --prune-cache', () => {
  const UNUSED = `          - name: unused
            versions:
              - generate: { files: { python/x.py: 'x = 1' } }
`;

  it('removes what the scan did not use, and a re-scan still reuses everything else', async () => {
    const first = await harness(SCAN_ESTATE);
    const cacheDir = join(first.dir, 'cache');
    const cold = await first.scan();
    const unusedArn = lv('us-east-1', HOME, 'unused', 1);
    const unusedHex = versionsOf(cold.result)
      .find((v) => v.arn === unusedArn)!
      .digest!.slice('sha256:'.length);
    const zips = join(cacheDir, 'sha256');
    const unusedZip = (await stat(join(zips, `${unusedHex}.zip`))).size;
    // What is not the cache's own is left, and a link is removed without following it.
    const outside = join(first.dir, 'outside.txt');
    await writeFile(outside, 'not in the cache');
    await writeFile(join(zips, 'notes.txt'), 'mine');
    await symlink(outside, join(zips, `${'ee'.repeat(32)}.zip`));

    // The layer no longer exists: its zip, its SBOM and its record are not used any more.
    expect(SCAN_ESTATE).toContain(UNUSED);
    const second = await harness(SCAN_ESTATE.replace(UNUSED, ''));
    const pruned = await second.scan({ cacheDir, pruneCache: true });
    const sbomCopy = (await readdir(join(cacheDir, 'scan', 'sboms'))).length;
    expect(pruned.stats.cachePrune).toEqual({
      removed: { files: 3, bytes: expect.any(Number) as number },
    });
    const removed = (pruned.stats.cachePrune as { removed: { bytes: number } }).removed;
    expect(removed.bytes).toBeGreaterThan(unusedZip);
    expect(await readdir(zips)).not.toContain(`${unusedHex}.zip`);
    expect(await readdir(zips)).toContain('notes.txt');
    expect(await readFile(outside, 'utf8')).toBe('not in the cache');
    const records = await readFile(join(cacheDir, 'scan', 'layer-versions.json'), 'utf8');
    expect(records).not.toContain(unusedArn);
    // One SBOM kept per zip the scan inventoried or reused, each in the index.
    const sboms = versionsOf(pruned.result).filter((v) => v.sbom).length;
    expect(sbomCopy).toBe(sboms);
    const index = (await readFile(join(cacheDir, 'scan', 'sboms.jsonl'), 'utf8')).trimEnd();
    expect(index.split('\n')).toHaveLength(1 + sboms);

    const again = await second.scan({ cacheDir });
    expect(again.stats).toMatchObject({ downloads: 0, inventoried: 0, sbomsReused: sboms });
    expect(again.stats.cost.reused).toBe(4);
    expect(await readFile(again.resultPath)).toEqual(await readFile(pruned.resultPath));
    expect(again.stats.cachePrune).toBeUndefined();
  });

  it('removes nothing when an account could not be listed, and refuses a shard and --no-reuse', async () => {
    const h = await harness(SCAN_ESTATE);
    const cacheDir = join(h.dir, 'cache');
    await h.scan();
    const before = (await readdir(join(cacheDir, 'sha256'))).sort();
    const failing = await h.scan({
      cacheDir,
      pruneCache: true,
      roleArns: ['arn:aws:iam::333333333333:role/Nobody'],
    });
    expect(failing.result.failures.map((f) => f.scope)).toContain('account');
    expect(failing.stats.cachePrune).toEqual({
      skipped: expect.stringContaining('could not be listed') as string,
    });
    expect((await readdir(join(cacheDir, 'sha256'))).sort()).toEqual(before);
    await expect(
      h.scan({ cacheDir, pruneCache: true, shard: { index: 1, count: 2 } })
    ).rejects.toThrow(/not for a shard/);
    await expect(h.scan({ cacheDir, pruneCache: true, reuse: false })).rejects.toThrow(
      /not for --no-reuse/
    );
    expect((await readdir(join(cacheDir, 'sha256'))).sort()).toEqual(before);
  });
});

describe('lamina scan pipelined with the listing', () => {
  it('starts downloads while layer versions are still being listed, with the same result whatever the timing', async () => {
    const h = await harness(pipelineEstate(12));
    // One call at a time and one Region at a time: the listing's order is fixed, so a
    // download before the last ListLayerVersions can only come from the pipelining.
    const serial = await h.scan({
      regions: ['us-west-2', 'eu-west-1'],
      concurrency: 1,
      targetConcurrency: 1,
      reuse: false,
    });
    const log = h.endpoint.log;
    const firstDownload = log.findIndex((r) => r.service === 'content');
    const lastListing = log.map((r) => r.op).lastIndexOf('ListLayerVersions');
    expect(firstDownload).toBeGreaterThan(-1);
    expect(firstDownload).toBeLessThan(lastListing);
    // us-west-2 is listed first, so each zip is first inventoried under its us-west-2 ARN;
    // the SBOM keeps the smallest ARN (eu-west-1), as a scan that waited would name it.
    const v = versionsOf(serial.result).find((x) => x.arn === lv('us-west-2', HOME, 'lib-00', 1))!;
    const sbom = JSON.parse(await readFile(join(h.dir, 'out', v.sbom!), 'utf8')) as {
      metadata: { component: { name: string } };
    };
    expect(sbom.metadata.component.name).toBe(lv('eu-west-1', HOME, 'lib-00', 1));
    expect(serial.stats.downloads).toBe(12);
    // One description per layer version: the zips the eu-west-1 ARNs name again come from the
    // cache, not from describing those versions a second time for a download URL.
    const described = log.filter((r) => r.op?.startsWith('GetLayerVersion')).length;
    expect(described).toBe(24);
    const want = await readFile(serial.resultPath);
    const sbomText = await readFile(join(h.dir, 'out', v.sbom!));

    // Regions the other way round, wide concurrency and random latency: same bytes.
    const loose = await harness(pipelineEstate(12), { faults: 'latency=0-20,seed=3' });
    const other = await loose.scan({
      regions: ['eu-west-1', 'us-west-2'],
      concurrency: 8,
      reuse: false,
    });
    expect(await readFile(other.resultPath)).toEqual(want);
    expect(await readFile(join(loose.dir, 'out', v.sbom!))).toEqual(sbomText);
    expect(other.stats.downloads).toBe(12);
  });
});
