// Loaded with `node --import` by the start-up tests: lists on stderr, as the last line, every
// CommonJS module the process loaded (the npm packages lamina depends on are CommonJS).
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';

const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  writeSync(2, `\nlamina-test-cjs-modules ${JSON.stringify(Object.keys(cache))}\n`);
});
