import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../model/inventory.js';
import { newPackage } from '../../model/package.js';
import { loadPolicy } from '../policy/load.js';
import { verifyLayer } from '../verifier.js';
import { evaluateInventory } from './inventory.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function inv(unowned: string[], findings: Inventory['findings'] = []): Inventory {
  return {
    artifact: { name: 'l.zip', kind: 'zip', sha256: 'a'.repeat(64), size: 1, properties: {} },
    packages: unowned.map((path) =>
      newPackage({
        id: `file:${path}`,
        ecosystem: 'generic',
        name: path,
        type: 'file',
        foundBy: 'binary-cataloger',
        locations: [{ path }],
      })
    ),
    findings,
    // Deliberately wrong: the check must not trust the flag.
    complete: true,
  };
}

const parseError = {
  code: 'PARSE_ERROR' as const,
  severity: 'warning' as const,
  path: 'nodejs/node_modules/x/package.json',
  message: 'could not parse',
};

describe('evaluateInventory', () => {
  it('fails when no inventory could be built', () => {
    const c = evaluateInventory({ allow: ['UNOWNED_EXECUTABLE', 'PARSE_ERROR'] }, undefined);
    expect(c.status).toBe('fail');
    expect(c.evidence).toEqual({ inventory: 'missing' });
  });

  it('passes a complete inventory', () => {
    expect(evaluateInventory(undefined, inv([])).status).toBe('pass');
  });

  it('fails on every gap, listing causes and entries, when the rule allows nothing', () => {
    const c = evaluateInventory(undefined, inv(['bin/tool'], [parseError]));
    expect(c.status).toBe('fail');
    expect(c.detail).toContain('PARSE_ERROR, UNOWNED_EXECUTABLE');
    expect(c.detail).toContain('bin/tool');
    expect(c.evidence['causes']).toEqual([
      expect.objectContaining({ code: 'UNOWNED_EXECUTABLE', path: 'bin/tool' }),
      expect.objectContaining({ code: 'PARSE_ERROR', path: parseError.path }),
    ]);
  });

  it('an allowance covers its code only', () => {
    const c = evaluateInventory({ allow: ['UNOWNED_EXECUTABLE'] }, inv(['bin/tool'], [parseError]));
    expect(c.status).toBe('fail');
    expect(c.evidence['causes']).toEqual([expect.objectContaining({ code: 'PARSE_ERROR' })]);
    expect(c.evidence['allowed']).toEqual([expect.objectContaining({ path: 'bin/tool' })]);
    expect(evaluateInventory({ allow: ['UNOWNED_EXECUTABLE'] }, inv(['bin/tool'])).status).toBe(
      'pass'
    );
  });

  it('an allowance with paths covers only those paths, and carries its reason', () => {
    const rule = {
      allow: [{ code: 'UNOWNED_EXECUTABLE' as const, paths: ['bin/*'], reason: 'reviewed' }],
    };
    const ok = evaluateInventory(rule, inv(['bin/tool']));
    expect(ok.status).toBe('pass');
    expect(ok.evidence['allowed']).toEqual([
      expect.objectContaining({ path: 'bin/tool', reason: 'reviewed' }),
    ]);
    const bad = evaluateInventory(rule, inv(['bin/tool', 'extensions/spy']));
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain('extensions/spy');
  });

  it('names at most ten entries in the detail, all in the evidence', () => {
    const paths = Array.from({ length: 25 }, (_, i) => `bin/t${String(i).padStart(2, '0')}`);
    const c = evaluateInventory(undefined, inv(paths));
    expect(c.detail).toContain('and 15 more');
    expect(c.evidence['causes']).toHaveLength(25);
  });
});

describe('inventory:complete in verdicts', () => {
  const policy = (mode: string, extra = '') =>
    loadPolicy(
      `version: 1\ndefault: allow\nlayers:\n  - match: { name: utils }\n    mode: ${mode}\n${extra}`,
      'p.yaml'
    );
  const ev = (inventory?: Inventory) => ({
    name: 'l.zip',
    layerName: 'utils',
    sha256: 'a'.repeat(64),
    bundles: [],
    ...(inventory ? { inventory } : {}),
  });

  it('fails an enforced rule, warns under warn and audit', () => {
    const outcome = (mode: string) => {
      const v = verifyLayer(ev(inv(['bin/tool'])), policy(mode), { now: NOW });
      return [v.ok, v.checks.find((c) => c.id === 'inventory:complete')?.outcome];
    };
    expect(outcome('enforce')).toEqual([false, 'fail']);
    expect(outcome('warn')).toEqual([true, 'warn']);
    expect(outcome('audit')).toEqual([true, 'warn']);
  });

  it('a rule allowance lets it pass; the policy schema accepts both forms', () => {
    const p = policy(
      'enforce',
      "    inventory:\n      allow:\n        - PARSE_ERROR\n        - { code: UNOWNED_EXECUTABLE, paths: ['bin/**'], reason: vendored tool }\n"
    );
    expect(verifyLayer(ev(inv(['bin/tool'], [parseError])), p, { now: NOW }).ok).toBe(true);
  });

  it('the policy schema refuses an unknown code and an object allowance without a reason', () => {
    expect(() => policy('enforce', '    inventory: { allow: [EVERYTHING] }\n')).toThrow(
      /inventory\/allow\/0/
    );
    expect(() =>
      policy('enforce', '    inventory: { allow: [{ code: UNOWNED_EXECUTABLE }] }\n')
    ).toThrow(/inventory\/allow\/0/);
  });

  it('applies under the default too: default allow does not wave through an unseen layer', () => {
    const p = loadPolicy('version: 1\ndefault: allow\n', 'p.yaml');
    expect(verifyLayer(ev(inv([])), p, { now: NOW }).ok).toBe(true);
    expect(verifyLayer(ev(inv(['bin/tool'])), p, { now: NOW }).ok).toBe(false);
    expect(verifyLayer(ev(undefined), p, { now: NOW }).ok).toBe(false);
  });
});
