// Loaded with `node --import` by the start-up tests: lists on stderr, as the last line, every
// CommonJS module the process loaded (the npm packages lamina depends on are CommonJS), and, when
// LAMINA_TEST_ESM_LOG names a file, writes there every ES module it loads (lamina's own).
import { writeSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  writeSync(2, `\nlamina-test-cjs-modules ${JSON.stringify(Object.keys(cache))}\n`);
});
const esmLog = process.env.LAMINA_TEST_ESM_LOG;
if (esmLog) register('./modules-hooks.mjs', { parentURL: import.meta.url, data: { log: esmLog } });
