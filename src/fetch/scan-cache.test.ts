import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
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

  it('leaves out, when saved to prune, the records of versions this scan did not remember', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
    dirs.push(root);
    const other = 'arn:aws:lambda:us-east-1:111111111111:layer:gone:1';
    const first = await ScanCache.open(root);
    first.remember(listed(arn, '2026-11-01T00:00:00.000+0000', 'AAAA'));
    first.remember(listed(other, '2026-11-01T00:00:00.000+0000', 'BBBB'));
    await first.save();
    const second = await ScanCache.open(root, { trackUse: true });
    // Unchanged, so a save that does not prune writes nothing; one that prunes drops `gone:1`.
    second.remember(listed(arn, '2026-11-01T00:00:00.000+0000', 'AAAA'));
    await second.save({ prune: true });
    const doc = JSON.parse(await readFile(join(root, 'scan', 'layer-versions.json'), 'utf8')) as {
      layerVersions: Record<string, unknown>;
    };
    expect(Object.keys(doc.layerVersions)).toEqual([arn]);
  });

  it('reads its records from a regular file only: a FIFO there is no records, not a wait', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
    dirs.push(root);
    await mkdir(join(root, 'scan'));
    // Read as it was (fs.readFile), a FIFO no process writes made the scan wait forever.
    execFileSync('mkfifo', [join(root, 'scan', 'layer-versions.json')]);
    const cache = await ScanCache.open(root);
    const lv = listed(arn, '2026-11-01T00:00:00.000+0000', 'AAAA');
    expect(cache.known(lv)).toBeUndefined();
    cache.remember(lv);
    await cache.save();
    expect((await lstat(join(root, 'scan', 'layer-versions.json'))).isFile()).toBe(true);
    expect((await ScanCache.open(root)).known(lv)).toMatchObject({ codeSha256: 'AAAA' });
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
  const text = '{"bomFormat":"CycloneDX","name":"caf\u00e9"}\n';
  const bytes = Buffer.from(text, 'utf8');

  async function kept(): Promise<{ root: string; out: string; copy: string }> {
    const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
    dirs.push(root);
    const cache = await ScanCache.open(root);
    cache.writeSbom(hex, key, { text, packageCount: 3, complete: true });
    await cache.save();
    await mkdir(join(root, 'out'));
    return {
      root,
      out: join(root, 'out', `${hex}.cdx.json`),
      copy: join(root, 'scan', 'sboms', `${hex}-${key}.cdx.json`),
    };
  }

  it('places what an earlier scan kept, from the index it saved', async () => {
    const { root, out } = await kept();
    // The SBOM's file beside the others, its summary in one index; no temporary file left.
    expect(await readdir(join(root, 'scan', 'sboms'))).toEqual([`${hex}-${key}.cdx.json`]);
    const index = (await readFile(join(root, 'scan', 'sboms.jsonl'), 'utf8')).split('\n');
    expect(index.map((l) => (l ? (JSON.parse(l) as unknown) : l))).toEqual([
      { format: 1 },
      [
        `${hex}-${key}`,
        {
          sha256: createHash('sha256').update(bytes).digest('hex'),
          bytes: bytes.length,
          packageCount: 3,
          complete: true,
        },
      ],
      '',
    ]);
    const next = await ScanCache.open(root);
    expect(next.placeSbom(hex, key, out)).toEqual({ packageCount: 3, complete: true });
    expect(await readFile(out)).toEqual(bytes);
    // Another key (another name, version or limits) or another zip: nothing kept.
    expect(next.placeSbom(hex, key.replace(/^./, 'x'), join(root, 'out', 'b'))).toBeUndefined();
    expect(next.placeSbom('cd'.repeat(32), key, join(root, 'out', 'c'))).toBeUndefined();
    expect(await readdir(join(root, 'out'))).toEqual([`${hex}.cdx.json`]);
  });

  it('leaves an output file that holds the SBOM, known by its digest alone', async () => {
    const { root, out, copy } = await kept();
    const cache = await ScanCache.open(root);
    expect(cache.placeSbom(hex, key, out)).toBeDefined();
    const placed = await stat(out);
    // Without the cached copy: the output file's digest is the SBOM's.
    await rm(copy);
    expect(cache.placeSbom(hex, key, out)).toEqual({ packageCount: 3, complete: true });
    expect((await stat(out)).ino).toBe(placed.ino);
    // Changed, and no copy to write it from: a miss (the scan inventories the zip again).
    await writeFile(out, text.replace('caf', 'cag'));
    expect(cache.placeSbom(hex, key, out)).toBeUndefined();
  });

  it('writes over an output file that does not hold the SBOM, from a copy that still does', async () => {
    const { root, out, copy } = await kept();
    const cache = await ScanCache.open(root);
    // Same length, one byte changed; shorter; longer.
    for (const other of [text.replace('caf', 'cag'), text.slice(0, -1), `${text} `]) {
      await writeFile(out, other);
      expect(cache.placeSbom(hex, key, out)).toEqual({ packageCount: 3, complete: true });
      expect(await readFile(out)).toEqual(bytes);
    }
    // A link to a file that holds it is replaced by a file of its own, never read through.
    await writeFile(join(root, 'elsewhere'), bytes);
    await rm(out);
    await symlink(join(root, 'elsewhere'), out);
    expect(cache.placeSbom(hex, key, out)).toBeDefined();
    expect((await lstat(out)).isFile()).toBe(true);
    // The copy changed since it was kept (same length or not): a miss, and nothing written.
    await writeFile(out, 'old');
    for (const damaged of [text.replace('caf', 'cag'), `${text}more`]) {
      await writeFile(copy, damaged);
      expect(cache.placeSbom(hex, key, out)).toBeUndefined();
      expect(await readFile(out, 'utf8')).toBe('old');
    }
  });

  it('reads each line of the index alone: a damaged one is passed over, a later one wins', async () => {
    const { root, out } = await kept();
    const path = join(root, 'scan', 'sboms.jsonl');
    const [header, line] = (await readFile(path, 'utf8')).split('\n') as [string, string];
    const [name, entry] = JSON.parse(line) as [string, Record<string, unknown>];
    const entryLine = (changed: Record<string, unknown>) =>
      JSON.stringify([name, { ...entry, ...changed }]);
    const placed = async (...lines: string[]) => {
      await writeFile(path, lines.join('\n'));
      return (await ScanCache.open(root)).placeSbom(hex, key, out);
    };
    // Not an index of this format: nothing in it counts.
    expect(await placed('not json', line)).toBeUndefined();
    expect(await placed(JSON.stringify({ format: 2 }), line)).toBeUndefined();
    expect(await placed(line)).toBeUndefined();
    // A line that is not an entry, alone.
    for (const bad of [
      entryLine({ packageCount: 'many' }),
      entryLine({ bytes: -1 }),
      entryLine({ sha256: 'AB' }),
      entryLine({ complete: 1 }),
      JSON.stringify([name]),
      line.slice(0, -10),
    ]) {
      expect(await placed(header, bad)).toBeUndefined();
      expect(await placed(header, line, bad)).toEqual({ packageCount: 3, complete: true });
    }
    // Two scans that made the index at once: a second header is passed over.
    expect(await placed(header, header, line)).toEqual({ packageCount: 3, complete: true });
    // The later line for a name wins.
    expect(await placed(header, line, entryLine({ packageCount: 7 }))).toEqual({
      packageCount: 7,
      complete: true,
    });
    // A FIFO there is not waited on: an empty index.
    await rm(path);
    execFileSync('mkfifo', [path]);
    expect((await ScanCache.open(root)).placeSbom(hex, key, out)).toBeUndefined();
  });

  it('appends each kept SBOM, so scans keeping SBOMs at once lose none', async () => {
    const { root } = await kept();
    const [a, b] = [await ScanCache.open(root), await ScanCache.open(root)];
    const other = 'cd'.repeat(32);
    a.writeSbom(other, key, { text: '{"a":1}\n', packageCount: 1, complete: false });
    b.writeSbom(other, 'f'.repeat(32), { text: '{"b":2}\n', packageCount: 2, complete: true });
    await Promise.all([a.save(), b.save()]);
    const next = await ScanCache.open(root);
    expect(next.placeSbom(hex, key, join(root, 'out', 'x'))).toEqual({
      packageCount: 3,
      complete: true,
    });
    expect(next.placeSbom(other, key, join(root, 'out', 'a'))).toEqual({
      packageCount: 1,
      complete: false,
    });
    expect(next.placeSbom(other, 'f'.repeat(32), join(root, 'out', 'b'))).toEqual({
      packageCount: 2,
      complete: true,
    });
    expect(await readFile(join(root, 'out', 'a'), 'utf8')).toBe('{"a":1}\n');
    // One header, three entries.
    const lines = (await readFile(join(root, 'scan', 'sboms.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines.filter((l) => l === '{"format":1}')).toHaveLength(1);
    expect(lines).toHaveLength(4);
  });

  it('keeps its index in a file of its own: a link or a FIFO at its path is replaced', async () => {
    for (const plant of ['link', 'fifo'] as const) {
      const root = await mkdtemp(join(tmpdir(), 'lamina-scan-cache-'));
      dirs.push(root);
      const elsewhere = join(root, 'elsewhere.txt');
      await writeFile(elsewhere, 'not the cache\n');
      const index = join(root, 'scan', 'sboms.jsonl');
      await mkdir(join(root, 'scan'));
      if (plant === 'link') await symlink(elsewhere, index);
      // Opened for appending as it was, a FIFO no process reads made the scan wait forever.
      else execFileSync('mkfifo', [index]);
      const cache = await ScanCache.open(root);
      cache.writeSbom(hex, key, { text, packageCount: 3, complete: true });
      await cache.save();
      expect(await readFile(elsewhere, 'utf8')).toBe('not the cache\n');
      expect((await lstat(index)).isFile()).toBe(true);
      const next = await ScanCache.open(root);
      expect(next.placeSbom(hex, key, join(root, 'out.json'))).toEqual({
        packageCount: 3,
        complete: true,
      });
    }
  });

  it('places nothing once forgotten; an SBOM kept after still gets its line', async () => {
    const { root, out } = await kept();
    const cache = await ScanCache.open(root);
    cache.forget();
    expect(cache.placeSbom(hex, key, out)).toBeUndefined();
    const other = 'cd'.repeat(32);
    cache.writeSbom(other, key, { text, packageCount: 1, complete: false });
    await cache.save();
    const next = await ScanCache.open(root);
    expect(next.placeSbom(other, key, join(root, 'out', 'other'))).toEqual({
      packageCount: 1,
      complete: false,
    });
    expect(next.placeSbom(hex, key, out)).toBeDefined();
  });

  it('prunes the SBOMs a scan neither placed nor kept, and rewrites the index with the rest', async () => {
    const { root, out } = await kept();
    const other = 'cd'.repeat(32);
    const stale = 'ef'.repeat(32);
    const before = await ScanCache.open(root);
    before.writeSbom(stale, key, { text: '{"stale":1}\n', packageCount: 1, complete: true });
    await before.save();
    const sboms = join(root, 'scan', 'sboms');
    // What lamina before the index kept beside each SBOM, and files of no form of its own.
    await writeFile(join(sboms, `${hex}-${key}.meta.json`), '{}');
    await writeFile(join(sboms, 'notes.txt'), 'mine');

    const cache = await ScanCache.open(root, { trackUse: true });
    expect(cache.placeSbom(hex, key, out)).toBeDefined();
    cache.writeSbom(other, key, { text: '{"new":2}\n', packageCount: 2, complete: false });
    await cache.save();
    const removed = await cache.pruneSboms();
    expect(removed).toEqual({ files: 2, bytes: '{"stale":1}\n'.length + 2 });
    expect((await readdir(sboms)).sort()).toEqual(
      [`${hex}-${key}.cdx.json`, `${other}-${key}.cdx.json`, 'notes.txt'].sort()
    );
    const index = (await readFile(join(root, 'scan', 'sboms.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(index[0]).toBe('{"format":1}');
    expect(index.slice(1).map((l) => (JSON.parse(l) as [string])[0])).toEqual(
      [`${hex}-${key}`, `${other}-${key}`].sort()
    );
    const next = await ScanCache.open(root);
    expect(next.placeSbom(stale, key, join(root, 'out', 'stale'))).toBeUndefined();
    expect(next.placeSbom(other, key, join(root, 'out', 'other'))).toEqual({
      packageCount: 2,
      complete: false,
    });
    // A cache not opened to track its use has nothing to prune by.
    await expect(next.pruneSboms()).rejects.toThrow(/track/);
  });

  it('keys each name as sbomKey does, with the version and limits made JSON once', () => {
    const limits = { maxEntries: 10, nested: { a: [1, 'x'] } };
    const keys = ScanCache.sbomKeys('1.2.3', limits);
    for (const name of ['arn:x', 'a"b\\c', '\u2028\u00e9\ud83d\ude00', '']) {
      const want = createHash('sha256')
        .update(JSON.stringify(['1.2.3', name, limits]))
        .digest('hex')
        .slice(0, 32);
      expect(keys(name)).toBe(want);
      expect(ScanCache.sbomKey({ toolVersion: '1.2.3', name, limits })).toBe(want);
    }
  });
});
