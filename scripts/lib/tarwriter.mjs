// A small deterministic tar writer for fixtures and tests. Without overrides it
// writes what Go's archive/tar writes for container layers: ustar headers, a PAX
// extended header when a name is longer than 100 bytes or not ASCII (the ustar
// field then holds Go's fallback: the ASCII characters, cut at 100 bytes),
// mtime/uid/gid 0, and two zero blocks at the end. Overrides make the hostile
// archives the reader must refuse (see tarwriter.d.mts).

const BLOCK = 512;

const TYPEFLAG = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

function octal(n, width) {
  // width-1 octal digits and a NUL, as Go and GNU tar write numeric fields.
  return Buffer.from(n.toString(8).padStart(width - 1, '0') + '\0', 'latin1');
}

function field(block, offset, width, value) {
  if (value === undefined) return;
  const b = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  b.copy(block, offset, 0, Math.min(b.length, width));
}

function goFallback(s) {
  let ascii = '';
  for (const ch of s) if (ch.codePointAt(0) < 0x80 && ch !== '\0') ascii += ch;
  const b = Buffer.from(ascii, 'latin1');
  if (b.length <= 100) return b;
  let n = 100;
  if (b[99] === 0x2f) {
    n = 99;
    while (n > 0 && b[n - 1] === 0x2f) n--;
  }
  return b.subarray(0, n);
}

function fitsUstar(s) {
  // eslint-disable-next-line no-control-regex
  return /^[\x01-\x7f]*$/.test(s) && Buffer.byteLength(s) <= 100;
}

/** One header block. `h` fields are raw overrides on top of the computed ones. */
export function headerBlock(h) {
  const block = Buffer.alloc(BLOCK);
  field(block, 0, 100, h.name);
  block.set(h.modeField ?? octal(h.mode ?? 0o644, 8), 100);
  block.set(h.uidField ?? octal(h.uid ?? 0, 8), 108);
  block.set(h.gidField ?? octal(h.gid ?? 0, 8), 116);
  block.set(h.sizeField ?? octal(h.size ?? 0, 12), 124);
  block.set(h.mtimeField ?? octal(h.mtime ?? 0, 12), 136);
  block.write(h.typeflag ?? '0', 156, 'latin1');
  field(block, 157, 100, h.linkname);
  const magic = h.magic ?? 'ustar\x0000';
  block.write(magic, 257, 'latin1');
  field(block, 265, 32, h.uname ?? (magic.startsWith('ustar') ? 'root' : ''));
  field(block, 297, 32, h.gname ?? (magic.startsWith('ustar') ? 'root' : ''));
  if (magic.startsWith('ustar')) {
    block.set(octal(0, 8), 329);
    block.set(octal(0, 8), 337);
  }
  field(block, 345, 155, h.prefix);
  if (h.raw) for (const [off, bytes] of h.raw) Buffer.from(bytes).copy(block, off);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  const chk = h.checksum ?? sum;
  Buffer.from(chk.toString(8).padStart(6, '0') + '\0 ', 'latin1').copy(block, 148);
  return block;
}

function pad(n) {
  return Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK);
}

/** PAX records `LEN key=value\n`. */
export function paxRecords(records) {
  const parts = [];
  for (const [k, v] of records) {
    const body = Buffer.concat([Buffer.from(` ${k}=`, 'utf8'), Buffer.from(v), Buffer.from('\n')]);
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    parts.push(Buffer.from(String(len), 'latin1'), body);
  }
  return Buffer.concat(parts);
}

function metaEntry(typeflag, name, data) {
  return [headerBlock({ name, typeflag, size: data.length }), data, pad(data.length)];
}

/**
 * Write a tar archive.
 * @param {import('./tarwriter.d.mts').TarEntry[]} entries
 * @param {import('./tarwriter.d.mts').TarOptions} [opts]
 */
export function writeTar(entries, opts = {}) {
  const out = [];
  for (const e of entries) {
    if (e.rawBlocks) {
      out.push(e.rawBlocks);
      continue;
    }
    const type = e.type ?? 'file';
    const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
    const name = e.name;
    const link = e.linkname;
    const pax = [...(e.pax ?? [])];
    let ustarName = e.ustarName;
    let ustarLink = e.ustarLinkname;
    if (ustarName === undefined) {
      if (fitsUstar(name) || e.noPax) ustarName = name;
      else {
        if (!pax.some(([k]) => k === 'path')) pax.unshift(['path', name]);
        ustarName = goFallback(name);
      }
    }
    if (link !== undefined && ustarLink === undefined) {
      if (fitsUstar(link) || e.noPax) ustarLink = link;
      else {
        if (!pax.some(([k]) => k === 'linkpath')) pax.push(['linkpath', link]);
        ustarLink = goFallback(link);
      }
    }
    if (e.gnuLongName !== undefined)
      out.push(...metaEntry('L', '././@LongLink', Buffer.from(`${e.gnuLongName}\0`)));
    if (e.gnuLongLink !== undefined)
      out.push(...metaEntry('K', '././@LongLink', Buffer.from(`${e.gnuLongLink}\0`)));
    if (pax.length > 0) {
      const body = paxRecords(pax);
      out.push(...metaEntry('x', `PaxHeaders/${String(ustarName).slice(0, 80)}`, body));
    }
    const size = e.size ?? (type === 'file' ? data.length : 0);
    out.push(
      headerBlock({
        ...e.header,
        name: ustarName,
        linkname: ustarLink,
        typeflag: e.typeflag ?? TYPEFLAG[type],
        mode: e.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
        size,
      })
    );
    if (data.length > 0) out.push(data, pad(data.length));
  }
  if (opts.end !== false) out.push(Buffer.alloc(BLOCK * (opts.endBlocks ?? 2)));
  if (opts.trailer) out.push(opts.trailer);
  return Buffer.concat(out);
}
