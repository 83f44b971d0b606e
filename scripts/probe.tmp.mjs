import { writeTar, headerBlock, paxRecords } from './lib/tarwriter.mjs';
import { writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import tarStream from 'tar-stream';
import { Readable } from 'node:stream';
const dir = '/tmp/imgread/probe';
async function ts(buf) {
  const ex = tarStream.extract(); const out = [];
  return new Promise((res) => {
    ex.on('entry', (h, s, next) => { out.push([h.name, h.type, h.size, h.linkname ?? '']); s.on('end', next); s.resume(); });
    ex.on('finish', () => res({ ok: true, entries: out }));
    ex.on('error', (e) => res({ ok: false, error: e.message.slice(0, 60), entries: out }));
    Readable.from([buf]).pipe(ex);
    setTimeout(() => res({ ok: false, error: 'no finish event (hang)', entries: out }), 2000);
  });
}
function gnu(f) { const r = spawnSync('tar', ['-tvf', f], { encoding: 'utf8' }); return { ok: r.status === 0, out: r.stdout.trim().split('\n').map(l => l.split(/\s+/).slice(5).join(' ')), err: r.stderr.trim().slice(0, 100) }; }
function bsd(f) { const r = spawnSync('bsdtar', ['-tvf', f], { encoding: 'utf8' }); return { ok: r.status === 0, out: r.stdout.trim().split('\n').map(l => l.split(/\s+/).slice(8).join(' ')), err: r.stderr.trim().slice(0, 100) }; }
function py(f) { return JSON.parse(execFileSync('python3', [dir + '/readers.py', f], { encoding: 'utf8' })); }
const cases = {
  paxPathDiffers: writeTar([{ name: 'evil.sh', ustarName: 'innocent.txt', data: 'x', pax: [['path', 'evil.sh']] }]),
  dupPaxKey: writeTar([{ name: 'a', data: 'x', pax: [['path', 'one'], ['path', 'two']] }]),
  twoPaxHeaders: writeTar([{ rawBlocks: Buffer.concat([headerBlock({ name: 'x1', typeflag: 'x', size: paxRecords([['path', 'first']]).length }), paxRecords([['path', 'first']]), Buffer.alloc(512 - paxRecords([['path', 'first']]).length % 512)]) }, { name: 'second', ustarName: 'b', data: 'x', pax: [['path', 'second']] }]),
  gnuAndPax: writeTar([{ name: 'b', gnuLongName: 'gnuname', pax: [['path', 'paxname']], ustarName: 'b', data: 'x' }]),
  dataAfterEnd: writeTar([{ name: 'a', data: 'x' }], { trailer: writeTar([{ name: 'hidden', data: 'y' }]) }),
  loneZeroThenEntry: writeTar([{ name: 'a', data: 'x' }], { endBlocks: 1, trailer: writeTar([{ name: 'hidden', data: 'y' }]) }),
  badChecksumMid: writeTar([{ name: 'a', data: 'x' }, { name: 'bad', data: 'y', header: { checksum: 1234 } }, { name: 'c', data: 'z' }]),
  sparse: writeTar([{ name: 'sp', typeflag: 'S', data: 'abc' }]),
  contiguous: writeTar([{ name: 'cont', typeflag: '7', data: 'abc' }, { name: 'after', data: 'q' }]),
  unknownType: writeTar([{ name: 'weird', typeflag: 'Z', data: 'abc' }, { name: 'after', data: 'q' }]),
  dirWithData: writeTar([{ name: 'd/', type: 'dir', size: 512, data: '' }, { rawBlocks: headerBlock({ name: 'smuggled', size: 0 }) }, { name: 'after', data: 'q' }]),
  regSlash: writeTar([{ name: 'x/', typeflag: '0', data: '' }]),
  nulInSize: writeTar([{ name: 'a', data: 'hello', header: { sizeField: Buffer.from('\x0000000000005', 'latin1') } }]),
  gnuPrefix: writeTar([{ name: 'a', data: 'x', header: { magic: 'ustar  \0', prefix: 'evil' } }]),
  globalPath: writeTar([{ rawBlocks: Buffer.concat([headerBlock({ name: 'g', typeflag: 'g', size: paxRecords([['path', 'glob']]).length }), paxRecords([['path', 'glob']]), Buffer.alloc(512 - paxRecords([['path', 'glob']]).length % 512)]) }, { name: 'a', data: 'x' }]),
  dup: writeTar([{ name: 'a', data: 'one' }, { name: 'a', data: 'two' }]),
  ctrl: writeTar([{ name: 'a\x1b[31mb', data: 'x' }]),
  symParent: writeTar([{ name: 'l', type: 'symlink', linkname: '/etc' }, { name: 'l/passwd', data: 'x' }]),
};
const only = process.argv[2];
for (const [k, buf] of Object.entries(cases)) {
  if (only && !only.split(',').includes(k)) continue;
  const f = `${dir}/${k}.tar`; writeFileSync(f, buf);
  console.log(`== ${k}`);
  console.log('  gnu ', JSON.stringify(gnu(f)));
  console.log('  bsd ', JSON.stringify(bsd(f)));
  console.log('  py  ', JSON.stringify(py(f)));
  console.log('  ts  ', JSON.stringify(await ts(buf)));
}
