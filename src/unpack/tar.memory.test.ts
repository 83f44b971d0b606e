/**
 * Memory bound: streaming a gzip layer of ~260 MB (diffID, spool), opening
 * the spooled tar by offset as a two-layer image with 20 000 entries,
 * reading metadata and streaming the big file must cost the entry index,
 * not the image. Runs in a child process so the peak RSS (getrusage maxrss)
 * is the reader's alone; Node 20 cannot run .ts, so the reader's modules are
 * transpiled first.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeTar } from '../../scripts/lib/tarwriter.mjs';

const root = join(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'lamina-tarmem-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BIG_MIB = 256;
const SMALL = 20_000;

function transpileDir(dir: string): void {
  for (const name of readdirSync(join(root, dir))) {
    if (!name.endsWith('.ts') || name.endsWith('.test.ts')) continue;
    const f = join(dir, name);
    const out = ts.transpileModule(readFileSync(join(root, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    const dest = join(tmp, f.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, out.outputText);
  }
}

beforeAll(() => {
  for (const d of ['src/unpack', 'src/model']) transpileDir(d);
  writeFileSync(
    join(tmp, 'src/errors.js'),
    ts.transpileModule(readFileSync(join(root, 'src/errors.ts'), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText
  );
  writeFileSync(join(tmp, 'package.json'), '{"type":"module"}');
  // The big layer is made in its own process: Linux keeps a process's peak RSS
  // across fork and exec, so a parent holding it would inflate the child's figure.
  const gen = `
    import { createHash } from 'node:crypto';
    import { writeFileSync } from 'node:fs';
    import { gzipSync } from 'node:zlib';
    import { writeTar } from ${JSON.stringify(join(root, 'scripts/lib/tarwriter.mjs'))};
    const MiB = 1024 * 1024;
        const big = Buffer.alloc(${BIG_MIB} * MiB);
    for (let i = 0; i < ${BIG_MIB}; i++) big.fill(i & 0xff, i * MiB, (i + 1) * MiB);
    const layer0 = writeTar([
      { name: 'data/', type: 'dir' },
      { name: 'data/blob.bin', data: big },
      { name: 'many/', type: 'dir' },
      ...Array.from({ length: ${SMALL} }, (_, i) => ({ name: 'many/file-' + i + '.txt', data: i + '\\n' })),
    ]);
    writeFileSync(process.argv[2] + '/layer0.tar.gz', gzipSync(layer0, { level: 1 }));
    writeFileSync(process.argv[2] + '/blob.sha256', createHash('sha256').update(big).digest('hex'));
  `;
  writeFileSync(join(tmp, 'gen.mjs'), gen);
  execFileSync(process.execPath, [join(tmp, 'gen.mjs'), tmp]);
  writeFileSync(
    join(tmp, 'layer1.tar.gz'),
    gzipSync(
      writeTar([
        { name: 'many/', type: 'dir' },
        { name: 'many/.wh.file-0.txt', data: '' },
      ])
    )
  );
});

it('reads a 256 MB, 20 000-entry image with peak RSS far below its size', () => {
  const child = `
    const baseMiB = process.memoryUsage().rss / 1048576;
    import { createHash } from 'node:crypto';
        import { createReadStream } from 'node:fs';
    import { readLayerStream } from './src/unpack/tar.js';
    import { openFileAccess } from './src/unpack/random-access.js';
    import { squashLayers } from './src/unpack/squash.js';
    const layers = [];
    for (const i of [0, 1]) {
      const spool = process.argv[2] + '/spool' + i + '.tar';
      const r = await readLayerStream(createReadStream(process.argv[2] + '/layer' + i + '.tar.gz'), { spoolPath: spool });
      layers.push({ index: r.index, access: await openFileAccess(spool), diffId: r.diffId });
    }
    const img = squashLayers(layers);
    const small = (await img.read('many/file-19999.txt')).toString();
    const h = createHash('sha256');
    for await (const c of await img.stream('data/blob.bin')) h.update(c);
    const entries = img.entries().length;
    await img.close();
    const maxRssMiB = process.resourceUsage().maxRSS / 1024;
    console.log(JSON.stringify({ small, blob: h.digest('hex'), entries, gone: img.get('many/file-0.txt') === undefined, maxRssMiB, baseMiB }));
  `;
  writeFileSync(join(tmp, 'child.mjs'), child);
  const out = execFileSync(process.execPath, [join(tmp, 'child.mjs'), tmp], { encoding: 'utf8' });
  const r = JSON.parse(out) as {
    small: string;
    blob: string;
    entries: number;
    gone: boolean;
    maxRssMiB: number;
    baseMiB: number;
  };
  expect(r.small).toBe('19999\n');
  expect(r.blob).toBe(readFileSync(join(tmp, 'blob.sha256'), 'utf8'));
  expect(r.entries).toBe(SMALL - 1 + 3);
  expect(r.gone).toBe(true);
  // Measured from the process's own start (Node 20 and 24 differ there): holding the
  // big file or the spool would add 256 MiB or more.
  const over = r.maxRssMiB - r.baseMiB;
  const seen = `peak RSS ${r.maxRssMiB.toFixed(0)} MiB, ${over.toFixed(0)} MiB over the start`;
  expect(over, seen).toBeLessThan(BIG_MIB * 0.6);
});
