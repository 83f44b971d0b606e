import { describe, expect, it } from 'vitest';
import { comparableFromInventory } from '../diff/comparable.js';
import { diffInventories } from '../diff/diff.js';
import { buildInventory } from '../inventory/index.js';
import { newPackage } from '../model/package.js';
import { openLayerPath } from '../unpack/open.js';
import { DEFAULT_LIMITS } from '../unpack/source.js';
import {
  renderPackageDiffJson,
  renderPackageDiffMarkdown,
  renderPackageDiffText,
} from './package-diff.js';
import { expectGolden } from './testing/golden.js';

async function comparable(path: string) {
  const { source, artifact } = await openLayerPath(path, DEFAULT_LIMITS);
  try {
    return comparableFromInventory(await buildInventory(source, artifact));
  } finally {
    await source.close();
  }
}

describe('package diff renderers', () => {
  it('render the fixture diff (golden files)', async () => {
    const d = diffInventories(
      await comparable('testdata/layers/diff-old.zip'),
      await comparable('testdata/layers/diff-new.zip')
    );
    expectGolden('package-diff.txt', renderPackageDiffText(d));
    expectGolden('package-diff.md', renderPackageDiffMarkdown(d));
    expect(JSON.parse(renderPackageDiffJson(d))).toEqual(d);
  });

  it('neutralise hostile package names in every format', () => {
    const evil = (name: string, version: string) => ({
      name: 'x.zip',
      digest: 'sha256:' + 'ab'.repeat(32),
      complete: true,
      entries: comparableFromInventory({
        artifact: { name: 'x', kind: 'zip', sha256: 'ab'.repeat(32), size: 0, properties: {} },
        packages: [
          newPackage({
            id: 'e',
            ecosystem: 'npm',
            name,
            version,
            purl: `pkg:npm/evil@${version}`,
            foundBy: 't',
            locations: [{ path: 'nodejs/node_modules/evil/package.json' }],
          }),
        ],
        findings: [],
        complete: true,
      }).entries,
    });
    const d = diffInventories(
      evil('\u001b[31mred\u202e | <img src=x onerror=alert(1)>', '1.0.0'),
      evil('\u001b[31mred\u202e | <img src=x onerror=alert(1)>', '2.0.0`|')
    );
    const text = renderPackageDiffText(d);
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202e');
    expect(text).toContain('\\x1b[31mred\\u202e');
    const md = renderPackageDiffMarkdown(d);
    expect(md).not.toContain('\u001b');
    expect(md).not.toContain('<img');
    // The only pipes are the table's own: every row has the header's cell count.
    const row = md.split('\n').find((l) => l.includes('red'))!;
    expect(row.split('|').length).toBe(
      '| Package | From | To | Direction | Path |'.split('|').length
    );
  });
});
