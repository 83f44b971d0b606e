/**
 * The zip reader's index (columns by entry index, one order sorted by path searched by halves):
 * it must answer what a plain map by path would, whatever order the central directory lists
 * entries in and whatever the names sort like in UTF-16 against UTF-8.
 */
import { describe, expect, it } from 'vitest';
import { writeZip, type ZipEntry } from '../../scripts/lib/zipwriter.mjs';
import { UnpackError } from '../errors.js';
import { DEFAULT_LIMITS, type FileEntry, type FileSource } from './source.js';
import { reverseCentralDirectory } from './testing/hostile-zips.js';
import { openZipBuffer } from './zip.js';

const open = (buf: Buffer): Promise<FileSource> =>
  openZipBuffer(buf, { name: 'test.zip', limits: DEFAULT_LIMITS });

// Names chosen so that UTF-16 order and UTF-8 order differ (U+FF5A sorts after the surrogates
// of U+1F600 in UTF-16, before it in UTF-8), with upper case, names normalised to another
// path, directories listed and implied, symlinks in and out of the layer, a data descriptor.
const entries: ZipEntry[] = [
  { name: './' },
  { name: 'b/A.txt', data: 'upper' },
  { name: 'b/a.txt', data: 'lower' },
  { name: 'u/\uff5a', data: 'fullwidth z' },
  { name: 'u/\u{1f600}', data: 'emoji' },
  { name: 'u/\u00e9', data: 'e acute', dataDescriptor: true },
  { name: './n/./x/y.txt', data: 'normalised' },
  { name: 'd/', dir: true },
  { name: 'd/e/f/g.txt', data: 'deep', method: 'store' },
  { name: 'd/link', symlink: 'e/f/g.txt' },
  { name: 'd/out', symlink: '../../etc/passwd' },
  { name: 'a', data: 'a'.repeat(3000) },
  { name: 'a.b/c', data: 'dot' },
  // Listed directories whose own parents are not listed, before and after their files.
  { name: 'p/q/', dir: true },
  { name: 'p/q/r.txt', data: 'r' },
  { name: 's/t/u/v.txt', data: 'v' },
  { name: 's/t/', dir: true },
];

/** What a map from path to entry, filled in directory order, lists: the reader's answers before. */
function expected(list: readonly ZipEntry[]): Map<string, Omit<FileEntry, 'compressedSize'>> {
  const byPath = new Map<string, Omit<FileEntry, 'compressedSize'>>();
  for (const e of list) {
    const path = e.name
      .split('/')
      .filter((p) => p !== '' && p !== '.')
      .join('/');
    if (path === '') continue;
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
    byPath.set(
      path,
      e.symlink !== undefined
        ? { path, kind: 'symlink', size: e.symlink.length, mode: 0o777, linkTarget: e.symlink }
        : e.name.endsWith('/')
          ? { path, kind: 'dir', size: 0, mode: 0o755 }
          : { path, kind: 'file', size: data?.length ?? 0, mode: 0o644 }
    );
  }
  for (const path of [...byPath.keys()])
    for (let cut = path.indexOf('/'); cut > 0; cut = path.indexOf('/', cut + 1)) {
      const dir = path.slice(0, cut);
      if (!byPath.has(dir)) byPath.set(dir, { path: dir, kind: 'dir', size: 0, mode: 0 });
    }
  return byPath;
}

const utf8Order = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('the zip index', () => {
  const want = expected(entries);
  const sortedPaths = [...want.keys()].sort(utf8Order);

  it.each([
    ['directory order = file order', writeZip(entries), ['b/A.txt', 'b/a.txt']],
    [
      'directory order reversed',
      reverseCentralDirectory(writeZip(entries)),
      ['b/a.txt', 'b/A.txt'],
    ],
  ])('lists and finds every entry as a map by path would (%s)', async (_label, zip, cased) => {
    const src = await open(zip);
    try {
      const listed = src.entries();
      expect(listed.map((e) => e.path)).toEqual(sortedPaths);
      for (const e of listed) {
        const { compressedSize, ...rest } = e;
        expect(rest).toEqual(want.get(e.path));
        expect(compressedSize).toBeGreaterThanOrEqual(0);
        // One object per entry, whichever way it is reached.
        expect(src.get(e.path)).toBe(e);
      }
      expect(src.entries()).toBe(listed);
      for (const missing of [
        '',
        '.',
        './',
        'b/',
        'B/a.txt',
        'b/b.txt',
        'v',
        'u/z',
        'a/',
        'a.',
        'zz',
      ])
        expect(src.get(missing)).toBeUndefined();
      expect((await src.read('u/\u{1f600}')).toString()).toBe('emoji');
      expect((await src.read('u/\uff5a')).toString()).toBe('fullwidth z');
      expect((await src.read('u/\u00e9')).toString()).toBe('e acute');
      expect((await src.read('n/x/y.txt')).toString()).toBe('normalised');
      expect((await src.read('d/link')).toString()).toBe('deep');
      expect((await src.read('a')).toString()).toBe('a'.repeat(3000));
      await expect(src.read('d/out')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(src.read('d/e')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      // Findings in directory order, as before.
      expect(src.findings.map((f) => [f.code, f.path, f.message])).toEqual([
        [
          'CASE_COLLISION',
          cased[1],
          `${JSON.stringify(cased[0])} and ${JSON.stringify(cased[1])} differ only by letter case`,
        ],
        [
          'SYMLINK_OUTSIDE_LAYER',
          'd/out',
          'symlink d/out points out of the layer (../../etc/passwd); not followed',
        ],
      ]);
    } finally {
      await src.close();
    }
  });

  it.each([
    // The pair a map filled in directory order meets first: its second entry comes first.
    [['q', './p', 'p', './q'], ['./p', 'p'], 'p'],
    [['a/x', 'b', 'a//x', './a/x'], ['a/x', 'a//x'], 'a/x'],
    [['z', 'y', './y/', 'y/', 'x'], ['y', './y/'], 'y'],
    [['k', 'm', './m', 'k/', './k'], ['m', './m'], 'm'],
  ])('refuses duplicates %j naming the first pair met', async (names, pair, path) => {
    const zip = writeZip(
      names.map((name) => (name.endsWith('/') ? { name, dir: true } : { name, data: name }))
    );
    const err = await open(zip).then(
      () => undefined,
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(UnpackError);
    expect(err).toMatchObject({ code: 'DUPLICATE_ENTRY' });
    expect((err as Error).message).toBe(
      `test.zip: two entries extract to ${JSON.stringify(path)} (${pair.map((n) => JSON.stringify(n)).join(', ')})`
    );
  });
});

describe('a declared entry count the central directory cannot hold', () => {
  it('is refused as before, not allocated for (--max-entries raised)', async () => {
    const zip = writeZip([{ name: 'a', data: 'a' }], {
      end: { entries: 0xffff, entriesOnDisk: 0xffff },
      zip64End: { entries: 2 ** 40 },
    });
    const err = await openZipBuffer(zip, {
      name: 'test.zip',
      limits: { ...DEFAULT_LIMITS, maxEntries: Number.MAX_SAFE_INTEGER },
    }).then(
      () => undefined,
      (e: unknown) => e
    );
    expect(err).toBeInstanceOf(UnpackError);
    expect((err as Error).message).toBe(
      `test.zip: central directory ends after 1 of ${2 ** 40} declared entries`
    );
  });
});
