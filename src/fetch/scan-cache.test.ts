import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { layerVersionRecord } from './aws/enumerate.js';
import { recordsChunks, ScanCache, type LayerVersionFacts } from './scan-cache.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

function listed(arn: string, createdDate: string, codeSha256: string) {
  const lv = layerVersionRecord(arn, undefined, true)!;
  lv.createdDate = createdDate;
  lv.content = {
    location: 'https://example.com/presigned',
    codeSha256,
    codeSize: 42,
    signingProfileVersionArn: undefined,
    signingJobArn: undefined,
  };
  return lv;
}

describe('ScanCache layer version records', () => {
  const arn = 'arn:aws:lambda:us-east-1:111111111111:layer:base:3';

  it('knows a saved record in the next scan only while CreatedDate is the same', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
    dirs.push(root);
    const first = await ScanCache.open(root);
    first.remember(listed(arn, '2026-11-01T00:00:00.000+0000', 'AAAA'));
    await first.save();
    const next = await ScanCache.open(root);
    const same = listed(arn, '2026-11-01T00:00:00.000+0000', 'ignored');
    same.content = undefined;
    expect(next.known(same)).toMatchObject({ codeSha256: 'AAAA', codeSize: 42, location: '' });
    const recreated = { ...same, createdDate: '2026-11-02T00:00:00.000+0000' };
    expect(next.known(recreated)).toBeUndefined();
  });

  it('forgets its records after the last save without ever writing the emptied map', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
    dirs.push(root);
    const cache = await ScanCache.open(root);
    const lv = listed(arn, '2026-11-01T00:00:00.000+0000', 'AAAA');
    cache.remember(lv);
    await cache.save();
    const written = await readFile(join(root, 'scan', 'layer-versions.json'), 'utf8');
    cache.forget();
    expect(cache.known(lv)).toBeUndefined();
    cache.remember(listed(`${arn.slice(0, -1)}4`, '2026-11-03T00:00:00.000+0000', 'BBBB'));
    await cache.save();
    expect(await readFile(join(root, 'scan', 'layer-versions.json'), 'utf8')).toBe(written);
    expect(written).toContain('AAAA');
  });
});

describe('ScanCache derived results', () => {
  const read = (cache: ScanCache, key: string): string[] | undefined => {
    const lines: string[] = [];
    return cache.readDerived('thing', key, (line) => void lines.push(line)) ? lines : undefined;
  };

  it('reads back the lines kept under the same key only; another key or none is a miss', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
    dirs.push(root);
    const cache = await ScanCache.open(root);
    expect(read(cache, 'k1')).toBeUndefined();
    const lines = ['["a",1]', '', '"\u2028é"', '{"b":[2]}'];
    await cache.writeDerived('thing', 'k1', lines);
    expect(read(cache, 'k1')).toEqual(lines);
    expect(read(cache, 'k2')).toBeUndefined();
    // Kept anew under another key: the old one is gone.
    await cache.writeDerived('thing', 'k2', ['x']);
    expect(read(cache, 'k2')).toEqual(['x']);
    expect(read(cache, 'k1')).toBeUndefined();
    // Another name is another file.
    expect(cache.readDerived('other', 'k2', () => undefined)).toBe(false);
  });

  it('is a miss when the reader refuses a line, or the file is damaged', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
    dirs.push(root);
    const cache = await ScanCache.open(root);
    await cache.writeDerived('thing', 'k', ['good', 'bad', 'good']);
    expect(
      cache.readDerived('thing', 'k', (line) => {
        if (line === 'bad') throw new Error('refused');
      })
    ).toBe(false);
    const path = join(root, 'scan', 'thing.jsonl');
    await writeFile(path, 'not a header\ngood\n');
    expect(read(cache, 'k')).toBeUndefined();
  });
});

describe('recordsChunks', () => {
  it('writes what JSON.stringify of the whole document writes, piece by piece', () => {
    const facts = (n: number, extra: Partial<LayerVersionFacts> = {}): LayerVersionFacts => ({
      createdDate: `2026-11-0${n}T00:00:00.000+0000`,
      codeSha256: `${'A'.repeat(42)}${n}=`,
      codeSize: n,
      ...extra,
    });
    const sorted: [string, LayerVersionFacts][] = [
      ['__proto__', facts(1)],
      ['arn:aws:lambda:us-east-1:111111111111:layer:a"b\\c:1', facts(2)],
      [
        'arn:aws:lambda:us-east-1:111111111111:layer:\u2028\u00e9\ud83d\ude00:2',
        facts(3, { signingProfileVersionArn: 'arn:p\n', signingJobArn: 'arn:j' }),
      ],
    ];
    const pieces = [...recordsChunks(sorted)];
    expect(pieces.length).toBe(sorted.length + 2);
    const text = pieces.join('');
    expect(text).toBe(
      JSON.stringify({ format: 1, layerVersions: Object.fromEntries(sorted) }) + '\n'
    );
    const doc = JSON.parse(text) as { layerVersions: Record<string, LayerVersionFacts> };
    expect(Object.entries(doc.layerVersions)).toEqual(sorted);
    expect([...recordsChunks([])].join('')).toBe('{"format":1,"layerVersions":{}}\n');
  });
});

describe('ScanCache SBOMs', () => {
  const hex = 'ab'.repeat(32);
  const key = ScanCache.sbomKey({ toolVersion: '0.0.0', name: 'arn:x', limits: {} });

  it('reads back what it kept, and nothing once the SBOM or its record was changed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
    dirs.push(root);
    const cache = await ScanCache.open(root);
    expect(cache.readSbom(hex, key)).toBeUndefined();
    cache.writeSbom(hex, key, {
      text: '{"bomFormat":"CycloneDX"}\n',
      packageCount: 3,
      complete: true,
    });
    expect(cache.readSbom(hex, key)).toEqual({
      text: '{"bomFormat":"CycloneDX"}\n',
      packageCount: 3,
      complete: true,
    });
    // No temporary file is left beside them.
    expect((await readdir(join(root, 'scan', 'sboms'))).sort()).toEqual([
      `${hex}-${key}.cdx.json`,
      `${hex}-${key}.meta.json`,
    ]);
    const sbom = join(root, 'scan', 'sboms', `${hex}-${key}.cdx.json`);
    await writeFile(sbom, '{"bomFormat":"CycloneDX","components":[]}\n');
    expect(cache.readSbom(hex, key)).toBeUndefined();
    cache.writeSbom(hex, key, { text: '{}\n', packageCount: 1, complete: false });
    const meta = join(root, 'scan', 'sboms', `${hex}-${key}.meta.json`);
    const record = JSON.parse(await readFile(meta, 'utf8')) as Record<string, unknown>;
    await writeFile(meta, JSON.stringify({ ...record, packageCount: 'many' }));
    expect(cache.readSbom(hex, key)).toBeUndefined();
    await writeFile(meta, 'not json');
    expect(cache.readSbom(hex, key)).toBeUndefined();
  });
});
