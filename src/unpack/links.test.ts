import {
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectorySource } from './directory.js';
import { LayerView, LinkIndex, MAX_ALIASES, MAX_LINK_HOPS } from './links.js';
import { MemorySource, type MemoryFile } from './memory.js';

const index = (files: Record<string, MemoryFile>): LinkIndex =>
  new LinkIndex(new MemorySource('t', files));

describe('LinkIndex.resolve', () => {
  it('follows relative and /opt-absolute links, and a way back into /opt', () => {
    const links = index({
      'real/f': 'x',
      'a/rel': { symlink: '../real/f' },
      'a/abs': { symlink: '/opt/real/f' },
      'a/round': { symlink: '../../opt/real' },
      'a/dir': { symlink: '../real' },
    });
    for (const p of ['a/rel', 'a/abs', 'a/round/f', 'a/dir/f', 'a/dir/../real/f'])
      expect(links.resolve(p)).toMatchObject({ ok: true, path: 'real/f' });
    expect(links.resolve('a/dir')).toMatchObject({ ok: true, path: 'real', hops: 1 });
  });

  it('applies `..` to the directory a link led to, not lexically', () => {
    const links = index({
      'other/f': 'kernel',
      'x/f': 'lexical',
      'real/inner': { symlink: '../other' },
      'x/ln': { symlink: '../real/inner' },
    });
    // x/ln -> real/inner -> other; `..` from other is the layer root.
    expect(links.resolve('x/ln/../x/f')).toMatchObject({ ok: true, path: 'x/f' });
    expect(links.resolve('x/ln/../other/f')).toMatchObject({ ok: true, path: 'other/f' });
    expect(links.resolve('x/ln/f')).toMatchObject({ ok: true, path: 'other/f' });
  });

  it('says loop, outside or missing for what does not resolve in the layer', () => {
    const chain: Record<string, MemoryFile> = { end: 'x' };
    for (let i = 0; i <= MAX_LINK_HOPS; i++)
      chain[`l${i}`] = { symlink: i === 0 ? 'end' : `l${i - 1}` };
    const links = index({
      ...chain,
      a: { symlink: 'b' },
      b: { symlink: 'a' },
      self: { symlink: 'self' },
      esc: { symlink: '../../etc/passwd' },
      root: { symlink: '/etc/passwd' },
      via: { symlink: '/opt/../etc' },
      gone: { symlink: 'nothing' },
      file: 'x',
    });
    expect(links.resolve(`l${MAX_LINK_HOPS - 1}`)).toMatchObject({ ok: true, path: 'end' });
    expect(links.resolve(`l${MAX_LINK_HOPS}`)).toEqual({ ok: false, reason: 'loop' });
    expect(links.resolve('a')).toEqual({ ok: false, reason: 'loop' });
    expect(links.resolve('self/x')).toEqual({ ok: false, reason: 'loop' });
    for (const p of ['esc', 'root', 'via/x', '..', '../opt/../etc'])
      expect(links.resolve(p)).toEqual({ ok: false, reason: 'outside' });
    expect(links.resolve('gone')).toEqual({ ok: false, reason: 'missing' });
    expect(links.resolve('file/x')).toEqual({ ok: false, reason: 'missing' });
    expect(links.resolve('file/..')).toEqual({ ok: false, reason: 'missing' });
    expect(links.findings.map((f) => [f.code, f.severity, f.path]).sort()).toEqual(
      [
        ['SYMLINK_DANGLING', 'warning', 'gone'],
        ['SYMLINK_LOOP', 'error', 'a'],
        ['SYMLINK_LOOP', 'error', 'b'],
        ['SYMLINK_LOOP', 'error', `l${MAX_LINK_HOPS}`],
        ['SYMLINK_LOOP', 'error', 'self'],
      ].sort()
    );
  });
});

describe('LinkIndex findings in an image', () => {
  it('says what a dangling link means where the image is the whole file system', () => {
    const src = new MemorySource('img', { 'etc/mtab': { symlink: '../proc/mounts' } });
    const [layer] = new LinkIndex(src).findings;
    const [image] = new LinkIndex(src, '/').findings;
    expect(layer?.message).toContain('another layer mounted at /opt may provide it');
    expect(image).toMatchObject({ code: 'SYMLINK_DANGLING', path: 'etc/mtab' });
    expect(image?.message).toBe(
      'symlink etc/mtab -> ../proc/mounts leads to nothing in the image (the runtime may provide it, as it does /proc)'
    );
  });
});

