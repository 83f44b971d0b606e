/**
 * The policy validator shipped in policies/ is compiled ahead of time from the schema: it must be
 * exactly what the schema and the installed ajv give, or policies would be checked against a
 * schema that no longer is.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyValidatorCode, VALIDATOR } from '../../../scripts/lib/policy-validator.mjs';
import { loadPolicy } from './load.js';

describe('the generated policy validator', () => {
  it('is what policy.schema.json compiles to (else: node scripts/gen-policy-validator.mjs)', () => {
    expect(readFileSync(VALIDATOR, 'utf8')).toBe(policyValidatorCode());
  });

  it('is the one loadPolicy uses: a policy the schema refuses is refused with its path', () => {
    expect(() =>
      loadPolicy('version: 1\ndefault: deny\nlayers: [{ match: 3 }]\n', 'p.yaml')
    ).toThrow(/layers\/0\/match/);
  });
});
