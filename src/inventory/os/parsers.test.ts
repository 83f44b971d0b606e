import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../../unpack/memory.js';
import { runCataloger } from '../cataloger.js';
import { imagePartOf } from '../image.js';
import { apkCataloger, parseApkInstalled } from './apk.js';
import { isBdbHash, readBdbHashValues } from './bdb.js';
import { dpkgCataloger, parseDiversions, parseStanzas, relationNames, sourceOf } from './dpkg.js';
import { parseOsRelease, parseSystemRelease } from './release.js';
import { RpmHeader, TAG } from './rpm-header.js';
import { rpmCataloger } from './rpm.js';
import { applyWal } from './sqlite.js';
import { VECTORS } from './testing.js';

const LIBUUID = readFileSync(join(VECTORS, 'go-rpmdb/pkg/testdata/libuuid/Packages'));

describe('os-release', () => {
  it('parses quoted, unquoted and escaped values', () => {
    const f = parseOsRelease(
      '# comment\nNAME="Amazon Linux"\nID=amzn\nVERSION_ID=\'2023\'\nPRETTY_NAME="say \\"hi\\""\nbogus line\n'
    );
    expect(Object.fromEntries(f)).toEqual({
      NAME: 'Amazon Linux',
      ID: 'amzn',
      VERSION_ID: '2023',
      PRETTY_NAME: 'say "hi"',
    });
  });
  it('reads system-release of Amazon Linux 2', () => {
    expect(parseSystemRelease('Amazon Linux release 2 (Karoo)\n')).toMatchObject({
      id: 'amzn',
      versionId: '2',
    });
    expect(parseSystemRelease('nonsense')).toBeUndefined();
  });
});

describe('image parts', () => {
  it.each([
    ['var/task/app.py', 'function'],
    ['var/task', 'function'],
    ['opt/python/lib/x.py', 'opt'],
    ['var/runtime/bootstrap', 'runtime'],
    ['var/lang/lib/node_modules/npm/package.json', 'runtime'],
    ['usr/lib/libc.so.6', 'os'],
    ['var/taskforce/x', 'os'],
  ])('%s is %s', (path, part) => {
    expect(imagePartOf(path)).toBe(part);
  });
  it('follows a custom task root', () => {
    expect(imagePartOf('app/main.py', { taskRoot: '/app' })).toBe('function');
    expect(imagePartOf('var/task/x', { taskRoot: '/app' })).toBe('os');
  });
});

describe('dpkg parsing', () => {
  it('parses stanzas with continuation lines', () => {
    const s = parseStanzas(
      'Package: a\nDescription: short\n long\n .\n more\n\n\nPackage: b\nVersion: 1\n'
    );
    expect(s.map((m) => Object.fromEntries(m))).toEqual([
      { package: 'a', description: 'short\nlong\n.\nmore' },
      { package: 'b', version: '1' },
    ]);
    expect(() => parseStanzas(' orphan continuation')).toThrow();
  });
  it("reads dpkg-divert's diversions: three lines each, absolute paths", () => {
    const d = parseDiversions(
      '/usr/bin/pg_config\n/usr/bin/pg_config.libpq-dev\npostgresql-common\n/sbin/initctl\n/sbin/initctl.distrib\n:\n'
    );
    expect(d.unread).toBe(false);
    expect([...d.to]).toEqual([
      ['/usr/bin/pg_config', { to: '/usr/bin/pg_config.libpq-dev', by: 'postgresql-common' }],
      ['/sbin/initctl', { to: '/sbin/initctl.distrib', by: ':' }],
    ]);
    expect(parseDiversions('').to.size).toBe(0);
    expect(() => parseDiversions('/usr/bin/x\n/usr/bin/x.real\n')).toThrow(/three lines/);
    expect(() => parseDiversions('usr/bin/x\n/usr/bin/x.real\np\n')).toThrow(/absolute/);
    for (const into of ['/usr/bin/../../opt/bin/x', '/usr//bin/x', '/usr/bin/./x'])
      expect(() => parseDiversions(`/usr/bin/x\n${into}\np\n`)).toThrow(/canonical/);
  });
  it('reads relation fields and source fields', () => {
    expect(relationNames('libc6 (>= 2.34), a | b:any, c [amd64]')).toEqual([
      ['libc6'],
      ['a', 'b'],
      ['c'],
    ]);
    expect(sourceOf('glibc (2.36-9)')).toEqual({ name: 'glibc', version: '2.36-9' });
    expect(sourceOf('zlib')).toEqual({ name: 'zlib' });
  });
  it('reads distroless status.d files and their md5sums', async () => {
    const bin = Buffer.from('binary');
    const md5 = createHash('md5').update(bin).digest('hex');
    const r = await runCataloger(
      dpkgCataloger,
      new MemorySource('distroless', {
        'var/lib/dpkg/status.d/tzdata':
          'Package: tzdata\nVersion: 2024a-0+deb12u1\nArchitecture: all\n',
        'var/lib/dpkg/status.d/tool': 'Package: tool\nVersion: 1.0\nArchitecture: amd64\n',
        'var/lib/dpkg/status.d/tool.md5sums': `${md5}  usr/bin/tool\n`,
        'usr/bin/tool': { data: bin, mode: 0o755 },
      })
    );
    expect(r.packages.map((p) => p.name).sort()).toEqual(['tool', 'tzdata']);
    expect(r.packages.find((p) => p.name === 'tool')?.owns).toEqual(['usr/bin/tool']);
    expect(r.findings).toEqual([]);
  });
  it('turns a malformed status file into a finding', async () => {
    const r = await runCataloger(
      dpkgCataloger,
      new MemorySource('bad', { 'var/lib/dpkg/status': 'Package: x\nno colon here\n' })
    );
    expect(r.findings.map((f) => f.code)).toEqual(['PARSE_ERROR']);
  });
});

