/**
 * sigstore-conformance bundle-verify cases (vendored, testdata/sigstore/conformance) plus cases
 * crafted for mistakes the vendored ones do not cover (testdata/sigstore/crafted, made by
 * scripts/make-sigstore-crafted-cases.mjs). A `_fail` case must exit non-zero; every other must
 * exit 0. Both the artifact path and the `sha256:` digest form are run, as the suite does.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { caseNames, runCase } from './case-runner.js';

const TESTDATA = join(import.meta.dirname, '..', '..', '..', 'testdata', 'sigstore');
const CONFORMANCE = join(TESTDATA, 'conformance');
const CRAFTED = join(TESTDATA, 'crafted');
const A_TXT = join(CONFORMANCE, 'a.txt');

const matrix = (root: string) =>
  caseNames(root).flatMap((name) =>
    (['path', 'digest'] as const).map((mode) => ({ name, mode, dir: join(root, name) }))
  );

describe.each([
  ['conformance', CONFORMANCE],
  ['crafted', CRAFTED],
])('%s cases', (_label, root) => {
  it('has cases', () => {
    expect(caseNames(root).length).toBeGreaterThan(10);
  });

  it.each(matrix(root))('$name ($mode)', async ({ name, mode, dir }) => {
    const { code, stderr } = await runCase(dir, A_TXT, mode);
    if (name.endsWith('_fail')) {
      expect(code, 'must not verify').not.toBe(0);
      expect(stderr).toMatch(/^verify-bundle: /);
    } else {
      expect(code, stderr).toBe(0);
    }
  });
});

describe('failure codes of crafted cases', () => {
  it.each([
    ['trust-root-tlog-missing-validity-start_fail', 'TRUST_ROOT_MISSING_VALIDITY'],
    ['trust-root-ctlog-missing-validity-start_fail', 'TRUST_ROOT_MISSING_VALIDITY'],
    ['trust-root-ca-missing-validity-start_fail', 'TRUST_ROOT_MISSING_VALIDITY'],
    ['trust-root-tsa-missing-validity-start_fail', 'TRUST_ROOT_MISSING_VALIDITY'],
    ['dsse-subject-digest-mismatch_fail', 'DSSE_SUBJECT_MISMATCH'],
    ['identity-prefix_fail', 'IDENTITY_MISMATCH'],
    ['identity-substring_fail', 'IDENTITY_MISMATCH'],
    ['identity-regex-wildcard_fail', 'IDENTITY_MISMATCH'],
    ['identity-longer_fail', 'IDENTITY_MISMATCH'],
    ['issuer-trailing-slash_fail', 'ISSUER_MISMATCH'],
    ['managed-key-other-key_fail', 'SIGNATURE_INVALID'],
    ['keyless-bundle-with-key_fail', 'MATERIAL_MISMATCH'],
  ])('%s fails with %s', async (name, code) => {
    for (const mode of ['path', 'digest'] as const) {
      const r = await runCase(join(CRAFTED, name), A_TXT, mode);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`verify-bundle: ${code}:`);
    }
  });
});
