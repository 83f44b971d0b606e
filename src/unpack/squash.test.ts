import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { writeTar, type TarEntry } from '../../scripts/lib/tarwriter.mjs';
import { UnpackError } from '../errors.js';
import { bufferAccess } from './random-access.js';
import { squashLayers, type LayerInput, type SquashedImage } from './squash.js';
import { indexTarAccess } from './tar.js';
import { imageListing, umociListing } from './testing/umoci.js';

async function squash(layers: readonly Buffer[]): Promise<SquashedImage> {
  const inputs: LayerInput[] = [];
  for (const [i, buf] of layers.entries()) {
    const access = bufferAccess(buf);
    inputs.push({
      index: await indexTarAccess(access, { name: `layer ${i}` }),
      access,
      diffId: `sha256:${createHash('sha256').update(buf).digest('hex')}`,
    });
  }
  return squashLayers(inputs, { name: 'test image' });
}

const L = (...entries: TarEntry[]): Buffer => writeTar(entries);
const dir = (name: string): TarEntry => ({ name: `${name}/`, type: 'dir' });
const file = (name: string, data = name): TarEntry => ({ name, data });
const wh = (name: string): TarEntry => ({ name, data: '' });
const link = (name: string, linkname: string): TarEntry => ({ name, type: 'symlink', linkname });

/** Images whose squashed view must equal what umoci unpacks. */
const images: [string, Buffer[]][] = [
  [
    'explicit whiteouts of a file and a directory',
    [
      L(dir('a'), dir('a/b'), file('a/b/c'), file('a/keep'), dir('d'), file('d/x')),
      L(dir('a'), wh('a/.wh.b'), wh('.wh.d')),
    ],
  ],
  [
    "an opaque whiteout hides lower children, keeps its own layer's, whatever the order",
    [
      L(dir('a'), dir('a/b'), dir('a/b/c'), file('a/b/c/bar'), file('a/old')),
      L(dir('a'), dir('a/b'), dir('a/b/c'), file('a/b/c/foo'), wh('a/.wh..wh..opq')),
    ],
  ],
  [
    'an opaque whiteout listed first',
    [
      L(dir('bin'), file('bin/one'), dir('bin/tools'), file('bin/tools/t')),
      L(dir('bin'), wh('bin/.wh..wh..opq'), file('bin/two')),
    ],
  ],
  [
    'a whiteout of something no lower layer has',
    [L(dir('a'), file('a/x')), L(dir('a'), wh('a/.wh.ghost'))],
  ],
  [
    'a directory replaced by a file, a file replaced by a directory',
    [L(dir('a'), file('a/x'), file('b')), L(file('a', 'now a file'), dir('b'), file('b/y'))],
  ],
  [
    'a file replaced, a symlink replaced by a file',
    [
      L(file('f', 'old'), { name: 's', type: 'symlink', linkname: 'f' }),
      L(file('f', 'newer'), file('s', 'plain')),
    ],
  ],
  [
    'hardlinks in one layer and to a lower layer',
    [
      L(dir('d'), file('d/orig', 'content')),
      L(dir('d'), { name: 'd/hard', type: 'hardlink', linkname: 'd/orig' }, file('e', 'e'), {
        name: 'e2',
        type: 'hardlink',
        linkname: 'e',
      }),
    ],
  ],
  [
    // umoci applies entries in order: the link is made before the whiteout deletes the other name.
    'a hardlink to a lower file that its own layer then whites out',
    [
      L(dir('d'), file('d/orig', 'content')),
      L(dir('bin'), { name: 'bin/tool', type: 'hardlink', linkname: 'd/orig' }, wh('d/.wh.orig')),
    ],
  ],
  [
    'a whiteout after a file of its own layer (the file survives)',
    [
      L(dir('a'), file('a/x'), file('a/b', 'lower')),
      L(dir('a'), file('a/b', 'same'), wh('a/.wh.b'), wh('a/.wh.x')),
    ],
  ],
  [
    // Every in-order extractor (umoci, containerd) and overlayfs keep usr/bin/nc here.
    'a layer that replaces a lower symlink by a directory and whites out under it',
    [
      L(dir('usr'), dir('usr/bin'), file('usr/bin/nc', 'netcat'), link('bin', 'usr/bin')),
      L(dir('bin'), wh('bin/.wh.nc')),
    ],
  ],
  [
    'whiteout then re-add in the next layer',
    [L(dir('a'), file('a/x', 'v1')), L(dir('a'), wh('a/.wh.x')), L(dir('a'), file('a/x', 'v3'))],
  ],
];

