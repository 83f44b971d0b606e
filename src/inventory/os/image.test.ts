/**
 * OS catalogers on real image file systems (squashed from the generated
 * layers and the Alpine vector), checked against dpkg-query, rpm and umoci.
 */
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUnownedFile, type Package } from '../../model/package.js';
import { openFileAccess } from '../../unpack/random-access.js';
import { squashLayers, type LayerInput, type SquashedImage } from '../../unpack/squash.js';
import { indexTarAccess, openTarFile, readLayerStream } from '../../unpack/tar.js';
import { imageListing, listTree, writeLayout } from '../../unpack/testing/umoci.js';
import { runCataloger } from '../cataloger.js';
import { attributeImagePackages } from '../image.js';
import { buildInventory } from '../index.js';
import { apkCataloger } from './apk.js';
import { dpkgCataloger } from './dpkg.js';
import { detectOs } from './release.js';
import { rpmCataloger } from './rpm.js';
import { IMAGE_FIXTURES, RPM_QF, rpmQa, VECTORS } from './testing.js';

const tmp = mkdtempSync(join(tmpdir(), 'lamina-os-image-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function openImage(dir: string, count: number): Promise<SquashedImage> {
  const layers: LayerInput[] = [];
  for (let i = 0; i < count; i++) {
    const access = await openFileAccess(join(IMAGE_FIXTURES, 'layers', dir, `${i}.tar`));
    const index = await indexTarAccess(access, { name: `${dir}/${i}.tar`, hash: true });
    layers.push({ index, access, diffId: `sha256:${index.sha256 ?? ''}` });
  }
  return squashLayers(layers, { name: dir });
}

/** dpkg-query's view of a status file: installed-ish packages as name|version|arch. */
function dpkgQuery(status: Buffer): string[] {
  const admin = mkdtempSync(join(tmp, 'admin-'));
  mkdirSync(join(admin, 'updates'));
  writeFileSync(join(admin, 'status'), status);
  const out = execFileSync(
    'dpkg-query',
    [
      `--admindir=${admin}`,
      '-W',
      '-f',
      '${Package}|${Version}|${Architecture}|${db:Status-Status}\\n',
    ],
    {
      encoding: 'utf8',
    }
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('|'))
    .filter(([, , , state]) => state !== 'not-installed' && state !== 'config-files')
    .map(([n, v, a]) => `${n}|${v}|${a}`)
    .sort();
}

const nva = (pkgs: readonly Package[]): string[] =>
  pkgs
    .map((p) => `${p.name}|${p.version ?? ''}|${/arch=([^&]+)/.exec(p.purl ?? '')?.[1] ?? ''}`)
    .sort();

describe('dpkg on the generated Debian image', () => {
  let image: SquashedImage;
  beforeAll(async () => {
    image = await openImage('debian', 3);
  });
  afterAll(() => image.close());

  it('gives what dpkg-query gives, after every layer', async () => {
    for (const view of [image.viewAt(0), image.viewAt(1), image]) {
      const r = await runCataloger(dpkgCataloger, view);
      const expected = dpkgQuery(await view.read('var/lib/dpkg/status'));
      expect(expected.length).toBeGreaterThan(3);
      expect(nva(r.packages)).toEqual(expected);
    }
    // jq was removed by the last layer; the removed-with-config package never counts.
    const before = (await runCataloger(dpkgCataloger, image.viewAt(0))).packages.map((p) => p.name);
    const after = (await runCataloger(dpkgCataloger, image)).packages.map((p) => p.name);
    expect(before).toContain('jq');
    expect(after).not.toContain('jq');
    expect([...before, ...after]).not.toContain('oldtool');
  });

  it('writes purls with epoch, arch, distro and the source package', async () => {
    const r = await runCataloger(dpkgCataloger, image);
    const libcap = r.packages.find((p) => p.name === 'libcap2');
    expect(libcap?.purl).toBe(
      'pkg:deb/debian/libcap2@1:2.66-4+deb12u3+b1?arch=amd64&distro=debian-12&upstream=libcap2%401%3A2.66-4%2Bdeb12u3'
    );
    expect(await detectOs(image)).toMatchObject({
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
    });
  });

  it('owns listed files where they are (usrmerge) and links dependencies', async () => {
    const r = await runCataloger(dpkgCataloger, image.viewAt(0));
    const libcap = r.packages.find((p) => p.name === 'libcap2')!;
    // dpkg lists /lib/...; /lib is a symlink to usr/lib, so the claim lands at the real path.
    expect(libcap.owns).toContain('usr/lib/x86_64-linux-gnu/libcap.so.2.66');
    expect(libcap.owns).not.toContain('lib/x86_64-linux-gnu/libcap.so.2.66');
    const jq = r.packages.find((p) => p.name === 'jq')!;
    const libjq = r.packages.find((p) => p.name === 'libjq1')!;
    expect(jq.dependsOn).toEqual([libjq.id]);
    expect(jq.owns).toContain('usr/bin/jq');
  });

  it('flags the package file a later layer modified, and nothing before it', async () => {
    const modified = (await runCataloger(dpkgCataloger, image)).findings.filter(
      (f) => f.code === 'PACKAGE_FILE_MODIFIED'
    );
    expect(modified.map((f) => [f.path, f.severity])).toEqual([
      ['usr/lib/x86_64-linux-gnu/libonig.so.5.3.0', 'error'],
    ]);
    const early = (await runCataloger(dpkgCataloger, image.viewAt(0))).findings;
    expect(early.filter((f) => f.severity !== 'info')).toEqual([]);
  });

  it('counts OS-owned executables as owned; language catalogers run on the image unchanged', async () => {
    const view = image.viewAt(1);
    const inv = await buildInventory(
      view,
      {
        name: 'debian',
        kind: 'directory',
        sha256: view.digest,
        size: view.size,
        properties: {},
      },
      { root: 'image' }
    );
    const files = inv.packages.filter(isUnownedFile).map((p) => p.locations[0]?.path);
    // jq, libjq and libonig are dpkg's; unowned binaries come only from the /opt layer content.
    expect(files.filter((p) => !p?.startsWith('opt/'))).toEqual([]);
    expect(files.length).toBeGreaterThan(0);
    const ecosystems = new Set(inv.packages.map((p) => p.ecosystem));
    for (const e of ['deb', 'npm', 'pypi', 'maven', 'gem', 'nuget'])
      expect(ecosystems).toContain(e);
    attributeImagePackages(inv.packages, view);
    const jq = inv.packages.find((p) => p.name === 'jq')!;
    expect(jq.properties).toMatchObject({ 'image-part': 'os', 'layer-index': '0' });
    const npm = inv.packages.find((p) => p.ecosystem === 'npm')!;
    expect(npm.properties).toMatchObject({ 'image-part': 'opt', 'layer-index': '1' });
    expect(npm.locations[0]?.layerDigest).toBe(view.layers[1]?.diffId.slice(7));
  });

  it('the squashed listing equals umoci unpack of the same layers', () => {
    const layout = join(tmp, 'debian-layout');
    const layers = [0, 1, 2].map((i) =>
      readFileSync(join(IMAGE_FIXTURES, 'layers/debian', `${i}.tar`))
    );
    writeLayout(layout, layers);
    execFileSync('umoci', ['unpack', '--image', `${layout}:test`, join(tmp, 'debian-bundle')]);
    expect(listTree(join(tmp, 'debian-bundle/rootfs'))).toEqual(imageListing(image));
  });
});

describe('apk on the real Alpine 3.17 image (vector)', () => {
  const layout = join(VECTORS, 'notation-go/internal/testdata/oci-layout');
  const blob = join(
    layout,
    'blobs/sha256/63b65145d645c1250c391b2d16ebe53b3747c295ca8ba2fcb6b0cf064a4dc21c'
  );
  const config = JSON.parse(
    readFileSync(
      join(layout, 'blobs/sha256/572996c3caeacea40b947911a9dda21516c082b5a64af30048a02a6f5eb956d4'),
      'utf8'
    )
  ) as { rootfs: { diff_ids: string[] } };

  it('streams the gzip layer once: diffID checked, spooled, then read by offset: 15 apk packages', async () => {
    const spool = join(tmp, 'alpine.tar');
    const r = await readLayerStream(createReadStream(blob), {
      name: 'alpine layer',
      diffId: config.rootfs.diff_ids[0],
      compressedSize: readFileSync(blob).length,
      spoolPath: spool,
    });
    expect(r.compression).toBe('gzip');
    expect(r.diffId).toBe(config.rootfs.diff_ids[0]);
    const img = await openTarFile(spool, { index: r.index, diffId: r.diffId });
    try {
      const cat = await runCataloger(apkCataloger, img);
      expect(cat.packages).toHaveLength(15);
      expect(cat.findings.filter((f) => f.severity !== 'info')).toEqual([]);
      const musl = cat.packages.find((p) => p.name === 'musl');
      expect(musl?.purl).toMatch(
        /^pkg:apk\/alpine\/musl@[^?]+\?arch=x86_64&distro=alpine-3\.17\.2$/
      );
      expect(musl?.owns).toContain('lib/ld-musl-x86_64.so.1');
      // umoci unpacks the real image to the same file system.
      execFileSync(
        'umoci',
        ['unpack', '--image', `${join(tmp, 'alpine-layout')}:v2`, join(tmp, 'alpine-bundle')],
        {
          input: '',
        }
      );
      expect(listTree(join(tmp, 'alpine-bundle/rootfs'))).toEqual(imageListing(img));
      // buildInventory runs the OS catalogers: busybox and musl are owned, no unowned executables.
      const inv = await buildInventory(
        img,
        {
          name: 'alpine',
          kind: 'directory',
          sha256: img.digest,
          size: img.size,
          properties: {},
        },
        { root: 'image' }
      );
      expect(inv.packages.filter(isUnownedFile)).toEqual([]);
      expect(inv.packages.filter((p) => p.type === 'file').length).toBeGreaterThan(0);
    } finally {
      await img.close();
    }
  });

  beforeAll(() => {
    // umoci needs a writable copy of the layout (it takes a lock file in it).
    execFileSync('cp', ['-r', layout, join(tmp, 'alpine-layout')]);
  });

  it('refuses the layer when the diffID is not the one expected, and leaves no spool behind', async () => {
    const spool = join(tmp, 'bad.tar');
    await expect(
      readLayerStream(createReadStream(blob), {
        diffId: `sha256:${'0'.repeat(64)}`,
        spoolPath: spool,
      })
    ).rejects.toMatchObject({ code: 'DIGEST_MISMATCH' });
    expect(() => readFileSync(spool)).toThrow();
    expect(() => readFileSync(`${spool}.partial`)).toThrow();
  });
});

describe('rpm on generated Amazon Linux layers', () => {
  const al2023 = rpmQa(
    join(VECTORS, 'go-rpmdb/pkg/testdata/amazonlinux2023-plain/rpmdb.sqlite'),
    'sqlite'
  );
  const asQa = (pkgs: readonly Package[]): string[] =>
    pkgs.map((p) => `${p.name}|${p.properties['rpm:epoch'] ?? ''}|${p.version ?? ''}`).sort();
  const qaShort = (lines: string[]): string[] =>
    lines
      .map((l) => l.split('|'))
      .map(([n, e, v, r]) => `${n}|${e}|${v}-${r}`)
      .sort();

  it.each(['al2-le', 'al2-be'])(
    '%s: the Berkeley DB hash gives what rpm (bdb_ro) gives',
    async (dir) => {
      const img = await openImage(dir, 1);
      mkdirSync(join(tmp, dir));
      const dbFile = join(tmp, dir, 'Packages');
      writeFileSync(dbFile, await img.read('var/lib/rpm/Packages', 64 << 20));
      const expected = rpmQa(dbFile, 'bdb_ro');
      expect(qaShort(expected)).toEqual(qaShort(al2023));
      const r = await runCataloger(rpmCataloger, img);
      expect(asQa(r.packages)).toEqual(qaShort(expected));
      expect(r.packages[0]?.purl).toMatch(/distro=amzn-2&/);
      await img.close();
    }
  );

  it('al2023: the SQLite database in a layer gives its 102 packages', async () => {
    const img = await openImage('al2023', 1);
    const r = await runCataloger(rpmCataloger, img);
    expect(asQa(r.packages)).toEqual(qaShort(al2023));
    expect(r.packages).toHaveLength(102);
    await img.close();
  });
});

describe('rpm SQLite write-ahead log', () => {
  /** Make a WAL-mode copy of the AL2023 database with `sql` committed to its WAL only. */
  function walCopy(name: string, sql: string): string {
    const dir = join(tmp, name);
    mkdirSync(dir);
    const py = `
import shutil, sqlite3, sys, os
src, d = sys.argv[1], sys.argv[2]
shutil.copy(src, d + '/live.sqlite')
c = sqlite3.connect(d + '/live.sqlite')
c.execute('PRAGMA journal_mode=WAL')
c.execute('PRAGMA wal_autocheckpoint=0')
c.executescript(sys.argv[3])
c.commit()
os.makedirs(d + '/db')
shutil.copy(d + '/live.sqlite', d + '/db/rpmdb.sqlite')
shutil.copy(d + '/live.sqlite-wal', d + '/db/rpmdb.sqlite-wal')
os._exit(0)
`;
    execFileSync('python3', [
      '-c',
      py,
      join(VECTORS, 'go-rpmdb/pkg/testdata/amazonlinux2023-plain/rpmdb.sqlite'),
      dir,
      sql,
    ]);
    return join(dir, 'db');
  }

  it('applies committed WAL frames, as rpm (SQLite) does', async () => {
    const db = walCopy(
      'wal',
      'DELETE FROM Packages WHERE hnum IN (SELECT hnum FROM Packages ORDER BY hnum DESC LIMIT 3);'
    );
    const wal = readFileSync(join(db, 'rpmdb.sqlite-wal'));
    expect(wal.length).toBeGreaterThan(32);
    const expected = execFileSync('rpm', ['--dbpath', db, '-qa', '--qf', RPM_QF], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter((l) => l && !l.startsWith('gpg-pubkey|'));
    expect(expected.length).toBeLessThan(102);
    const { MemorySource } = await import('../../unpack/memory.js');
    const src = new MemorySource('wal', {
      'var/lib/rpm/rpmdb.sqlite': readFileSync(join(db, 'rpmdb.sqlite')),
      'var/lib/rpm/rpmdb.sqlite-wal': wal,
    });
    const r = await runCataloger(rpmCataloger, src);
    expect(r.packages.map((p) => p.name).sort()).toEqual(
      expected.map((l) => l.split('|')[0]).sort()
    );
    expect(r.findings.find((f) => f.code === 'DATABASE_WAL')?.severity).toBe('info');
    // A WAL that fails its checksums is reported as an error, not silently dropped.
    const bad = Buffer.from(wal);
    bad.writeUInt8(bad.readUInt8(40) ^ 0xff, 40);
    bad.writeUInt8(bad.readUInt8(24) ^ 0xff, 24);
    const r2 = await runCataloger(
      rpmCataloger,
      new MemorySource('bad wal', {
        'var/lib/rpm/rpmdb.sqlite': readFileSync(join(db, 'rpmdb.sqlite')),
        'var/lib/rpm/rpmdb.sqlite-wal': bad,
      })
    );
    expect(r2.findings.filter((f) => f.code === 'DATABASE_WAL').map((f) => f.severity)).toEqual([
      'error',
    ]);
  });
});
