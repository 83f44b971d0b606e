import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderScanText } from '../../../src/report/scan-text.js';
import type { ScanResult } from '../../../src/scan/result.js';
import { SCAN_ESTATE, startHarness, type Harness } from './estate.js';

const HOME = '111111111111';
const VENDOR = '222222222222';
const lv = (region: string, owner: string, name: string, v: number): string =>
  `arn:aws:lambda:${region}:${owner}:layer:${name}:${v}`;
const fn = (region: string, name: string): string =>
  `arn:aws:lambda:${region}:${HOME}:function:${name}:$LATEST`;

function allVersions(r: ScanResult) {
  return r.layers.flatMap((l) => l.versions);
}

/** Every function and layer version the estate defines that the home account can see. */
const EXPECTED_FUNCTIONS = ['api', 'old', 'gone', 'denied', 'plain', 'f01', 'f02', 'f03']
  .map((n) => fn('us-east-1', n))
  .concat(fn('eu-west-1', 'eu-api'));
const EXPECTED_VERSIONS = [
  lv('eu-west-1', HOME, 'shared', 1),
  ...[1, 2, 3, 4].map((v) => lv('us-east-1', HOME, 'shared', v)),
  lv('us-east-1', HOME, 'unused', 1),
  lv('us-east-1', VENDOR, 'vendor', 1),
  lv('us-east-1', VENDOR, 'vendor', 2),
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('lamina scan against the local endpoint', () => {
  it('enumerates across pages, inventories, and lists failures with reasons', async () => {
    h = await startHarness(SCAN_ESTATE);
    const { result, stats } = await h.scan();

    // Page size 2 over 8 functions in us-east-1: several ListFunctions pages.
    const listCalls = h.endpoint.log.filter((r) => r.op === 'ListFunctions');
    expect(listCalls.length).toBeGreaterThanOrEqual(5);
    expect(result.functions.map((f) => f.arn).sort()).toEqual([...EXPECTED_FUNCTIONS].sort());
    expect(
      allVersions(result)
        .map((v) => v.arn)
        .sort()
    ).toEqual([...EXPECTED_VERSIONS].sort());
    expect(result.scope).toEqual({ accounts: [HOME], regions: ['eu-west-1', 'us-east-1'] });

    const byArn = new Map(allVersions(result).map((v) => [v.arn, v]));
    expect(byArn.get(lv('us-east-1', HOME, 'shared', 4))).toMatchObject({
      status: 'failed',
      failure: { code: 'NOT_FOUND' },
      usedBy: [fn('us-east-1', 'gone')],
    });
    expect(byArn.get(lv('us-east-1', VENDOR, 'vendor', 2))).toMatchObject({
      status: 'failed',
      failure: { code: 'ACCESS_DENIED' },
    });
    expect(result.failures.map((f) => [f.subject, f.code])).toEqual([
      [lv('us-east-1', HOME, 'shared', 4), 'NOT_FOUND'],
      [lv('us-east-1', VENDOR, 'vendor', 2), 'ACCESS_DENIED'],
    ]);
    for (const f of result.failures) expect(f.reason).toContain('GetLayerVersionByArn');

    // Cross-account public layer: inventoried, with the real package in its SBOM.
    const vendor1 = byArn.get(lv('us-east-1', VENDOR, 'vendor', 1))!;
    expect(vendor1).toMatchObject({ status: 'inventoried', listed: false, packageCount: 1 });
    const sbom = JSON.parse(await readFile(join(h.dir, 'out', vendor1.sbom!), 'utf8')) as {
      components: { purl?: string }[];
    };
    expect(sbom.components.map((c) => c.purl)).toContain('pkg:npm/vendor-lib@2.0.0');
    expect(vendor1.sbom).toBe(`sboms/${vendor1.digest!.slice(7)}.cdx.json`);

    // Code signing config read through GetCodeSigningConfig.
    const api = result.functions.find((f) => f.name === 'api')!;
    expect(api.codeSigningConfig).toEqual({
      arn: expect.stringContaining('csc-0a1b2c3d4e5f6a7b8') as string,
      allowedPublishers: ['arn:aws:signer:us-east-1:111111111111:/signing-profiles/P/V1'],
      policy: 'Enforce',
    });
    expect(api.layers.map((l) => l.arn)).toEqual([
      lv('us-east-1', HOME, 'shared', 3),
      lv('us-east-1', VENDOR, 'vendor', 1),
    ]);
    expect(result.functions.find((f) => f.name === 'old')!.codeSigningConfig).toBeNull();

    // Drift: versions behind, and shared:1 differs between regions.
    const shared = result.drift.layers.find(
      (d) => d.name === 'shared' && d.region === 'us-east-1'
    )!;
    expect(shared.newestVersion).toBe(3);
    const behind = Object.fromEntries(
      shared.functions.map((f): [string, number] => [f.arn.split(':')[6] ?? '', f.behind])
    );
    expect(behind).toEqual({ api: 0, f01: 1, f02: 1, f03: 0, gone: 0, old: 2 });
    expect(result.drift.digestMismatches).toHaveLength(1);
    expect(result.drift.digestMismatches[0]).toMatchObject({ name: 'shared', version: 1 });
    expect(result.drift.digestMismatches[0]!.regions.map((r) => r.region)).toEqual([
      'eu-west-1',
      'us-east-1',
    ]);

    const text = renderScanText(result);
    expect(text).toMatch(/old\s+v1\s+sha256:\w{12}\s+2 behind/);
    expect(text).toMatch(/f01\s+v2\s+sha256:\w{12}\s+1 behind/);
    expect(text).toContain('! v1 differs across regions: eu-west-1 sha256:');
    expect(text).toMatch(/ACCESS_DENIED\s+layer-version .*vendor:2/);
    for (const line of text.split('\n').filter((l) => !l.startsWith('      ')))
      if (!line.includes('arn:')) expect(line.length).toBeLessThanOrEqual(100);

    expect(stats.downloads).toBe(6);
    expect(stats.cacheHits).toBe(0);
  });

  it('reuses the cache: a second run downloads nothing and writes the same scan.json', async () => {
    h = await startHarness(SCAN_ESTATE);
    const first = await h.scan();
    const firstJson = await readFile(first.resultPath);
    const contentBefore = h.endpoint.log.filter((r) => r.service === 'content').length;
    expect(contentBefore).toBe(6);

    const second = await h.scan();
    expect(h.endpoint.log.filter((r) => r.service === 'content').length).toBe(contentBefore);
    expect(second.stats).toMatchObject({ downloads: 0, cacheHits: 6, bytesDownloaded: 0 });
    expect(await readFile(second.resultPath)).toEqual(firstJson);
  });

  it('scans a region given twice once', async () => {
    h = await startHarness(SCAN_ESTATE);
    const once = await readFile((await h.scan()).resultPath);
    const twice = await h.scan({ regions: ['us-east-1', 'eu-west-1', 'us-east-1'] });
    expect(twice.result.functions.map((f) => f.arn).sort()).toEqual([...EXPECTED_FUNCTIONS].sort());
    expect(await readFile(twice.resultPath)).toEqual(once);
  });

  it('treats a corrupt cache entry as a miss and downloads it again', async () => {
    h = await startHarness(SCAN_ESTATE);
    await h.scan();
    const dir = join(h.dir, 'cache', 'sha256');
    const [victim] = (await readdir(dir)).sort();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, victim!), 'garbage');
    // Without reuse every zip is read again, so the damaged one is found.
    const again = await h.scan({ reuse: false });
    expect(again.stats).toMatchObject({ downloads: 1, cacheHits: 5 });
  });

  describe('a cache entry changed on disk, its size kept', () => {
    /** The first local header's modification time: a change the zip reader cannot see. */
    const LOCAL_MTIME = 10;

    /** Scan once, then flip one byte of the first cached zip; its path and digest. */
    async function tamperOne(
      where: (zip: Buffer) => number
    ): Promise<{ path: string; digest: string; before: Buffer }> {
      await h!.scan();
      const dir = join(h!.dir, 'cache', 'sha256');
      const [victim] = (await readdir(dir)).filter((f) => f.endsWith('.zip')).sort();
      const path = join(dir, victim!);
      const before = await readFile(path);
      const bytes = Buffer.from(before);
      const at = where(bytes);
      bytes[at] = bytes[at]! ^ 0xff;
      const { writeFile } = await import('node:fs/promises');
      await writeFile(path, bytes);
      return { path, digest: `sha256:${victim!.slice(0, -'.zip'.length)}`, before };
    }

    for (const [what, where] of [
      ['its end record (unreadable)', (zip: Buffer) => zip.length - 1],
      ['a modification time (still opens)', () => LOCAL_MTIME],
    ] as const) {
      it(`in ${what}: trusted by name until read, then fails its layer and is removed`, async () => {
        h = await startHarness(SCAN_ESTATE);
        const { path, digest, before } = await tamperOne(where);
        const again = await h.scan({ reuse: false });
        // Nothing hashed it on lookup: no download, and the open found the change.
        expect(again.stats).toMatchObject({ downloads: 0, cacheHits: 6 });
        const failedOnes = allVersions(again.result).filter((v) => v.digest === digest);
        expect(failedOnes.length).toBeGreaterThan(0);
        for (const v of failedOnes)
          expect(v).toMatchObject({ status: 'failed', failure: { code: 'CACHE_CHANGED' } });
        expect(again.result.failures.map((f) => f.code)).toContain('CACHE_CHANGED');
        await expect(readFile(path)).rejects.toMatchObject({ code: 'ENOENT' });
        // The next scan fetches it anew and reads it as the first scan did.
        const healed = await h.scan({ reuse: false });
        expect(healed.stats).toMatchObject({ downloads: 1, cacheHits: 5 });
        expect(await readFile(path)).toEqual(before);
        for (const v of allVersions(healed.result).filter((x) => x.digest === digest))
          expect(v.status).toBe('inventoried');
      });
    }

    it('is hashed on lookup and fetched again with --rehash-cache', async () => {
      h = await startHarness(SCAN_ESTATE);
      const { path, before } = await tamperOne(() => LOCAL_MTIME);
      const again = await h.scan({ reuse: false, rehashCache: true });
      expect(again.stats).toMatchObject({ downloads: 1, cacheHits: 5 });
      expect(again.result.failures.map((f) => f.code)).not.toContain('CACHE_CHANGED');
      expect(await readFile(path)).toEqual(before);
    });
  });

  it('scans another account through --role-arn', async () => {
    h = await startHarness(SCAN_ESTATE);
    const { result } = await h.scan({ roleArns: [`arn:aws:iam::${VENDOR}:role/Audit`] });
    expect(result.scope.accounts).toEqual([HOME, VENDOR]);
    const vendor2 = allVersions(result).find(
      (v) => v.arn === lv('us-east-1', VENDOR, 'vendor', 2)
    )!;
    // Listed and readable by its owner, although the home account may not read it.
    expect(vendor2).toMatchObject({ listed: true, status: 'inventoried' });
    expect(result.failures.map((f) => f.code)).toEqual(['NOT_FOUND']);
  });

  it('records a role that cannot be assumed as an account failure', async () => {
    h = await startHarness(SCAN_ESTATE);
    const { result } = await h.scan({ roleArns: [`arn:aws:iam::${VENDOR}:role/Nope`] });
    expect(result.scope.accounts).toEqual([HOME]);
    expect(result.failures).toContainEqual(
      expect.objectContaining({ scope: 'account', code: 'ACCESS_DENIED' })
    );
  });

  it('fails a layer whose bytes do not match CodeSha256 and caches nothing', async () => {
    h = await startHarness(SCAN_ESTATE, { faults: 'badsha=1' });
    const { result } = await h.scan();
    const fetched = allVersions(result).filter((v) => v.digest !== null);
    expect(fetched).toHaveLength(6);
    for (const v of fetched)
      expect(v).toMatchObject({ status: 'failed', failure: { code: 'BAD_DIGEST' } });
    const files = await readdir(join(h.dir, 'cache', 'sha256')).catch(() => []);
    expect(files).toEqual([]);
  });

  it('retries truncated bodies', async () => {
    h = await startHarness(SCAN_ESTATE, { faults: 'truncate=0.3,seed=3' });
    // Serial requests: the seeded faults then fall on the same requests every run.
    const { result, stats } = await h.scan({ concurrency: 1 });
    expect(h.endpoint.log.some((r) => r.fault === 'truncate')).toBe(true);
    expect(stats.contentRequests).toBeGreaterThan(6);
    expect(result.failures.map((f) => f.code).sort()).toEqual(['ACCESS_DENIED', 'NOT_FOUND']);
    // Exactly the verified zips: no partial file of a truncated attempt is left behind.
    const digests = allVersions(result).flatMap((v) => (v.digest ? [v.digest.slice(7)] : []));
    expect(digests).toHaveLength(6);
    expect((await readdir(join(h.dir, 'cache', 'sha256'))).sort()).toEqual(
      [...new Set(digests)].map((hex) => `${hex}.zip`).sort()
    );
  });

  it('gives up on a body that is always truncated, with TRUNCATED', async () => {
    h = await startHarness(SCAN_ESTATE, { faults: 'truncate=1' });
    const quick = { attempts: 3, baseMs: 1, capMs: 5 };
    const { result } = await h.scan({ retry: { api: quick, download: quick } });
    const fetched = allVersions(result).filter((v) => v.digest !== null);
    for (const v of fetched) expect(v.failure?.code).toBe('TRUNCATED');
    expect(await readdir(join(h.dir, 'cache', 'sha256'))).toEqual([]);
  });

  it('asks for a fresh URL when one has expired', async () => {
    h = await startHarness(SCAN_ESTATE, { faults: 'expired=0.5,seed=5' });
    const { result } = await h.scan({ concurrency: 1 });
    const expired = h.endpoint.log.filter((r) => r.service === 'content' && r.status === 403);
    expect(expired.length).toBeGreaterThan(0);
    // More GetLayerVersionByArn calls than distinct versions: the refreshes.
    expect(h.endpoint.log.filter((r) => r.op === 'GetLayerVersionByArn').length).toBeGreaterThan(8);
    expect(result.failures.map((f) => f.code).sort()).toEqual(['ACCESS_DENIED', 'NOT_FOUND']);
  });

  it('accounts for every function and layer version under throttling, 5xx, truncation and expiry', async () => {
    h = await startHarness(SCAN_ESTATE, {
      faults: 'throttle=0.2,5xx=0.2,truncate=0.2,expired=0.2,reset=0.05,seed=11',
    });
    // One request at a time makes the seeded faults fall on the same requests every run
    // (with parallel requests their order, and so who gets which fault, varies). About
    // half of all content requests fail here, so allow more attempts than the default.
    const patient = { attempts: 16, baseMs: 1, capMs: 10 };
    const { result } = await h.scan({ concurrency: 1, retry: { api: patient, download: patient } });
    expect(h.endpoint.log.filter((r) => r.fault !== undefined).length).toBeGreaterThan(5);
    expect(result.functions.map((f) => f.arn).sort()).toEqual([...EXPECTED_FUNCTIONS].sort());
    expect(
      allVersions(result)
        .map((v) => v.arn)
        .sort()
    ).toEqual([...EXPECTED_VERSIONS].sort());
    for (const v of allVersions(result)) {
      if (v.status === 'failed') expect(v.failure?.reason).toBeTruthy();
      else expect(v.sbom).toMatch(/^sboms\/[0-9a-f]{64}\.cdx\.json$/);
    }
    // Retries make the throttled run complete with only the estate's real failures.
    expect(result.failures.map((f) => f.code).sort()).toEqual(['ACCESS_DENIED', 'NOT_FOUND']);
  });

  it('sends no credentials to content URLs', async () => {
    h = await startHarness(SCAN_ESTATE);
    const seen: { origin: string; path: string; headers: string }[] = [];
    const onCreate = (msg: unknown): void => {
      const { request } = msg as {
        request: { origin: string; path: string; headers: string | string[] };
      };
      const headers = Array.isArray(request.headers) ? request.headers.join('\n') : request.headers;
      seen.push({ origin: String(request.origin), path: request.path, headers });
    };
    subscribe('undici:request:create', onCreate);
    try {
      await h.scan();
    } finally {
      unsubscribe('undici:request:create', onCreate);
    }
    const content = seen.filter((r) => r.path.startsWith('/_content/'));
    expect(content).toHaveLength(6);
    for (const r of content) {
      expect(r.headers.toLowerCase()).not.toContain('authorization');
      expect(r.headers.toLowerCase()).not.toContain('x-amz-security-token');
      expect(r.headers).not.toContain(h.endpoint.credentials.accessKeyId);
    }
  });
});