describe('squashed view equals umoci unpack', () => {
  it.each(images)('%s', async (_name, layers) => {
    const ours = imageListing(await squash(layers));
    const theirs = umociListing(layers);
    expect(theirs.ok ? theirs.paths : theirs.error).toEqual(ours);
  });
});

describe('whiteout rules', () => {
  it('a whiteout does not remove a file of its own layer (the OCI rule), and says so when it comes after it', async () => {
    const img = await squash([
      L(dir('a'), file('a/b', 'lower')),
      L(dir('a'), file('a/b', 'same layer'), wh('a/.wh.b')),
    ]);
    expect((await img.read('a/b')).toString()).toBe('same layer');
    expect(img.findings.map((f) => f.code)).toContain('WHITEOUT_SAME_LAYER');
    // The lower version was removed by layer 1 (replaced, and whited out).
    expect(img.removedBy('a/b', 0)).toBe(1);
  });

  it.each([
    ['alone', [wh('bin/.wh.nc')]],
    ['after the layer replaced the link by a directory', [dir('bin'), wh('bin/.wh.nc')]],
    ['before the layer replaces the link by a directory', [wh('bin/.wh.nc'), dir('bin')]],
    ['opaque', [wh('bin/.wh..wh..opq')]],
  ])(
    'a whiteout through a lower-layer symlink (%s) deletes nothing behind it and is an error',
    async (_name, top) => {
      // Overlay-based runtimes unpack a layer where the lower `bin` link does not exist: the
      // whiteout lands in a new `bin` directory and usr/bin/nc still runs.
      const img = await squash([
        L(dir('usr'), dir('usr/bin'), file('usr/bin/nc', 'netcat'), link('bin', 'usr/bin')),
        L(...top),
      ]);
      expect((await img.read('usr/bin/nc')).toString()).toBe('netcat');
      expect(img.removedBy('usr/bin/nc', 0)).toBeUndefined();
      const found = img.findings.filter((f) => f.code === 'WRITE_THROUGH_SYMLINK');
      expect(found).toEqual([
        expect.objectContaining({
          severity: 'error',
          path: top.find((e) => e.name.includes('.wh.'))!.name,
        }),
      ]);
      expect(found[0]!.message).toMatch(/symlink bin: .*overlay.*keep usr\/bin whole/);
    }
  );

  it('whiteout files are never listed', async () => {
    const img = await squash([
      L(dir('a'), file('a/x')),
      L(dir('a'), wh('a/.wh.x'), wh('a/.wh..wh..opq')),
    ]);
    expect(img.entries().map((e) => e.path)).toEqual(['a']);
  });

  it.each([
    ['a whiteout with no name', '.wh.'],
    ['a reserved .wh..wh. name', 'a/.wh..wh.plnk'],
    ['a whiteout of ..', 'a/.wh...'],
  ])('refuses %s', async (_name, path) => {
    await expect(squash([L(dir('a'), wh(path))])).rejects.toMatchObject({
      code: 'INVALID_WHITEOUT',
    });
  });

  it('refuses a whiteout that is not an empty regular file', async () => {
    await expect(squash([L(dir('a'), file('a/.wh.x', 'data'))])).rejects.toMatchObject({
      code: 'INVALID_WHITEOUT',
    });
    await expect(squash([L(dir('a'), dir('a/.wh.x'))])).rejects.toMatchObject({
      code: 'INVALID_WHITEOUT',
    });
  });
});

