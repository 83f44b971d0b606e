// Long differential fuzz runs of lamina's zip and tar readers against the real readers:
//
//   npm run fuzz -- --seed N --count M [--kind zip|tar] [--out DIR]
//
// Runs src/unpack/differential-fuzz.test.ts (the file CI runs on a fixed slice) on seed N with M
// mutants of each kind. Every mutant lamina gets wrong (accepted while a reader reads it
// differently, or refused with something other than its coded UnpackError) is written to DIR
// (default fuzz-out/) as the archive and a JSON note of the operations that made it and what
// differed. Exit 0 when none, 1 otherwise, 2 on bad arguments. Mutant i of seed N is the same
// archive on every run, so a finding reruns with --seed N --count i+1.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const usage =
  'usage: npm run fuzz -- --seed N --count M [--kind zip|tar] [--out DIR]\n' +
  '  --seed N    the seed (a non-negative integer)\n' +
  '  --count M   mutants per kind (a positive integer)\n' +
  '  --kind K    zip or tar (default both)\n' +
  '  --out DIR   where failing mutants are written (default fuzz-out)\n';

let values;
try {
  ({ values } = parseArgs({
    options: {
      seed: { type: 'string' },
      count: { type: 'string' },
      kind: { type: 'string' },
      out: { type: 'string', default: 'fuzz-out' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  process.stderr.write(`${err.message}\n${usage}`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const int = (s) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
const seed = int(values.seed);
const count = int(values.count);
if (!Number.isSafeInteger(seed) || seed > 0xffffffff || !(count > 0)) {
  process.stderr.write(`--seed and --count are required\n${usage}`);
  process.exit(2);
}
if (values.kind !== undefined && values.kind !== 'zip' && values.kind !== 'tar') {
  process.stderr.write(`--kind is zip or tar\n${usage}`);
  process.exit(2);
}

const root = resolve(import.meta.dirname, '..');
const out = resolve(values.out);
const r = spawnSync(
  process.execPath,
  [resolve(root, 'node_modules/vitest/vitest.mjs'), 'run', 'src/unpack/differential-fuzz.test.ts'],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      LAMINA_FUZZ_SEED: String(seed),
      LAMINA_FUZZ_COUNT: String(count),
      LAMINA_FUZZ_OUT: out,
      ...(values.kind ? { LAMINA_FUZZ_KIND: values.kind } : {}),
    },
  }
);
if (r.status !== 0) process.stderr.write(`fuzz: failing mutants (if any) are in ${out}\n`);
process.exit(r.status === 0 ? 0 : 1);
