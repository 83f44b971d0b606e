#!/usr/bin/env node
// Builds container-image layer fixtures from real package contents:
//   testdata/images/layers/debian/{0,1,2}.tar  a Debian 12 image: real .debs (apt-get download,
//       pinned versions below) unpacked over usrmerge symlinks with the dpkg database dpkg would
//       write (status, info/*.list, info/*.md5sums); then /opt (the sample Lambda layer) and the
//       function code; then "apt-get remove jq" as whiteouts, an opaque /opt/python, a removed npm
//       package and one package file modified.
//   testdata/images/layers/al2023/0.tar         the real Amazon Linux 2023 rpm database (vector)
//   testdata/images/layers/al2-{le,be}/0.tar    an Amazon Linux 2 style Berkeley DB hash rpm
//       database (db_load, both byte orders) holding the real AL2023 rpm headers
// Needs: apt-get (Debian bookworm sources), dpkg-deb, GNU tar, unzip, sqlite3, db_load (db-util).
// Deterministic: pinned package versions, entries sorted, mtime/uid/gid 0, layers written by
// scripts/lib/tarwriter.mjs. Run: node scripts/fixtures-images.mjs
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeTar } from './lib/tarwriter.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'testdata/images/layers');
const vectors = join(root, 'testdata/images/vectors/go-rpmdb/pkg/testdata');
const sampleZip = join(root, 'testdata/layers/sample-layer.zip');

/** Pinned Debian 12 packages: a program, its libraries, a usrmerge library with an epoch, base-files. */
const DEBS = {
  'base-files': '12.4+deb12u15',
  jq: '1.6-2.1+deb12u3',
  libjq1: '1.6-2.1+deb12u3',
  libonig5: '6.9.8-1',
  libcap2: '1:2.66-4+deb12u3+b1',
};

const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
    ...opts,
  });

/** Every path under `dir`, as tar entries sorted by path (hardlinks by inode after the first). */
function treeEntries(dir, prefix = '') {
  const entries = [];
  const seen = new Map();
  const walk = (rel) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      const name2 = `${prefix}${p}`;
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink())
        entries.push({ name: name2, type: 'symlink', linkname: readlinkSync(join(dir, p)) });
      else if (st.isDirectory()) {
        entries.push({ name: `${name2}/`, type: 'dir', mode });
        walk(p);
      } else if (st.nlink > 1 && seen.has(st.ino)) {
        entries.push({ name: name2, type: 'hardlink', linkname: seen.get(st.ino), mode });
      } else {
        if (st.nlink > 1) seen.set(st.ino, name2);
        entries.push({ name: name2, data: readFileSync(join(dir, p)), mode });
      }
    }
  };
  walk('');
  return entries;
}

/**
 * db_load leaves a random file id in the meta page and uninitialised bytes in
 * free space and padding; zero them so the file is reproducible.
 */
function normaliseBdb(buf, le) {
  // (page layout: Berkeley DB dbinc/db_page.h)
  const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const pageSize = le ? buf.readUInt32LE(20) : buf.readUInt32BE(20);
  buf.fill(0, 52, 72);
  for (let o = pageSize; o < buf.length; o += pageSize) {
    if (buf[o + 25] === 7) {
      // Overflow page: hf_offset is the data length; the rest is unused.
      buf.fill(0, o + 26 + u16(o + 22), o + pageSize);
      continue;
    }
    if (buf[o + 25] !== 13) continue;
    const entries = u16(o + 20);
    const from = o + 26 + entries * 2;
    const to = o + u16(o + 22);
    if (to > from) buf.fill(0, from, to);
    // Off-page items carry three unused bytes after their type.
    for (let k = 0; k < entries; k++) {
      const at = o + u16(o + 26 + k * 2);
      if (buf[at] === 3) buf.fill(0, at + 1, at + 4);
    }
  }
}