describe('layer attribution and the all-layers scope', () => {
  it('knows which layer each entry came from and what later layers hid', async () => {
    const img = await squash([
      L(dir('usr'), file('usr/a', 'a0'), file('usr/b', 'b0'), dir('opt'), file('opt/x')),
      L(dir('usr'), file('usr/a', 'a1')),
      L(wh('.wh.opt'), dir('usr'), wh('usr/.wh.b')),
    ]);
    expect(img.layerOf('usr/a')?.index).toBe(1);
    expect(img.layerOf('usr')?.index).toBe(2);
    expect(img.layerOf('usr/b')).toBeUndefined();
    expect(img.hidden.map((h) => `${h.path}@${h.layer}-${h.removedBy}`).sort()).toEqual([
      'opt/x@0-2',
      'opt@0-2',
      'usr/a@0-1',
      'usr/b@0-2',
    ]);
    const before = img.viewAt(0);
    expect((await before.read('usr/b')).toString()).toBe('b0');
    expect(img.removedBy('usr/b', 0)).toBe(2);
    expect(img.removedBy('usr/a', 1)).toBeUndefined();
    expect(img.layers.map((l) => l.index)).toEqual([0, 1, 2]);
  });

  it('knows the first layer that wrote a path, whatever later layers did to it', async () => {
    const img = await squash([
      L(dir('usr'), file('usr/a', 'a0'), file('usr/b', 'b0')),
      L(dir('usr'), file('usr/a', 'a1'), wh('usr/.wh.b'), file('usr/c')),
      L(dir('usr'), file('usr/b', 'b2')),
    ]);
    expect(img.layerOf('usr/a')?.index).toBe(1);
    expect(img.firstWriter('usr/a')).toBe(0);
    expect(img.layerOf('usr/b')?.index).toBe(2);
    expect(img.firstWriter('usr/b')).toBe(0);
    expect(img.firstWriter('usr/c')).toBe(1);
    expect(img.firstWriter('usr/d')).toBeUndefined();
  });

  it('resolves a lower-layer symlink parent inside the image root and reports it', async () => {
    const img = await squash([
      L({ name: 'lib', type: 'symlink', linkname: 'usr/lib' }, dir('usr'), dir('usr/lib')),
      L(dir('lib'.concat('/x86')), file('lib/x86/libc.so', 'elf')),
    ]);
    expect(img.get('usr/lib/x86/libc.so')?.kind).toBe('file');
    expect(img.get('lib')?.kind).toBe('symlink');
    // Overlay-based runtimes make `lib` a directory instead: the inventory cannot be complete.
    expect(img.findings).toContainEqual(
      expect.objectContaining({
        code: 'WRITE_THROUGH_SYMLINK',
        severity: 'error',
        path: 'lib/x86/libc.so',
      })
    );
    // Reads through the symlink resolve inside the image.
    expect((await img.read('lib/x86/libc.so')).toString()).toBe('elf');
  });

  it('keeps symlinks that climb out inside the root, as the kernel does in a container', async () => {
    const img = await squash([
      L(dir('etc'), file('etc/passwd', 'root:x'), dir('a'), {
        name: 'a/up',
        type: 'symlink',
        linkname: '../../../../etc/passwd',
      }),
    ]);
    expect((await img.read('a/up')).toString()).toBe('root:x');
  });

  it('reports a dangling hardlink and leaves it out', async () => {
    const img = await squash([L({ name: 'h', type: 'hardlink', linkname: 'nowhere' })]);
    expect(img.get('h')).toBeUndefined();
    expect(img.findings.map((f) => f.code)).toEqual(['DANGLING_HARDLINK']);
  });

  it('lists devices and FIFOs but never reads them', async () => {
    const img = await squash([
      L(dir('dev'), { name: 'dev/null', type: 'char' }, { name: 'dev/fifo', type: 'fifo' }),
    ]);
    expect(img.get('dev/null')).toMatchObject({ kind: 'special', device: 'char' });
    expect(img.get('dev/fifo')).toMatchObject({ kind: 'special', device: 'fifo' });
    await expect(img.read('dev/null')).rejects.toBeInstanceOf(UnpackError);
    expect(img.findings.filter((f) => f.code === 'SPECIAL_FILE')).toHaveLength(2);
  });

  it('refuses an entry under a lower-layer file', async () => {
    await expect(squash([L(file('a')), L(file('a/b'))])).rejects.toMatchObject({
      code: 'PATH_CONFLICT',
    });
  });

  it('bounds the entries of the whole image', async () => {
    const layers = [L(file('a'), file('b')), L(file('c'), file('d'))];
    const inputs: LayerInput[] = [];
    for (const buf of layers) {
      const access = bufferAccess(buf);
      inputs.push({ index: await indexTarAccess(access), access, diffId: 'sha256:x' });
    }
    expect(() => squashLayers(inputs, { limits: { maxEntries: 3 } })).toThrow(
      expect.objectContaining({ code: 'TOO_MANY_ENTRIES' })
    );
    expect(() => squashLayers(inputs, { limits: { maxImageSize: 1000 } })).toThrow(
      expect.objectContaining({ code: 'TOO_LARGE' })
    );
  });

  it('reports `..` and absolute names and NFC twins as findings, placing entries as containerd does', async () => {
    const img = await squash([
      L(
        file('/abs', 'a'),
        file('x/../../up', 'u'),
        file('caf\u00e9', '1'),
        file('cafe\u0301', '2')
      ),
    ]);
    expect(img.get('abs')?.kind).toBe('file');
    expect(img.get('up')?.kind).toBe('file');
    const codes = img.findings.map((f) => `${f.code}:${f.severity}`).sort();
    expect(codes).toEqual([
      'ABSOLUTE_PATH:warning',
      'NORMALIZATION_TWIN:warning',
      'PATH_TRAVERSAL:error',
    ]);
  });
});

