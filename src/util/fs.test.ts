import { execFileSync } from 'node:child_process';
import { closeSync, statSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import {
  link,
  lstat,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  batched,
  holdsDigestSync,
  makeDir,
  makeDirSync,
  openAppendSync,
  readBounded,
  readBoundedSync,
  readLinesSync,
  readRegularFileSync,
  writeFileAtomic,
  writeFileAtomicIfChangedSync,
  writeFileAtomicSync,
  writeOutputFile,
} from './fs.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'lamina-fs-'));
  dirs.push(dir);
  return dir;
}

/** A synchronous writer as a promise: a throw inside the executor rejects, as the async one's failures do. */
const promised =
  (write: (path: string, data: string) => unknown) =>
  (path: string, data: string): Promise<void> =>
    new Promise<void>((done) => {
      write(path, data);
      done();
    });

describe.each([
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', promised(writeFileAtomicSync)],
  ['writeFileAtomicIfChangedSync', promised(writeFileAtomicIfChangedSync)],
] as const)('%s', (_name, write) => {
  it('makes the directory, replaces the file and leaves no temporary file', async () => {
    const dir = await scratch();
    const path = join(dir, 'a', 'b', 'out.json');
    await write(path, 'one');
    await write(path, 'two');
    expect(await readFile(path, 'utf8')).toBe('two');
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['out.json']);
  });

  it('replaces a symlink at the path instead of writing through it', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'target'), 'keep');
    await symlink(join(dir, 'target'), join(dir, 'out'));
    await write(join(dir, 'out'), 'new');
    expect(await readFile(join(dir, 'target'), 'utf8')).toBe('keep');
    expect(await readFile(join(dir, 'out'), 'utf8')).toBe('new');
  });

  it('fails without leaving a temporary file when the rename cannot happen', async () => {
    const dir = await scratch();
    // A directory at the path: the rename fails, the temporary file is removed.
    await write(join(dir, 'out', 'x'), 'x');
    await expect(write(join(dir, 'out'), 'data')).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['out']);
  });
});

describe('writeFileAtomicIfChangedSync', () => {
  it('leaves a regular file that holds exactly the data, and writes any other', async () => {
    const dir = await scratch();
    const path = join(dir, 'sbom.json');
    const text = '{"name":"caf\u00e9 \ud83d\udce6"}\n';
    expect(writeFileAtomicIfChangedSync(path, text)).toBe(true);
    const first = await stat(path);
    expect(writeFileAtomicIfChangedSync(path, text)).toBe(false);
    expect((await stat(path)).ino).toBe(first.ino);
    // Same length, one byte different; then a prefix of the data; then the data and one byte more.
    for (const other of [text.replace('caf', 'cag'), text.slice(0, -1), `${text} `]) {
      await writeFile(path, other);
      expect(writeFileAtomicIfChangedSync(path, text)).toBe(true);
      expect(await readFile(path, 'utf8')).toBe(text);
    }
    expect(await readdir(dir)).toEqual(['sbom.json']);
  });

  it('replaces a link, a hard-linked file and a FIFO that hold or lead to the data', async () => {
    const dir = await scratch();
    const text = 'same bytes\n';
    await writeFile(join(dir, 'target'), text);
    await symlink(join(dir, 'target'), join(dir, 'soft'));
    expect(writeFileAtomicIfChangedSync(join(dir, 'soft'), text)).toBe(true);
    expect((await lstat(join(dir, 'soft'))).isFile()).toBe(true);

    await link(join(dir, 'target'), join(dir, 'hard'));
    expect(writeFileAtomicIfChangedSync(join(dir, 'hard'), text)).toBe(true);
    expect((await stat(join(dir, 'hard'))).nlink).toBe(1);
    expect((await stat(join(dir, 'target'))).nlink).toBe(1);

    // Opened without waiting for a writer, and replaced.
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(writeFileAtomicIfChangedSync(join(dir, 'fifo'), text)).toBe(true);
    expect(await readFile(join(dir, 'fifo'), 'utf8')).toBe(text);
  });
});

describe('openAppendSync', () => {
  const append = (path: string, text: string): void => {
    const fd = openAppendSync(path);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  };

  it('makes the file, then appends to it', async () => {
    const dir = await scratch();
    const path = join(dir, 'index.jsonl');
    append(path, 'one\n');
    append(path, 'two\n');
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\n');
    expect((await stat(path)).mode & 0o777).toBe(0o644 & ~process.umask());
  });

  it('replaces a link, a hard-linked file and a FIFO instead of writing through or waiting', async () => {
    const dir = await scratch();
    const target = join(dir, 'target');
    await writeFile(target, 'kept\n');
    await symlink(target, join(dir, 'soft'));
    append(join(dir, 'soft'), 'line\n');
    expect((await lstat(join(dir, 'soft'))).isFile()).toBe(true);
    expect(await readFile(join(dir, 'soft'), 'utf8')).toBe('line\n');
    // A link to a file that is not there yet is not made through either.
    await symlink(join(dir, 'elsewhere'), join(dir, 'dangling'));
    append(join(dir, 'dangling'), 'line\n');
    expect((await lstat(join(dir, 'dangling'))).isFile()).toBe(true);
    await expect(stat(join(dir, 'elsewhere'))).rejects.toThrow(/ENOENT/);

    await link(target, join(dir, 'hard'));
    append(join(dir, 'hard'), 'line\n');
    expect(await readFile(join(dir, 'hard'), 'utf8')).toBe('line\n');
    expect(await readFile(target, 'utf8')).toBe('kept\n');
    expect((await stat(target)).nlink).toBe(1);

    // No process reads the FIFO: opened for writing, it would wait for one.
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    append(join(dir, 'fifo'), 'line\n');
    expect(await readFile(join(dir, 'fifo'), 'utf8')).toBe('line\n');
  });

  it('refuses a directory and leaves it as it is', async () => {
    const dir = await scratch();
    await makeDir(join(dir, 'sub', 'inner'));
    expect(() => openAppendSync(join(dir, 'sub'))).toThrow();
    expect(await readdir(join(dir, 'sub'))).toEqual(['inner']);
  });
});