describe('apk parsing', () => {
  it('reads blocks, files under F: and checksums', () => {
    const recs = parseApkInstalled(
      'C:Q1abc=\nP:musl\nV:1.2.3-r4\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\nZ:Q1AAAA\nR:libc.so\n\nP:zlib\nV:1\n'
    );
    expect(recs.map((r) => [r.fields.get('P'), r.files])).toEqual([
      ['musl', [{ path: 'lib/ld-musl-x86_64.so.1', checksum: 'Q1AAAA' }, { path: 'lib/libc.so' }]],
      ['zlib', []],
    ]);
  });
  it('flags a modified file (sha1 Q1 checksums) and links dependencies through provides', async () => {
    const sha1 = (s: string): string => createHash('sha1').update(s).digest('base64');
    const db = [
      `P:app\nV:1\nA:x86_64\nD:so:libz.so.1\nF:usr/bin\nR:app\nZ:Q1${sha1('original')}`,
      `P:zlib\nV:1.2\nA:x86_64\np:so:libz.so.1=1\nF:lib\nR:libz.so.1\nZ:Q1${sha1('zlib')}`,
    ].join('\n\n');
    const r = await runCataloger(
      apkCataloger,
      new MemorySource('alpine', {
        'lib/apk/db/installed': db,
        'usr/bin/app': 'tampered',
        'lib/libz.so.1': 'zlib',
      })
    );
    const app = r.packages.find((p) => p.name === 'app')!;
    const zlib = r.packages.find((p) => p.name === 'zlib')!;
    expect(app.dependsOn).toEqual([zlib.id]);
    expect(r.findings.map((f) => [f.code, f.path])).toEqual([
      ['PACKAGE_FILE_MODIFIED', 'usr/bin/app'],
    ]);
  });
});

describe('rpm headers and Berkeley DB, hostile input', () => {
  const blobs = readBdbHashValues(LIBUUID).filter((b) => b.length >= 16);

  it('parses the real header', () => {
    const h = new RpmHeader(blobs[0]!);
    expect(h.string(TAG.NAME)).toBe('libuuid');
    expect(h.files().length).toBeGreaterThan(0);
  });

  it('never reads outside a mutated header: a value or an Error, never a crash', () => {
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const base = blobs[0]!;
    for (let i = 0; i < 500; i++) {
      const b = Buffer.from(base);
      for (let k = 0; k < 3; k++)
        b[Math.floor(next() * Math.min(b.length, 2048))] = Math.floor(next() * 256);
      try {
        const h = new RpmHeader(b);
        h.string(TAG.NAME);
        h.files();
        h.ints(TAG.FILEMODES);
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect(err).not.toBeInstanceOf(RangeError);
      }
    }
  });

  it('refuses Berkeley DB files whose pages lie, without looping', () => {
    expect(isBdbHash(Buffer.alloc(100))).toBe(false);
    const loop = Buffer.from(LIBUUID);
    const pageSize = loop.readUInt32LE(20);
    // Point every overflow page at itself.
    for (let o = pageSize; o < loop.length; o += pageSize)
      if (loop[o + 25] === 7) loop.writeUInt32LE(o / pageSize, o + 16);
    expect(() => readBdbHashValues(loop)).toThrow(/loops|length/);
    const lastPage = Buffer.from(LIBUUID);
    lastPage.writeUInt32LE(1_000_000, 32);
    expect(() => readBdbHashValues(lastPage)).toThrow(/past the end/);
  });

  it('refuses an SQLite database whose Packages is a view (a query that never ends) as an error finding', async () => {
    // Build the hostile database with the same engine, in memory.
    const { default: init } = await import('sql.js');
    const SQL = await init();
    const db = new SQL.Database();
    db.run(
      "CREATE VIEW Packages AS WITH RECURSIVE n(hnum, blob) AS (SELECT 1, x'00' UNION ALL SELECT hnum + 1, blob FROM n) SELECT * FROM n"
    );
    const bytes = Buffer.from(db.export());
    db.close();
    const r = await runCataloger(
      rpmCataloger,
      new MemorySource('view', { 'var/lib/rpm/rpmdb.sqlite': bytes })
    );
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([['PARSE_ERROR', 'error']]);
    // A corrupt database file is an error finding too.
    const corrupt = Buffer.from(
      readFileSync(join(VECTORS, 'go-rpmdb/pkg/testdata/amazonlinux2023-plain/rpmdb.sqlite'))
    );
    corrupt.fill(0xaa, 4096, 3 * 4096);
    const r2 = await runCataloger(
      rpmCataloger,
      new MemorySource('corrupt', { 'var/lib/rpm/rpmdb.sqlite': corrupt })
    );
    expect(r2.findings.map((f) => [f.code, f.severity])).toEqual([['PARSE_ERROR', 'error']]);
  });

  it('ignores a WAL of the wrong page size, reporting why', () => {
    const db = readFileSync(
      join(VECTORS, 'go-rpmdb/pkg/testdata/amazonlinux2023-plain/rpmdb.sqlite')
    );
    const wal = Buffer.alloc(64);
    wal.writeUInt32BE(0x377f0682, 0);
    wal.writeUInt32BE(1024, 8);
    expect(applyWal(db, wal).problem).toMatch(/page size/);
    expect(applyWal(db, undefined).applied).toBe(0);
  });
});
