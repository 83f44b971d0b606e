import { describe, expect, it } from 'vitest';
import { PolicyError } from './errors.js';
import { loadPolicy, MAX_POLICY_BYTES } from './load.js';

/** A "billion laughs": each level repeats the one before ten times. */
const ALIAS_BOMB = [
  'version: 1',
  'default: deny',
  'x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...Array.from(
    { length: 8 },
    (_, i) => `x${i + 1}: &x${i + 1} [${Array.from({ length: 10 }, () => `*x${i}`).join(', ')}]`
  ),
  '',
].join('\n');

function refusal(text: string): PolicyError {
  try {
    loadPolicy(text, 'p.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return e as PolicyError;
  }
  throw new Error('loaded');
}

describe('policy resource limits', () => {
  it('refuses a YAML alias bomb as an invalid policy (exit 2), without expanding it', () => {
    const e = refusal(ALIAS_BOMB);
    expect(e.code).toBe('INVALID_POLICY');
    expect(e).toBeInstanceOf(PolicyError); // exit 2 (src/cli/exit.ts)
    expect(e.problems[0]?.message).toMatch(/aliases expand too far/);
  });

  it('refuses a policy over the size cap before parsing it', () => {
    const e = refusal(`version: 1\ndefault: deny\n# ${'x'.repeat(MAX_POLICY_BYTES)}\n`);
    expect(e.code).toBe('POLICY_TOO_LARGE');
    expect(e).toBeInstanceOf(PolicyError); // exit 2 (src/cli/exit.ts)
  });

  it.each([
    ['flow', `x: ${'['.repeat(20_000)}${']'.repeat(20_000)}`],
    ['mapping', `x: ${'{a: '.repeat(5_000)}1${'}'.repeat(5_000)}`],
    ['sequence', `x:\n  ${'- '.repeat(20_000)}1`],
    ['indentation', Array.from({ length: 400 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n')],
  ])('refuses %s nesting too deep before parsing it', (_, body) => {
    const e = refusal(`version: 1\ndefault: deny\n${body}\n`);
    expect(e.code).toBe('INVALID_POLICY');
    expect(e.problems[0]?.message).toMatch(/nests deeper than 64/);
  });

  it('a few aliases, as a policy might use them, still load', () => {
    const p = loadPolicy(
      'version: 1\ndefault: deny\nlayers:\n  - match: &m { name: a }\n  - match: { name: b }\n    licenses: &l { deny: [AGPL-3.0-only] }\n  - match: { name: c }\n    licenses: *l\n',
      'p.yaml'
    );
    expect(p.policy.layers?.[2]?.licenses?.deny).toEqual(['AGPL-3.0-only']);
  });
});