describe('LinkIndex.aliases', () => {
  it('lists the link paths that reach a file: directory links, file links, chains', () => {
    const links = index({
      'store/foo@1/node_modules/foo/package.json': '{}',
      'nodejs/node_modules/foo': { symlink: '../../store/foo@1/node_modules/foo' },
      'nodejs/node_modules/.bin/foo': { symlink: '../foo/package.json' },
      'nodejs/node20': { symlink: 'node_modules' },
      'lib/libz.so.1.2': 'elf',
      'lib/libz.so.1': { symlink: 'libz.so.1.2' },
      'lib/libz.so': { symlink: 'libz.so.1' },
    });
    // Shortest first.
    expect(links.aliases('store/foo@1/node_modules/foo/package.json')).toEqual([
      'nodejs/node20/.bin/foo',
      'nodejs/node_modules/.bin/foo',
      'nodejs/node20/foo/package.json',
      'nodejs/node_modules/foo/package.json',
    ]);
    expect(links.aliases('lib/libz.so.1.2')).toEqual(['lib/libz.so', 'lib/libz.so.1']);
    expect(links.aliases('lib/other')).toEqual([]);
  });

  it('stops at MAX_ALIASES in a directory cycle and says so', () => {
    const links = index({ 'x/f': 'x', 'x/self': { symlink: '.' } });
    const a = links.aliases('x/f');
    expect(a.length).toBe(MAX_ALIASES);
    expect(a[0]).toBe('x/self/f');
    for (const p of a) expect(links.resolve(p)).toMatchObject({ ok: true, path: 'x/f' });
    expect(links.findings.map((f) => f.code)).toContain('SYMLINK_CYCLE');
  });

  it('costs the path length, not its square, on deep paths', () => {
    const deep = Array.from({ length: 1500 }, () => 'd').join('/');
    const links = index({
      [`${deep}/f`]: 'x',
      top: { symlink: deep.split('/').slice(0, 700).join('/') },
    });
    expect(links.aliases(`${deep}/f`)).toEqual([`top/${deep.split('/').slice(700).join('/')}/f`]);
    expect(links.resolve(`top/${deep.split('/').slice(700).join('/')}/f`)).toMatchObject({
      ok: true,
      path: `${deep}/f`,
    });
  });
});

describe('LayerView', () => {
  it('reads through links inside the layer and refuses the rest, whatever the source would guess', async () => {
    const view = new LayerView(
      new MemorySource('t', {
        'real/pkg/package.json': '{"name":"x"}',
        'nodejs/node_modules/x': { symlink: '../../real/pkg' },
        loop: { symlink: 'loop' },
        out: { symlink: '/etc/passwd' },
      })
    );
    expect((await view.read('nodejs/node_modules/x/package.json')).toString()).toBe('{"name":"x"}');
    expect(view.get('nodejs/node_modules/x')?.kind).toBe('dir');
    expect(view.realPath('nodejs/node_modules/x/package.json')).toBe('real/pkg/package.json');
    for (const p of ['loop', 'out', 'nodejs/node_modules/x/missing'])
      await expect(view.read(p)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

// The reference: the kernel over the same tree on disk (stat(2) decides whether a path leads
// anywhere, realpath(3) where to; realpath alone lets `file/..` through, open(2) does not).
describe('LinkIndex.resolve agrees with realpath(3)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lamina-links-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const names = ['a', 'b', 'c'];
  const component = fc.constantFrom(...names, '..', '.');
  const relTarget = fc.array(component, { minLength: 1, maxLength: 4 }).map((p) => p.join('/'));
  const node = fc.record({
    dir: fc.array(fc.constantFrom(...names), { minLength: 0, maxLength: 2 }),
    name: fc.constantFrom(...names, 'f', 'g'),
    kind: fc.constantFrom('file', 'dir', 'link', 'abslink'),
    target: relTarget,
  });
  let run = 0;

  it('on generated trees of files, directories and links', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(node, { minLength: 1, maxLength: 12 }),
        fc.array(relTarget, { minLength: 1, maxLength: 6 }),
        async (nodes, probes) => {
          const root = join(tmp, `t${run++}`);
          mkdirSync(root);
          const made = new Set<string>();
          for (const n of nodes) {
            const rel = [...n.dir, n.name].join('/');
            // Skip anything whose parent is not a plain directory we made (or that exists already).
            if (
              [...made].some((m) => rel === m || rel.startsWith(`${m}/`) || m.startsWith(`${rel}/`))
            )
              continue;
            const abs = join(root, rel);
            try {
              mkdirSync(dirname(abs), { recursive: true });
              if (n.kind === 'file') writeFileSync(abs, 'x');
              else if (n.kind === 'dir') mkdirSync(abs);
              else if (n.kind === 'link') symlinkSync(n.target, abs);
              else symlinkSync(`${root}/${n.target}`, abs);
            } catch {
              continue;
            }
            made.add(rel);
          }
          const source = await DirectorySource.open(root);
          const links = new LinkIndex(source, root);
          for (const probe of probes) {
            let kernel: string | undefined;
            try {
              // No path.join: it would fold `a/..` before the kernel sees it.
              statSync(`${root}/${probe}`);
              kernel = realpathSync.native(`${root}/${probe}`);
            } catch {
              kernel = undefined;
            }
            const ours = links.resolve(probe);
            if (kernel !== undefined && (kernel === root || kernel.startsWith(`${root}/`))) {
              expect(ours).toMatchObject({ ok: true, path: kernel.slice(root.length + 1) });
            } else {
              expect(ours.ok).toBe(false);
            }
          }
        }
      ),
      { numRuns: 150, seed: 20261128 }
    );
  });
});
