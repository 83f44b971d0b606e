import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentCache } from './cache.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('ContentCache.prune', () => {
  const [a, b, c] = ['aa', 'bb', 'cc'].map((x) => x.repeat(32)) as [string, string, string];

  it('removes the entries not kept and stale downloads, and nothing that is not its own', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-cache-'));
    dirs.push(root);
    const dir = join(root, 'sha256');
    await mkdir(dir);
    const outside = join(root, 'outside.zip');
    await writeFile(outside, 'not in the cache');
    await writeFile(join(dir, `${a}.zip`), 'kept');
    await writeFile(join(dir, `${b}.zip`), 'seven b');
    await writeFile(join(dir, `${a}.zip.partial-0123abcd`), 'cut');
    // A link is removed, never followed: what it leads to stays.
    await symlink(outside, join(dir, `${c}.zip`));
    // Not of the form of a zip entry: left.
    await writeFile(join(dir, `${b}.tar`), 'an image layer');
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await writeFile(join(dir, `${b.toUpperCase()}.zip`), 'upper case is not a digest here');
    await mkdir(join(dir, `${'dd'.repeat(32)}.zip`));

    const cache = new ContentCache(root, 'zip');
    expect(await cache.prune(new Set([a]))).toEqual({ files: 3, bytes: 'seven b'.length + 3 });
    expect((await readdir(dir)).sort()).toEqual(
      [
        `${a}.zip`,
        `${b}.tar`,
        `${b.toUpperCase()}.zip`,
        `${'dd'.repeat(32)}.zip`,
        'notes.txt',
      ].sort()
    );
    expect(await readFile(outside, 'utf8')).toBe('not in the cache');
    expect(await cache.lookup(a, 4)).toBe(join(dir, `${a}.zip`));
    // Again: nothing left to remove.
    expect(await cache.prune(new Set([a]))).toEqual({ files: 0, bytes: 0 });
  });

  it('prunes only its own extension, and a cache never written is empty', async () => {
    const root = await mkdtemp(join(tmpdir(), 'lamina-cache-'));
    dirs.push(root);
    expect(await new ContentCache(root, 'tar').prune(new Set())).toEqual({ files: 0, bytes: 0 });
    await mkdir(join(root, 'sha256'));
    await writeFile(join(root, 'sha256', `${a}.zip`), 'zip');
    await writeFile(join(root, 'sha256', `${a}.tar`), 'tar');
    expect(await new ContentCache(root, 'tar').prune(new Set())).toEqual({ files: 1, bytes: 3 });
    expect(await readdir(join(root, 'sha256'))).toEqual([`${a}.zip`]);
  });
});
