/**
 * A small local layer zip (lodash 4.17.20, ms 2.1.3) in a temporary directory, and the policy
 * text of a `utils` rule; for the verify, gate and pin tests of local zips.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipFiles } from '@lamina/aws-local/testing';

export const dir = mkdtempSync(join(tmpdir(), 'lamina-local-layer-'));
const zip = zipFiles({
  'nodejs/node_modules/lodash/package.json': JSON.stringify({
    name: 'lodash',
    version: '4.17.20',
    license: 'MIT',
  }),
  'nodejs/node_modules/ms/package.json': JSON.stringify({
    name: 'ms',
    version: '2.1.3',
    license: 'MIT',
  }),
});
export const zipPath = join(dir, 'layer.zip');
writeFileSync(zipPath, zip);
export const digest = createHash('sha256').update(zip).digest('hex');

/** Write a policy file next to the zip; returns its path. */
export function writePolicy(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

/** A policy with a pinned `utils` rule that denies lodash before 4.17.21. */
export const POLICY = `# Production layers.
version: 1
default: deny
layers:
  # utils is built by the platform team
  - match: { name: utils }
    pins: # allowlist
      - sha256: '${digest}'
        note: first
    packages:
      deny:
        - { purl: 'pkg:npm/lodash', versions: '<4.17.21' } # CVE-2021-23337
`;

/** A `utils` rule with no pins yet. */
export const UNPINNED = `# Layers policy, reviewed weekly.
version: 1
default: deny
layers:
  # the utils layer
  - match: { name: utils }
    pins: [] # filled by lamina gate --write
`;
