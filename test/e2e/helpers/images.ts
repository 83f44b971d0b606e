/**
 * Images built from tar entries as OCI layouts, policies asking only for the inventory, and
 * `lamina verify` of an image with its verdict's checks: for the tests of what a runtime sees.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeImage, makeLayer, REF_NAME, writeLayout } from '../../../scripts/lib/ociwriter.mjs';
import type { TarEntry } from '../../../scripts/lib/tarwriter.mjs';
import type { Verdict } from '../../../src/verify/verdict.js';
import { runCli } from './cli.js';

/** Tar entries of a layer: a directory, a file (0644 unless said), a whiteout, a symlink. */
export const dir = (name: string): TarEntry => ({ name: `${name}/`, type: 'dir' });
export const file = (name: string, data: string | Buffer, mode = 0o644): TarEntry => ({
  name,
  data,
  mode,
});
export const wh = (name: string): TarEntry => ({ name, data: '' });
export const link = (name: string, linkname: string): TarEntry => ({
  name,
  type: 'symlink',
  linkname,
});

let n = 0;

/**
 * Write an image of `layers` (base first, each its tar entries) and `config` as an OCI layout in
 * a new directory under `dir`, tagged `v1`; returns its `oci:` reference.
 */
export function writeImageLayout(
  dir: string,
  layers: readonly TarEntry[][],
  config: Record<string, unknown>
): string {
  const img = makeImage({ layers: layers.map((l) => makeLayer(l)), config });
  const out = join(dir, `layout-${++n}`);
  writeLayout(out, {
    blobs: new Map([...img.blobs, [img.manifest.descriptor.digest, img.manifest.bytes]]),
    entries: [{ ...img.manifest.descriptor, annotations: { [REF_NAME]: 'v1' } }],
  });
  return `oci:${out}:v1`;
}

/**
 * Write, as `dir/policy.yaml`, a policy whose one rule (every image's, or every `platform-*`
 * layer's) asks only for the inventory: a package deny list, so `inventory:complete` is checked,
 * and no pins, signatures or bundle URLs a test would have to provide or fetch.
 */
export function writeInventoryPolicy(dir: string, of: 'images' | 'layers'): string {
  const path = join(dir, 'policy.yaml');
  writeFileSync(
    path,
    of === 'images'
      ? `version: 1
default: deny
images:
  - match: { repository: '**' }
    mode: enforce
    packages: { deny: [{ purl: 'pkg:deb/debian/netcat-openbsd' }] }
`
      : `version: 1
default: deny
layers:
  - match: { name: 'platform-*' }
    packages: { deny: [{ purl: 'pkg:npm/event-stream' }] }
`
  );
  return path;
}

/**
 * `lamina verify REF --policy POLICY --format json` of an image (as repository
 * `ecr.example/app`); the run, and a check of its verdict by id.
 */
export async function verifyImageRef(ref: string, policy: string, cacheDir: string) {
  const r = await runCli([
    ...['verify', ref, '--policy', policy, '--repository', 'ecr.example/app'],
    ...['--cache-dir', cacheDir, '--format', 'json'],
  ]);
  const v = r.stdout ? (JSON.parse(r.stdout) as { verdicts: Verdict[] }).verdicts[0] : undefined;
  return { ...r, check: (id: string) => v?.checks.find((c) => c.id === id) };
}
