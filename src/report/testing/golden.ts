import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';

/**
 * Compare with a golden file in testdata/golden/. `LAMINA_UPDATE_GOLDEN=1 npx vitest run …` writes
 * them; without it a missing golden file fails the test.
 */
export function expectGolden(name: string, actual: string): void {
  const path = join('testdata', 'golden', name);
  if (process.env['LAMINA_UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path))
    throw new Error(`missing golden file ${path} (LAMINA_UPDATE_GOLDEN=1 writes it)`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
