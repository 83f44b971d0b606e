import { describe, expect, it } from 'vitest';
import { buildInventory } from '../inventory/index.js';
import { mergeLayers, type MergeLayerInput } from './merge.js';
import { shadowFindings } from './cyclonedx.js';
import { MemorySource, type MemoryFile } from '../unpack/memory.js';

async function layer(arn: string, files: Record<string, MemoryFile>): Promise<MergeLayerInput> {
  const source = new MemorySource(arn, files);
  const inventory = await buildInventory(source, {
    name: arn,
    kind: 'zip',
    sha256: source.digest,
    size: source.size,
    properties: {},
  });
  return { arn, entries: source.entries(), inventory };
}

const pkg = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

describe('mergeLayers', () => {
  it('names the last layer that writes a path, and keeps packages of every layer', async () => {
    const view = mergeLayers([
      await layer('L1', {
        'nodejs/node_modules/a/package.json': pkg('a', '1.0.0'),
        'nodejs/node_modules/a/index.js': 'one',
        'nodejs/node_modules/b/package.json': pkg('b', '1.0.0'),
      }),
      await layer('L2', { 'nodejs/node_modules/a/package.json': pkg('a', '2.0.0') }),
      await layer('L3', { 'nodejs/node_modules/a/package.json': pkg('a', '3.0.0') }),
    ]);
    const marks = view.packages.map((p) => [p.package.purl, p.layer, p.shadowedBy]);
    expect(marks).toEqual([
      ['pkg:npm/a@1.0.0', 0, 2],
      ['pkg:npm/b@1.0.0', 0, undefined],
      ['pkg:npm/a@2.0.0', 1, 2],
      ['pkg:npm/a@3.0.0', 2, undefined],
    ]);
    expect(view.packages[0]?.package.properties['shadowed-by']).toBe('L3');
    expect(view.packages[0]?.package.id).toBe('layer1:npm:nodejs/node_modules/a');
    // index.js of layer 1 stays visible: only package.json is replaced.
    expect(view.shadowed.map((s) => [s.path, s.layer, s.by])).toEqual([
      ['nodejs/node_modules/a/package.json', 0, 2],
      ['nodejs/node_modules/a/package.json', 1, 2],
    ]);
    expect(view.shadowedNonEvidence).toEqual([]);
  });

  it('treats a file over a directory and a directory over a file as shadowing', async () => {
    const view = mergeLayers([
      await layer('L1', { 'lib/tool/x.so': 'x', 'bin/run': 'old' }),
      await layer('L2', { 'lib/tool': { symlink: '/opt/other' }, 'bin/run/inner.txt': 'y' }),
    ]);
    expect(view.shadowedNonEvidence.map((s) => s.path)).toEqual(['bin/run', 'lib/tool/x.so']);
    // The input inventories are not modified.
    expect(view.layers[0]?.inventory.packages.every((p) => !p.id.startsWith('layer'))).toBe(true);
  });

  it('bounds the function findings and summarises the rest', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 205; i++) files[`data/f${String(i).padStart(3, '0')}.txt`] = 'v';
    const view = mergeLayers([await layer('L1', files), await layer('L2', files)]);
    const f = shadowFindings(view);
    expect(f).toHaveLength(201);
    expect(f[0]?.path).toBe('data/f000.txt');
    expect(f[200]?.path).toBeUndefined();
    expect(f[200]?.message).toMatch(/^5 more/);
  });
});
