/**
 * Test stand-in for lamina's tar reader (src/unpack) as an ArchiveIndexer:
 * lists the members of a small, well-formed ustar/PAX archive with their data
 * offsets. It does none of the ambiguity checks the real reader does, so it
 * is only for archives the tests write themselves.
 */
import { readFile } from 'node:fs/promises';
import type { ArchiveIndexer, ArchiveMember } from '../docker-archive.js';

function field(h: Buffer, off: number, len: number): string {
  const raw = h.subarray(off, off + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function octal(h: Buffer, off: number, len: number): number {
  const s = field(h, off, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const len = Number(data.subarray(pos, space).toString('ascii'));
    const rec = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    pos += len;
  }
  return out;
}

const TYPES: Record<string, ArchiveMember['type']> = {
  '0': 'file',
  '\0': 'file',
  '': 'file',
  '5': 'directory',
  '2': 'symlink',
  '1': 'hardlink',
};

export const listTarMembers: ArchiveIndexer = async (file, { maxMembers }) => {
  const buf = await readFile(file);
  const members: ArchiveMember[] = [];
  let pax = new Map<string, string>();
  for (let off = 0; off + 512 <= buf.length;) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const dataOffset = off + 512;
    off = dataOffset + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      pax = paxRecords(buf.subarray(dataOffset, dataOffset + size));
      continue;
    }
    const prefix = field(h, 345, 155);
    const ustar = field(h, 0, 100);
    const name = pax.get('path') ?? (prefix ? `${prefix}/${ustar}` : ustar);
    const linkname = pax.get('linkpath') ?? field(h, 157, 100);
    pax = new Map();
    const kind = TYPES[type] ?? 'other';
    members.push({
      name: name.replace(/^\.\//, '').replace(/\/$/, ''),
      type: kind,
      size: kind === 'file' ? size : 0,
      dataOffset,
      ...(kind === 'symlink' || kind === 'hardlink' ? { linkname } : {}),
    });
    if (members.length > maxMembers) throw new Error('too many members');
  }
  return members;
};