describe('holdsDigestSync', () => {
  const text = '{"name":"caf\u00e9 \ud83d\udce6"}\n';
  const bytes = Buffer.from(text, 'utf8');
  const digest = createHash('sha256').update(bytes).digest('hex');

  it('holds for a regular file of exactly those bytes, and no other content or size', async () => {
    const dir = await scratch();
    const path = join(dir, 'sbom.json');
    expect(holdsDigestSync(path, bytes.length, digest)).toBe(false);
    await writeFile(path, bytes);
    expect(holdsDigestSync(path, bytes.length, digest)).toBe(true);
    // The size asked for is the one the digest was made of.
    expect(holdsDigestSync(path, bytes.length - 1, digest)).toBe(false);
    expect(holdsDigestSync(path, bytes.length + 1, digest)).toBe(false);
    for (const other of [text.replace('caf', 'cag'), text.slice(0, -1), `${text} `, '']) {
      await writeFile(path, other);
      expect(holdsDigestSync(path, bytes.length, digest)).toBe(false);
    }
    await writeFile(path, '');
    expect(holdsDigestSync(path, 0, createHash('sha256').digest('hex'))).toBe(true);
  });

  it('does not hold for a link, a hard-linked file, a FIFO or a directory', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'target'), bytes);
    await symlink(join(dir, 'target'), join(dir, 'soft'));
    expect(holdsDigestSync(join(dir, 'soft'), bytes.length, digest)).toBe(false);
    await link(join(dir, 'target'), join(dir, 'hard'));
    expect(holdsDigestSync(join(dir, 'hard'), bytes.length, digest)).toBe(false);
    // Not waited on for a writer.
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(holdsDigestSync(join(dir, 'fifo'), bytes.length, digest)).toBe(false);
    expect(holdsDigestSync(dir, bytes.length, digest)).toBe(false);
  });
});

