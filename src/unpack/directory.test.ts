/**
 * A directory layer is read as its walk listed it: a file swapped for a link, a FIFO or other
 * bytes after the walk is refused, never followed out of the directory or waited on.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectorySource } from './directory.js';

const root = mkdtempSync(join(tmpdir(), 'lamina-directory-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A layer directory holding `python/a.py` ('print(1)\n') and a file outside it. */
async function layer(): Promise<{ dir: string; file: string; source: DirectorySource }> {
  const dir = join(root, `layer-${++n}`);
  mkdirSync(join(dir, 'python'), { recursive: true });
  const file = join(dir, 'python', 'a.py');
  writeFileSync(file, 'print(1)\n');
  writeFileSync(join(root, 'secret'), 'not in the layer\n');
  return { dir, file, source: await DirectorySource.open(dir) };
}

describe('DirectorySource reads what it listed', () => {
  it('reads, heads and streams a file as listed', async () => {
    const { source } = await layer();
    expect((await source.read('python/a.py')).toString()).toBe('print(1)\n');
    expect((await source.head('python/a.py', 5)).toString()).toBe('print');
    const chunks: Buffer[] = [];
    for await (const c of await source.stream('python/a.py')) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('print(1)\n');
  });

  it('refuses a file replaced by a link out of the directory', async () => {
    const { file, source } = await layer();
    rmSync(file);
    symlinkSync(join(root, 'secret'), file);
    for (const read of [
      () => source.read('python/a.py'),
      () => source.head('python/a.py', 4),
      () => source.stream('python/a.py'),
    ])
      await expect(read()).rejects.toMatchObject({ code: 'CHANGED_WHILE_READ' });
  });

  it('refuses a file reached through a directory swapped for a link, even of the same size', async () => {
    const { dir, source } = await layer();
    const elsewhere = join(root, `elsewhere-${n}`);
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'a.py'), 'print(2)\n');
    rmSync(join(dir, 'python'), { recursive: true });
    symlinkSync(elsewhere, join(dir, 'python'));
    await expect(source.read('python/a.py')).rejects.toMatchObject({
      code: 'CHANGED_WHILE_READ',
    });
  });

  it('refuses a file replaced by a FIFO without waiting for a writer', async () => {
    const { file, source } = await layer();
    rmSync(file);
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    await expect(source.read('python/a.py')).rejects.toMatchObject({
      code: 'CHANGED_WHILE_READ',
    });
  });

  it('refuses a file whose size changed, and reads none of what it grew by', async () => {
    const { file, source } = await layer();
    writeFileSync(file, 'print(1)\nimport os; os.system("id")\n');
    await expect(source.read('python/a.py')).rejects.toMatchObject({
      code: 'CHANGED_WHILE_READ',
    });
  });

  it('lists a FIFO in the directory as a special file and never opens it', async () => {
    const dir = join(root, 'with-fifo');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a'), 'x');
    expect(spawnSync('mkfifo', [join(dir, 'pipe')]).status).toBe(0);
    const source = await DirectorySource.open(dir);
    expect(source.entries().map((e) => e.path)).toEqual(['a']);
    expect(source.findings.map((f) => f.code)).toEqual(['SPECIAL_FILE']);
  });
});
