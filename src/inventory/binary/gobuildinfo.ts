import { type ElfFile, PF_W, PF_X } from './elf.js';
import { BinaryParseError } from './errors.js';

/**
 * Go build information embedded by the Go linker, read the way Go's own
 * `debug/buildinfo` and `runtime/debug.ParseBuildInfo` read it.
 * https://github.com/golang/go/blob/master/src/debug/buildinfo/buildinfo.go
 * https://github.com/golang/go/blob/master/src/runtime/debug/mod.go
 */

/** A module line (`mod`, `dep` or `=>`) of the build info. */
export interface GoModule {
  path: string;
  version: string;
  /** `h1:` go.sum hash; empty when none (e.g. local replacements). */
  sum: string;
  replace?: GoModule;
}

/** Mirrors runtime/debug.BuildInfo. */
export interface GoBuildInfo {
  /** Toolchain that built the binary, e.g. `go1.22.1` (may carry ` X:experiment` suffixes). */
  goVersion: string;
  /** Package path of the main package. */
  path: string;
  /** Main module; undefined for binaries built outside module mode. */
  main?: GoModule;
  deps: GoModule[];
  settings: { key: string; value: string }[];
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ALIGN = 16;
const HEADER_SIZE = 32;
/** Go reads at most this much from the start of the data segment. */
const SEARCH_WINDOW = 64 * 1024;
/** Bound on a pointer-format string, far above any real module list. */
const MAX_STRING = 16 * 1024 * 1024;
/** Flag bit: version and module strings follow the header inline (Go ≥ 1.18). */
const FLAGS_VERSION_INL = 2;
const FLAGS_ENDIAN_BIG = 1;

function malformed(message: string): BinaryParseError {
  return new BinaryParseError({ code: 'MALFORMED_GO_BUILDINFO', message });
}

/** Where Go looks: the `.go.buildinfo` section, else the first writable, non-executable PT_LOAD. */
function searchRegion(elf: ElfFile, buf: Buffer): Buffer | undefined {
  const sec = elf.section('.go.buildinfo');
  if (sec) return elf.sectionData(sec);
  const seg = elf.segments.find((p) => p.type === 1 && (p.flags & (PF_X | PF_W)) === PF_W);
  if (!seg) return undefined;
  const end = Math.min(buf.length, seg.offset + Math.min(seg.filesz, SEARCH_WINDOW));
  return seg.offset < end ? buf.subarray(seg.offset, end) : undefined;
}

/** The 16-byte-aligned build info header, or undefined when the binary is not Go. */
function findHeader(region: Buffer): Buffer | undefined {
  let from = 0;
  for (;;) {
    const i = region.indexOf(MAGIC, from);
    if (i < 0 || region.length - i < HEADER_SIZE) return undefined;
    if (i % ALIGN === 0) return region.subarray(i);
    from = i + 1;
  }
}

/** encoding/binary.Uvarint over a buffer; returns [value, bytesRead] or undefined. */
function uvarint(b: Buffer, off: number): [number, number] | undefined {
  let x = 0;
  let mul = 1;
  for (let i = 0; i < 10 && off + i < b.length; i++) {
    const c = b.readUInt8(off + i);
    x += (c & 0x7f) * mul;
    if (c < 0x80) return Number.isSafeInteger(x) ? [x, i + 1] : undefined;
    mul *= 128;
  }
  return undefined;
}

/** Length-prefixed string at `off`; returns [bytes, next offset]. */
function inlineString(b: Buffer, off: number): [Buffer, number] {
  const v = uvarint(b, off);
  if (!v) throw malformed('bad string length varint');
  const [len, n] = v;
  const start = off + n;
  if (start + len > b.length) throw malformed(`string of ${len} bytes runs past the section`);
  return [b.subarray(start, start + len), start + len];
}

/** Go < 1.18: the header holds pointers to Go string headers {ptr, len}. */
function pointerString(elf: ElfFile, ptrSize: number, bigEndian: boolean, addr: number): Buffer {
  const read = (b: Buffer, off: number): number =>
    ptrSize === 4
      ? bigEndian
        ? b.readUInt32BE(off)
        : b.readUInt32LE(off)
      : Number(bigEndian ? b.readBigUInt64BE(off) : b.readBigUInt64LE(off));
  const hdr = elf.readVirtual(addr, 2 * ptrSize);
  if (!hdr || hdr.length < 2 * ptrSize)
    throw malformed(`string header at 0x${addr.toString(16)} is not in the file`);
  const dataAddr = read(hdr, 0);
  const len = read(hdr, ptrSize);
  if (len > MAX_STRING) throw malformed(`string of ${len} bytes is implausibly long`);
  const data = elf.readVirtual(dataAddr, len);
  if (!data || data.length < len)
    throw malformed(`string data at 0x${dataAddr.toString(16)} is not in the file`);
  return data;
}

/**
 * Find and parse a Go binary's build info.
 * @returns undefined when the file is not a Go binary.
 * @throws BinaryParseError `MALFORMED_GO_BUILDINFO` or `UNSUPPORTED_GO_BUILDINFO`
 */
export function readGoBuildInfo(elf: ElfFile, buf: Buffer): GoBuildInfo | undefined {
  const region = searchRegion(elf, buf);
  if (!region) return undefined;
  const hdr = findHeader(region);
  if (!hdr) return undefined;
  const ptrSize = hdr.readUInt8(14);
  const flags = hdr.readUInt8(15);
  let vers: Buffer;
  let mod: Buffer;
  if (flags & FLAGS_VERSION_INL) {
    let next: number;
    [vers, next] = inlineString(hdr, HEADER_SIZE);
    [mod] = inlineString(hdr, next);
  } else {
    if (ptrSize !== 4 && ptrSize !== 8)
      throw new BinaryParseError({
        code: 'UNSUPPORTED_GO_BUILDINFO',
        message: `unsupported Go build info format (pointer size ${ptrSize})`,
      });
    const big = (flags & FLAGS_ENDIAN_BIG) !== 0;
    const ptr = (off: number): number =>
      ptrSize === 4
        ? big
          ? hdr.readUInt32BE(off)
          : hdr.readUInt32LE(off)
        : Number(big ? hdr.readBigUInt64BE(off) : hdr.readBigUInt64LE(off));
    vers = pointerString(elf, ptrSize, big, ptr(16));
    mod = pointerString(elf, ptrSize, big, ptr(16 + ptrSize));
  }
  const goVersion = vers.toString('utf8');
  if (goVersion === '') return undefined;
  // The module info is wrapped in 16-byte sentinels; the last line ends before the trailing one.
  const modText =
    mod.length >= 33 && mod.readUInt8(mod.length - 17) === 0x0a
      ? mod.subarray(16, mod.length - 16).toString('utf8')
      : '';
  return { goVersion, ...parseModInfo(modText) };
}

/** Undo Go's strconv.Quote for build setting keys/values (JSON covers the common escapes). */
function unquote(s: string): string {
  if (s.length >= 2 && s.startsWith('`') && s.endsWith('`')) return s.slice(1, -1);
  try {
    const v: unknown = JSON.parse(s);
    if (typeof v === 'string') return v;
  } catch {
    // Go-only escapes (\x, \a, octal): keep the raw text rather than fail.
  }
  return s;
}

function moduleLine(cols: string[], line: number): GoModule {
  if (cols.length !== 2 && cols.length !== 3)
    throw malformed(`line ${line}: expected 2 or 3 columns, got ${cols.length}`);
  return { path: cols[0] ?? '', version: cols[1] ?? '', sum: cols[2] ?? '' };
}

/**
 * Parse the module-info text (`path`, `mod`, `dep`, `=>`, `build` lines), as
 * runtime/debug.ParseBuildInfo does. Unknown lines are ignored.
 * @throws BinaryParseError `MALFORMED_GO_BUILDINFO`
 */
export function parseModInfo(text: string): Omit<GoBuildInfo, 'goVersion'> {
  const out: Omit<GoBuildInfo, 'goVersion'> = { path: '', deps: [], settings: [] };
  let last: GoModule | undefined;
  const lines = text.split('\n');
  // Like Go, a final line without a newline is not read.
  lines.pop();
  lines.forEach((line, idx) => {
    const n = idx + 1;
    const [tag, ...rest] = line.split('\t');
    switch (tag) {
      case 'path':
        out.path = line.slice('path\t'.length);
        break;
      case 'mod':
        out.main = moduleLine(rest, n);
        last = out.main;
        break;
      case 'dep': {
        const m = moduleLine(rest, n);
        out.deps.push(m);
        last = m;
        break;
      }
      case '=>': {
        if (rest.length !== 3) throw malformed(`line ${n}: expected 3 columns for replacement`);
        if (!last) throw malformed(`line ${n}: replacement with no module on previous line`);
        last.replace = { path: rest[0] ?? '', version: rest[1] ?? '', sum: rest[2] ?? '' };
        last = undefined;
        break;
      }
      case 'build': {
        const kv = line.slice('build\t'.length);
        let key: string;
        let raw: string;
        const q = /^("(?:[^"\\]|\\.)*"|`[^`]*`)=/.exec(kv);
        if (q?.[1]) {
          key = unquote(q[1]);
          raw = kv.slice(q[1].length + 1);
        } else {
          const eq = kv.indexOf('=');
          if (eq <= 0) throw malformed(`line ${n}: build line missing key or '='`);
          key = kv.slice(0, eq);
          raw = kv.slice(eq + 1);
        }
        out.settings.push({
          key,
          value: raw.startsWith('"') || raw.startsWith('`') ? unquote(raw) : raw,
        });
        break;
      }
      default:
        break;
    }
  });
  return out;
}