describe('hardlinks that extractors make differently', () => {
  it("refuses a hardlink whose mode is not its target's, in one layer or over a lower one", async () => {
    // containerd and Python's tarfile chmod the shared inode to the link's 0755; GNU tar, bsdtar
    // and umoci keep the target's 0644: readers disagree on whether it is executable.
    const blob = { name: 'd/blob', data: 'ELF', mode: 0o644 };
    const tool = { name: 'tool', type: 'hardlink' as const, linkname: 'd/blob', mode: 0o755 };
    await expect(squash([L(dir('d'), blob, tool)])).rejects.toMatchObject({
      code: 'AMBIGUOUS_HEADER',
    });
    await expect(squash([L(dir('d'), blob), L(tool)])).rejects.toMatchObject({
      code: 'AMBIGUOUS_HEADER',
    });
    // Special bits count too.
    await expect(
      squash([L(dir('d'), { ...blob, mode: 0o4755 }, { ...tool, mode: 0o755 })])
    ).rejects.toMatchObject({ code: 'AMBIGUOUS_HEADER' });
  });

  it("keeps hardlinks whose mode is their target's, and hardlinks to symlinks whatever their mode", async () => {
    // What GNU tar, bsdtar, Python, Go (moby, containerd) and umoci write: both headers from one inode.
    const img = await squash([
      L(
        dir('d'),
        { name: 'd/tool', data: 'ELF', mode: 0o4750 },
        { name: 'd/alias', type: 'hardlink', linkname: 'd/tool', mode: 0o4750 },
        { name: 'd/sym', type: 'symlink', linkname: 'tool' },
        { name: 'd/sym2', type: 'hardlink', linkname: 'd/sym', mode: 0o644 }
      ),
    ]);
    expect(img.get('d/alias')).toMatchObject({ kind: 'file', mode: 0o4750 });
    expect(img.get('d/sym2')).toMatchObject({ kind: 'symlink', linkTarget: 'tool' });
    expect(img.findings).toEqual([]);
  });

  it.each([
    ['the link first', (link: TarEntry, whiteout: TarEntry) => [link, whiteout]],
    ['the whiteout first', (link: TarEntry, whiteout: TarEntry) => [whiteout, link]],
    ['a whiteout of its directory', (link: TarEntry) => [link, wh('usr/share/.wh.misc')]],
    [
      'an opaque whiteout of its directory',
      (link: TarEntry) => [wh('usr/share/misc/.wh..wh..opq'), link],
    ],
  ])(
    'a hardlink to a lower file its own layer whites out (%s) is kept and is an error',
    async (_name, order) => {
      // In-order extractors (umoci) make usr/local/bin/tool before the whiteout removes the other
      // name; whiteouts first (the OCI rule) leave nothing to link to; overlay runtimes fail it.
      const img = await squash([
        L(dir('usr'), dir('usr/share'), dir('usr/share/misc'), {
          name: 'usr/share/misc/blob',
          data: 'ELF',
          mode: 0o755,
        }),
        L(
          dir('usr/local'),
          dir('usr/local/bin'),
          ...order(
            {
              name: 'usr/local/bin/tool',
              type: 'hardlink',
              linkname: 'usr/share/misc/blob',
              mode: 0o755,
            },
            wh('usr/share/misc/.wh.blob')
          )
        ),
      ]);
      expect(img.get('usr/share/misc/blob')).toBeUndefined();
      expect(img.get('usr/local/bin/tool')).toMatchObject({ kind: 'file', mode: 0o755, layer: 1 });
      expect((await img.read('usr/local/bin/tool')).toString()).toBe('ELF');
      expect(img.findings).toEqual([
        expect.objectContaining({
          code: 'HARDLINK_TO_WHITED_OUT',
          severity: 'error',
          path: 'usr/local/bin/tool',
        }),
      ]);
    }
  );

  it('a hardlink to a file an earlier layer whited out, or no layer has, stays dangling', async () => {
    const img = await squash([
      L(dir('d'), file('d/orig')),
      L(dir('d'), wh('d/.wh.orig')),
      L(
        { name: 'h', type: 'hardlink', linkname: 'd/orig' },
        { name: 'n', type: 'hardlink', linkname: 'nowhere' },
        wh('.wh.ghost')
      ),
    ]);
    expect(img.get('h')).toBeUndefined();
    expect(img.get('n')).toBeUndefined();
    expect(img.findings.map((f) => `${f.code}:${f.severity}`)).toEqual([
      'DANGLING_HARDLINK:warning',
      'DANGLING_HARDLINK:warning',
    ]);
  });
});
