import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../model/finding.js';
import { newPackage, type Package } from '../model/package.js';
import { GAP_CODES, inventoryGaps, isInventoryComplete } from './completeness.js';

const lib = (id: string, over: Partial<Package> = {}): Package =>
  newPackage({
    id,
    ecosystem: 'npm',
    name: id,
    foundBy: 'test',
    locations: [{ path: `nodejs/node_modules/${id}/package.json` }],
    ...over,
  });
const file = (path: string): Package =>
  newPackage({
    id: `file:${path}`,
    ecosystem: 'generic',
    name: path.split('/').pop()!,
    type: 'file',
    foundBy: 'binary-cataloger',
    locations: [{ path }],
  });
const finding = (code: Finding['code'], severity: Finding['severity'], path?: string): Finding => ({
  code,
  severity,
  ...(path !== undefined ? { path } : {}),
  message: `${code} at ${path ?? '-'}`,
});

describe('inventoryGaps', () => {
  it('an inventory of owned packages and harmless findings is complete', () => {
    const inv = {
      packages: [lib('a')],
      findings: [
        finding('CASE_COLLISION', 'warning', 'a/B'),
        finding('BACKSLASH_IN_PATH', 'warning', 'x\\y'),
        finding('SHADOWED_FILE', 'info', 'nodejs/x'),
        finding('RECORD_FILE_MISSING', 'warning', 'python/x.py'),
      ],
    };
    expect(inventoryGaps(inv)).toEqual([]);
    expect(isInventoryComplete(inv)).toBe(true);
  });

  it.each([
    ['PARSE_ERROR', 'warning'],
    ['READ_ERROR', 'warning'],
    ['NESTED_ARCHIVE_REFUSED', 'warning'],
    ['SPECIAL_FILE', 'warning'],
    ['BINARY_NOT_INSPECTED', 'info'],
    // Any error-severity finding, whatever its code.
    ['SYMLINK_OUTSIDE_LAYER', 'error'],
    ['PATH_TRAVERSAL', 'error'],
    ['CASE_COLLISION', 'error'],
  ] as const)('%s (%s) makes it incomplete', (code, severity) => {
    const gaps = inventoryGaps({ packages: [lib('a')], findings: [finding(code, severity, 'p')] });
    expect(gaps).toEqual([{ code, path: 'p', message: `${code} at p` }]);
  });

  it('counts findings carried only on a package, once when also on the inventory', () => {
    const f = finding('RECORD_HASH_MISMATCH', 'error', 'python/x/__init__.py');
    const gaps = inventoryGaps({ packages: [lib('a', { findings: [f] })], findings: [f] });
    expect(gaps.map((g) => g.code)).toEqual(['RECORD_HASH_MISMATCH']);
  });

  it('an executable no package links to is UNOWNED_EXECUTABLE; a linked one is owned', () => {
    const tool = file('bin/tool');
    const addon = file('nodejs/node_modules/a/build/a.node');
    const owner = lib('a', { dependsOn: [addon.id] });
    const gaps = inventoryGaps({ packages: [owner, tool, addon], findings: [] });
    expect(gaps).toEqual([
      {
        code: 'UNOWNED_EXECUTABLE',
        path: 'bin/tool',
        message: expect.stringContaining('bin/tool'),
      },
    ]);
    // A file component cannot vouch for another one.
    const chained = inventoryGaps({
      packages: [{ ...tool, dependsOn: [addon.id] }, addon],
      findings: [],
    });
    expect(chained.map((g) => g.path)).toEqual(['bin/tool', 'nodejs/node_modules/a/build/a.node']);
  });

  it('sorts gaps by path, then code', () => {
    const gaps = inventoryGaps({
      packages: [file('z/bin')],
      findings: [finding('READ_ERROR', 'warning', 'b'), finding('PARSE_ERROR', 'warning', 'a')],
    });
    expect(gaps.map((g) => `${g.path} ${g.code}`)).toEqual([
      'a PARSE_ERROR',
      'b READ_ERROR',
      'z/bin UNOWNED_EXECUTABLE',
    ]);
  });

  it('the policy schema lists exactly the gap codes a rule may allow', () => {
    const schema = JSON.parse(readFileSync('policies/policy.schema.json', 'utf8')) as {
      definitions: { gapCode: { enum: string[] } };
    };
    expect([...schema.definitions.gapCode.enum].sort()).toEqual([...GAP_CODES].sort());
  });
});
