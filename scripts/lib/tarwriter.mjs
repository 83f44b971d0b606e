// A small deterministic tar writer (ustar, with a PAX `path`/`linkpath`
// record for names longer than ustar holds) for image fixtures and tests:
// owner 0:0, no user or group names, mtime 0 unless given, two zero blocks
// at the end. Same entries in, same bytes out.
//
// Format: POSIX.1-2001 pax (IEEE Std 1003.1, "pax - portable archive interchange").

const BLOCK = 512;

function octal(n, width) {
  // width includes the terminating NUL
  const s = n.toString(8);
  if (s.length > width - 1) throw new Error(`tarwriter: ${n} does not fit in ${width} octal bytes`);
  return s.padStart(width - 1, '0') + '\0';
}

function header(fields) {
  const h = Buffer.alloc(BLOCK, 0);
  const put = (s, off, len) => {
    const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8');
    if (b.length > len) throw new Error(`tarwriter: field too long (${b.length} > ${len})`);
    b.copy(h, off);
  };
  put(fields.name, 0, 100);
  put(octal(fields.mode, 8), 100, 8);
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(fields.size, 12), 124, 12);
  put(octal(fields.mtime, 12), 136, 12);
  h.fill(0x20, 148, 156); // checksum computed with spaces
  put(fields.type, 156, 1);
  put(fields.linkname ?? '', 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(fields.prefix ?? '', 345, 155);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(octal(sum, 7) + ' ', 148, 8);
  return h;
}

function pad(n) {
  return Buffer.alloc((BLOCK - (n % BLOCK)) % BLOCK, 0);
}

function paxRecord(key, value) {
  // "%d %s=%s\n" where the decimal length counts its own digits too.
  const body = ` ${key}=${value}\n`;
  const n = Buffer.byteLength(body);
  let len = n + 1;
  while (len !== n + String(len).length) len = n + String(len).length;
  return `${len}${body}`;
}

const TYPES = { file: '0', hardlink: '1', symlink: '2', dir: '5' };

/**
 * Build a tar archive in memory.
 * @param {import('./tarwriter.d.mts').TarEntry[]} entries
 * @returns {Buffer}
 */
export function writeTar(entries) {
  const parts = [];
  for (const e of entries) {
    const type = e.type ?? (e.name.endsWith('/') ? 'dir' : 'file');
    const data =
      type === 'file'
        ? Buffer.isBuffer(e.data)
          ? e.data
          : Buffer.from(e.data ?? '', 'utf8')
        : Buffer.alloc(0);
    const name = type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
    const mode = e.mode ?? (type === 'dir' ? 0o755 : type === 'symlink' ? 0o777 : 0o644);
    const mtime = 0;
    const pax = [];
    let ustarName = name;
    if (Buffer.byteLength(name) > 100) {
      pax.push(paxRecord('path', name));
      ustarName = Buffer.from(name).subarray(0, 100).toString('latin1');
    }
    let linkname = e.linkname;
    if (linkname !== undefined && Buffer.byteLength(linkname) > 100) {
      pax.push(paxRecord('linkpath', linkname));
      linkname = Buffer.from(linkname).subarray(0, 100).toString('latin1');
    }
    if (pax.length > 0) {
      const body = Buffer.from(pax.join(''), 'utf8');
      parts.push(
        header({ name: 'PaxHeaders/entry', mode: 0o644, size: body.length, mtime, type: 'x' }),
        body,
        pad(body.length)
      );
    }
    parts.push(
      header({
        name: Buffer.from(ustarName, 'latin1'),
        mode,
        size: data.length,
        mtime,
        type: TYPES[type],
        linkname,
      })
    );
    if (data.length > 0) parts.push(data, pad(data.length));
  }
  parts.push(Buffer.alloc(2 * BLOCK, 0));
  return Buffer.concat(parts);
}
