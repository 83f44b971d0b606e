#!/usr/bin/env node
// Builds testdata/layers/sample-layer.zip: one layer holding every fixture
// layer directory (npm, Python, Java, Ruby, .NET, binaries), merged the way
// Lambda merges a layer into /opt. Each fixture is itself generated from real
// packages by its scripts/fixtures-*.mjs script. Deterministic.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipDirectory } from './lib/zipwriter.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const parts = [
  'npm-basic',
  'python-basic',
  'java-basic',
  'ruby-basic',
  'dotnet-basic',
  'binary-basic',
];

const stage = mkdtempSync(join(tmpdir(), 'lamina-sample-'));
try {
  for (const p of parts) {
    const dir = join(root, 'testdata', 'layers', p);
    if (!existsSync(dir))
      throw new Error(`missing fixture ${dir}: run its scripts/fixtures-*.mjs first`);
    cpSync(dir, stage, {
      recursive: true,
      verbatimSymlinks: true,
      force: false,
      errorOnExist: true,
    });
  }
  const out = join(root, 'testdata', 'layers', 'sample-layer.zip');
  writeFileSync(out, zipDirectory(stage));
  console.log(`wrote ${out}`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