describe.each([
  ['makeDir', makeDir],
  [
    'makeDirSync',
    (dir: string) =>
      new Promise<void>((done) => {
        makeDirSync(dir);
        done();
      }),
  ],
] as const)('%s', (_name, make) => {
  it('makes every missing directory, and accepts one that is there', async () => {
    const dir = await scratch();
    const deep = join(dir, 'a', 'b', 'c');
    await make(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await make(deep);
    await make(join(dir, 'a'));
    expect(await readdir(join(dir, 'a'))).toEqual(['b']);
  });

  it('refuses a file where a directory is wanted, at the path or above it', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'f'), 'x');
    await expect(make(join(dir, 'f'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(make(join(dir, 'f', 'g'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node's recursive mkdir spins forever on this path (Node 20 and 24); the test's own timeout
  // would fail a hang.
  it('gives up where mkdir says ENOENT below a directory that exists (/proc)', async () => {
    await expect(make('/proc/lamina-no-such-dir/x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe.each([
  ['readBounded', readBounded],
  [
    'readBoundedSync',
    (path: string, max: number) =>
      new Promise<Buffer | undefined>((done) => done(readBoundedSync(path, max))),
  ],
] as const)('%s', (_name, read) => {
  it('reads a file of up to the bound whole, and says when there is more', async () => {
    const dir = await scratch();
    const f = join(dir, 'f');
    await writeFile(f, 'x'.repeat(100_000));
    expect((await read(f, 100_000))?.toString()).toBe('x'.repeat(100_000));
    expect(await read(f, 99_999)).toBeUndefined();
    await writeFile(f, '');
    expect(await read(f, 0)).toEqual(Buffer.alloc(0));
    await expect(read(dir, 10)).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('stops a device that never ends at the bound', async () => {
    expect(await read('/dev/zero', 1_000_000)).toBeUndefined();
  });
});

describe('readRegularFileSync', () => {
  it('reads a regular file (through a link) and refuses a FIFO, a device and a file over the bound', async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'a.json'), '{"a":1}');
    await symlink(join(dir, 'a.json'), join(dir, 'link.json'));
    expect(readRegularFileSync(join(dir, 'link.json'), 100).toString()).toBe('{"a":1}');
    expect(() => readRegularFileSync(join(dir, 'a.json'), 6)).toThrow(/over 6 bytes/);
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    expect(() => readRegularFileSync(join(dir, 'fifo.json'), 100)).toThrow(/not a regular file/);
    expect(() => readRegularFileSync('/dev/zero', 100)).toThrow(/not a regular file/);
    expect(() => readRegularFileSync(join(dir, 'missing.json'), 100)).toThrow(/ENOENT/);
  });

  it('bounds what it reads, not the size fstat gives: /proc says 0 and then gives its text', () => {
    expect(statSync('/proc/self/status').size).toBe(0);
    expect(() => readRegularFileSync('/proc/self/status', 100)).toThrow(/over 100 bytes/);
    const text = readRegularFileSync('/proc/self/status', 1_000_000).toString();
    expect(text).toMatch(/^Name:\t/);
    expect(text).toContain(`\nPid:\t${process.pid}\n`);
  });

  it("refuses a link with links: 'refuse', and reads the file itself", async () => {
    const dir = await scratch();
    await writeFile(join(dir, 'a.json'), '{"a":1}');
    await symlink(join(dir, 'a.json'), join(dir, 'link.json'));
    const refuse = { links: 'refuse' } as const;
    expect(() => readRegularFileSync(join(dir, 'link.json'), 100, refuse)).toThrow(/ELOOP/);
    expect(readRegularFileSync(join(dir, 'a.json'), 100, refuse).toString()).toBe('{"a":1}');
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    expect(() => readRegularFileSync(join(dir, 'fifo.json'), 100, refuse)).toThrow(
      /not a regular file/
    );
  });
});

describe('readLinesSync', () => {
  const linesOf = (path: string, maxLine = 1 << 24): string[] => {
    const got: string[] = [];
    readLinesSync(path, maxLine, (line) => void got.push(line));
    return got;
  };

  it('reads every line, across blocks, multi-byte characters cut at a block end included', async () => {
    const dir = await scratch();
    // Lines of every length around the 1 MiB block, and a 3-byte character at each block end.
    const lines = [
      'a'.repeat((1 << 20) - 2) + '€',
      '',
      'é'.repeat(700_000),
      'x',
      'b'.repeat(1 << 20),
      '',
      'last, without a newline',
    ];
    await writeFile(join(dir, 'lines'), lines.join('\n'));
    expect(linesOf(join(dir, 'lines'))).toEqual(lines);
    await writeFile(join(dir, 'ended'), lines.join('\n') + '\n');
    expect(linesOf(join(dir, 'ended'))).toEqual(lines);
    await writeFile(join(dir, 'empty'), '');
    expect(linesOf(join(dir, 'empty'))).toEqual([]);
  });

  it('stops where the callback says so, refuses a line over the bound and a FIFO', async () => {
    const dir = await scratch();
    const path = join(dir, 'lines');
    await writeFile(path, 'one\ntwo\nthree\n');
    const got: string[] = [];
    readLinesSync(path, 100, (line) => got.push(line) < 2);
    expect(got).toEqual(['one', 'two']);
    await writeFile(path, `short\n${'y'.repeat(3 << 20)}\nshort\n`);
    expect(() => linesOf(path, 1 << 21)).toThrow(/a line over 2097152 bytes/);
    await writeFile(path, `short\n${'y'.repeat(101)}`);
    expect(() => linesOf(path, 100)).toThrow(/a line over 100 bytes/);
    expect(linesOf(path, 101)).toEqual(['short', 'y'.repeat(101)]);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(() => linesOf(join(dir, 'fifo'))).toThrow(/not a regular file/);
  });
});

describe('writing text in chunks', () => {
  function* lines(n: number, failAt = -1): Generator<string> {
    for (let i = 0; i < n; i++) {
      if (i === failAt) throw new Error(`chunk ${i}`);
      yield `line ${i}\n`;
    }
  }
  const whole = (n: number): string => [...lines(n)].join('');

  it('joins chunks into writes of about the size asked, losing nothing', () => {
    const parts = [...batched(lines(10_000), 4096)];
    expect(parts.join('')).toBe(whole(10_000));
    // Every piece but the last reaches the size, and none is far over it (one chunk at most).
    for (const p of parts.slice(0, -1)) expect(p.length).toBeGreaterThanOrEqual(4096);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThan(4096 + 16);
    expect([...batched([])]).toEqual([]);
  });

  it('writes a file from chunks, and keeps the old file when the chunks fail midway', async () => {
    const dir = await scratch();
    const path = join(dir, 'out', 'report.txt');
    await writeFileAtomic(path, lines(50_000));
    expect(await readFile(path, 'utf8')).toBe(whole(50_000));
    await expect(writeOutputFile(path, lines(50_000, 30_000))).rejects.toThrow('chunk 30000');
    expect(await readFile(path, 'utf8')).toBe(whole(50_000));
    expect(await readdir(join(dir, 'out'))).toEqual(['report.txt']);
  });

  it('writes chunks into a FIFO in place', async () => {
    const dir = await scratch();
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = readFile(fifo, 'utf8');
    await writeOutputFile(fifo, lines(20_000));
    expect(await reader).toBe(whole(20_000));
  });
});