const work = mkdtempSync(join(tmpdir(), 'lamina-fixtures-images-'));
try {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  // ---- Debian image
  const debDir = join(work, 'debs');
  mkdirSync(debDir);
  run('apt-get', ['download', '-q', ...Object.entries(DEBS).map(([p, v]) => `${p}=${v}`)], {
    cwd: debDir,
  });
  const rootfs = join(work, 'rootfs');
  mkdirSync(join(rootfs, 'usr/bin'), { recursive: true });
  mkdirSync(join(rootfs, 'usr/lib'), { recursive: true });
  mkdirSync(join(rootfs, 'usr/sbin'), { recursive: true });
  // usrmerge, as Debian 12 images have it: /lib/x from a .deb lands in usr/lib/x.
  for (const d of ['bin', 'lib', 'sbin']) symlinkSync(`usr/${d}`, join(rootfs, d));
  const info = join(rootfs, 'var/lib/dpkg/info');
  mkdirSync(info, { recursive: true });
  const stanzas = [];
  for (const file of readdirSync(debDir).sort()) {
    const deb = join(debDir, file);
    // Unpack as dpkg does: through the usrmerge directory symlinks, not over them.
    run('sh', [
      '-c',
      'dpkg-deb --fsys-tarfile "$1" | tar -x --keep-directory-symlink -C "$2"',
      'sh',
      deb,
      rootfs,
    ]);
    const control = run('dpkg-deb', ['-f', deb]).trimEnd();
    const f = Object.fromEntries(
      control
        .split('\n')
        .filter((l) => /^\S+:/.test(l))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()])
    );
    const stem = f['Multi-Arch'] === 'same' ? `${f.Package}:${f.Architecture}` : f.Package;
    // dpkg writes Status right after Package.
    stanzas.push(control.replace(/^(Package: .*)$/m, '$1\nStatus: install ok installed'));
    const names = run('dpkg-deb', ['-c', deb])
      .split('\n')
      .filter(Boolean)
      .map((l) =>
        l
          .split(/\s+/)
          .slice(5)
          .join(' ')
          .replace(/ -> .*$/, '')
          .replace(/^\.\/?/, '/')
          .replace(/(.)\/$/, '$1')
      );
    writeFileSync(
      join(info, `${stem}.list`),
      `${names.map((n) => (n === '/' ? '/.' : n)).join('\n')}\n`
    );
    const ctl = join(work, `ctl-${f.Package}`);
    run('dpkg-deb', ['-e', deb, ctl]);
    writeFileSync(join(info, `${stem}.md5sums`), readFileSync(join(ctl, 'md5sums')));
  }
  // A package removed with its configuration kept: not installed, must not be inventoried.
  stanzas.push(
    'Package: oldtool\nStatus: deinstall ok config-files\nPriority: optional\nSection: utils\nInstalled-Size: 10\nMaintainer: Nobody <nobody@example.org>\nArchitecture: amd64\nVersion: 0.9-1\nConffiles:\n /etc/oldtool.conf 0123456789abcdef0123456789abcdef\nDescription: a removed tool'
  );
  const status = `${stanzas.join('\n\n')}\n`;
  writeFileSync(join(rootfs, 'var/lib/dpkg/status'), status);
  const deb = join(out, 'debian');
  mkdirSync(deb);
  writeFileSync(join(deb, '0.tar'), writeTar(treeEntries(rootfs)));

  // Layer 1: the sample Lambda layer under /opt, function code, runtime bits.
  const app = join(work, 'app');
  mkdirSync(join(app, 'opt'), { recursive: true });
  run('unzip', ['-q', '-X', sampleZip, '-d', join(app, 'opt')]);
  mkdirSync(join(app, 'var/task'), { recursive: true });
  writeFileSync(join(app, 'var/task/index.mjs'), 'export const handler = async () => "ok";\n');
  mkdirSync(join(app, 'var/runtime'), { recursive: true });
  writeFileSync(
    join(app, 'var/runtime/bootstrap'),
    '#!/bin/sh\nexec /var/lang/bin/node /var/runtime/index.mjs\n',
    { mode: 0o755 }
  );
  writeFileSync(join(deb, '1.tar'), writeTar(treeEntries(app)));

  // Layer 2: apt-get remove jq; rm an npm package; replace /opt/python; a modified library.
  const withoutJq = `${stanzas.filter((s) => !s.startsWith('Package: jq\n')).join('\n\n')}\n`;
  const nodeModules = readdirSync(join(app, 'opt/nodejs/node_modules'))
    .filter((n) => !n.startsWith('.') && !n.startsWith('@'))
    .sort();
  const removedNpm = nodeModules[0];
  const onig = readdirSync(join(rootfs, 'usr/lib/x86_64-linux-gnu')).find((n) =>
    /^libonig\.so\.\d+\.\d+\.\d+$/.test(n)
  );
  writeFileSync(
    join(deb, '2.tar'),
    writeTar([
      { name: 'opt/', type: 'dir' },
      { name: 'opt/nodejs/', type: 'dir' },
      { name: 'opt/nodejs/node_modules/', type: 'dir' },
      { name: `opt/nodejs/node_modules/.wh.${removedNpm}`, data: '' },
      { name: 'opt/python/', type: 'dir' },
      { name: 'opt/python/NOTE.txt', data: 'replaced by an opaque whiteout\n' },
      { name: 'opt/python/.wh..wh..opq', data: '' },
      { name: 'usr/', type: 'dir' },
      { name: 'usr/bin/', type: 'dir' },
      { name: 'usr/bin/.wh.jq', data: '' },
      { name: 'usr/lib/', type: 'dir' },
      { name: 'usr/lib/x86_64-linux-gnu/', type: 'dir' },
      { name: `usr/lib/x86_64-linux-gnu/${onig}`, data: 'not the library dpkg installed\n' },
      { name: 'usr/share/', type: 'dir' },
      { name: 'usr/share/doc/', type: 'dir' },
      { name: 'usr/share/doc/.wh.jq', data: '' },
      { name: 'usr/share/man/', type: 'dir' },
      { name: 'usr/share/man/man1/', type: 'dir' },
      { name: 'usr/share/man/man1/.wh.jq.1.gz', data: '' },
      { name: 'var/', type: 'dir' },
      { name: 'var/lib/', type: 'dir' },
      { name: 'var/lib/dpkg/', type: 'dir' },
      { name: 'var/lib/dpkg/info/', type: 'dir' },
      { name: 'var/lib/dpkg/info/.wh.jq.list', data: '' },
      { name: 'var/lib/dpkg/info/.wh.jq.md5sums', data: '' },
      { name: 'var/lib/dpkg/status', data: withoutJq },
    ])
  );

  // ---- Amazon Linux 2023: the real rpm database
  const al2023 = join(out, 'al2023');
  mkdirSync(al2023);
  const release2023 =
    'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\nVERSION_ID="2023"\nPLATFORM_ID="platform:al2023"\nPRETTY_NAME="Amazon Linux 2023"\n';
  writeFileSync(
    join(al2023, '0.tar'),
    writeTar([
      { name: 'etc/', type: 'dir' },
      { name: 'etc/os-release', data: release2023 },
      { name: 'var/', type: 'dir' },
      { name: 'var/lib/', type: 'dir' },
      { name: 'var/lib/rpm/', type: 'dir' },
      {
        name: 'var/lib/rpm/rpmdb.sqlite',
        data: readFileSync(join(vectors, 'amazonlinux2023-plain/rpmdb.sqlite')),
      },
    ])
  );

  // ---- Amazon Linux 2 style: a Berkeley DB hash of the same real headers, both byte orders
  const sqlite = join(vectors, 'amazonlinux2023-plain/rpmdb.sqlite');
  const rows = run('sqlite3', [sqlite, 'SELECT hnum, hex(blob) FROM Packages ORDER BY hnum'])
    .trim()
    .split('\n')
    .map((l) => l.split('|'));
  const key = (n) =>
    Buffer.alloc(4)
      .fill(0)
      .map((_, i) => (Number(n) >> (8 * i)) & 0xff); // little-endian uint32, as rpm's BDB keys
  for (const [tag, lorder] of [
    ['le', 1234],
    ['be', 4321],
  ]) {
    const dump = [
      'VERSION=3',
      'format=bytevalue',
      'type=hash',
      `db_lorder=${lorder}`,
      'db_pagesize=4096',
      'HEADER=END',
      ` ${Buffer.from(key(0)).toString('hex')}`,
      ` ${Buffer.from(key(Math.max(...rows.map(([n]) => Number(n))))).toString('hex')}`,
      ...rows.flatMap(([n, hex]) => [
        ` ${Buffer.from(key(n)).toString('hex')}`,
        ` ${hex.toLowerCase()}`,
      ]),
      'DATA=END',
      '',
    ].join('\n');
    const dbFile = join(work, `Packages-${tag}`);
    writeFileSync(`${dbFile}.dump`, dump);
    run('db_load', ['-f', `${dbFile}.dump`, dbFile]);
    const bdb = readFileSync(dbFile);
    normaliseBdb(bdb, lorder === 1234);
    writeFileSync(dbFile, bdb);
    const dir = join(out, `al2-${tag}`);
    mkdirSync(dir);
    writeFileSync(
      join(dir, '0.tar'),
      writeTar([
        { name: 'etc/', type: 'dir' },
        {
          name: 'etc/os-release',
          data: 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\nVERSION_ID="2"\nPRETTY_NAME="Amazon Linux 2"\n',
        },
        { name: 'etc/system-release', data: 'Amazon Linux release 2 (Karoo)\n' },
        { name: 'var/', type: 'dir' },
        { name: 'var/lib/', type: 'dir' },
        { name: 'var/lib/rpm/', type: 'dir' },
        { name: 'var/lib/rpm/Packages', data: readFileSync(dbFile) },
      ])
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`wrote ${out}`);
