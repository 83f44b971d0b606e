import { describe, expect, it } from 'vitest';
import type { License } from '../../model/package.js';
import { compileLicenseRule, judgeLicense } from './licenses.js';

const expr = (expression: string): License => ({ $case: 'expression', expression });
const judge = (lic: License | string, rule: { allow?: string[]; deny?: string[] }) =>
  judgeLicense(typeof lic === 'string' ? expr(lic) : lic, compileLicenseRule(rule));
const ok = (lic: License | string, rule: { allow?: string[]; deny?: string[] }) =>
  judge(lic, rule).ok;

describe('licenses', () => {
  it('deprecated ids are read as their current ids, on both sides', () => {
    expect(judge('AGPL-3.0', { deny: ['AGPL-3.0-only'] })).toEqual({ ok: false, why: 'denied' });
    expect(ok('AGPL-3.0-only', { deny: ['AGPL-3.0'] })).toBe(false);
    expect(ok('GPL-2.0', { deny: ['GPL-2.0-only'] })).toBe(false);
    expect(ok('GPL-2.0+', { deny: ['GPL-2.0-or-later'] })).toBe(false);
    expect(
      ok('GPL-2.0-with-classpath-exception', {
        allow: ['GPL-2.0-only WITH Classpath-exception-2.0'],
      })
    ).toBe(true);
    expect(ok({ $case: 'name', name: 'agpl-3.0' }, { deny: ['AGPL-3.0-only'] })).toBe(false);
    expect(ok({ $case: 'id', id: 'GPL-3.0' }, { deny: ['GPL-3.0-only'] })).toBe(false);
  });

  it('or-later: a choice among the versions that exist', () => {
    // GPL-2.0-or-later may be taken as GPL-3.0-only: denying only 2.0 leaves that choice.
    expect(ok('GPL-2.0-or-later', { deny: ['GPL-2.0-only'] })).toBe(true);
    expect(ok('GPL-2.0+', { deny: ['GPL-2.0-only', 'GPL-3.0-only'] })).toBe(false);
    // In a list, or-later stands for every later version.
    expect(ok('GPL-3.0-only', { deny: ['GPL-2.0-or-later'] })).toBe(false);
    expect(ok('AGPL-3.0-or-later', { deny: ['AGPL-3.0-only'] })).toBe(false);
    expect(ok('LGPL-2.1-or-later', { allow: ['LGPL-3.0-only'] })).toBe(true);
    expect(ok('LGPL-2.1-only', { allow: ['LGPL-3.0-only'] })).toBe(false);
    // Outside the GNU families, X+ is denied when X is.
    expect(ok('MPL-1.1+', { deny: ['MPL-1.1'] })).toBe(false);
    expect(ok('MPL-1.1+', { allow: ['MPL-1.1'] })).toBe(true);
    expect(ok('MPL-1.1', { deny: ['MPL-1.1+'] })).toBe(true);
  });

  it('WITH: the base stays denied unless the exact form is allowed', () => {
    expect(ok('GPL-2.0-only WITH Classpath-exception-2.0', { deny: ['GPL-2.0-only'] })).toBe(false);
    expect(
      ok('GPL-2.0-only WITH Classpath-exception-2.0', {
        deny: ['GPL-2.0-only'],
        allow: ['MIT', 'GPL-2.0-only WITH Classpath-exception-2.0'],
      })
    ).toBe(true);
    expect(ok('GPL-3.0-only WITH GCC-exception-3.1', { allow: ['GPL-3.0-only'] })).toBe(true);
    expect(ok('GPL-2.0-only WITH Classpath-exception-2.0', { allow: ['MIT'] })).toBe(false);
  });

  it('AND needs every operand, OR some branch fully allowed', () => {
    const rule = { allow: ['MIT', 'Apache-2.0'], deny: ['AGPL-3.0-only'] };
    expect(ok('MIT OR GPL-3.0-only', rule)).toBe(true);
    expect(judge('MIT AND AGPL-3.0-only', rule)).toEqual({ ok: false, why: 'denied' });
    expect(judge('(MIT AND GPL-3.0-only) OR (Apache-2.0 AND BSD-3-Clause)', rule)).toEqual({
      ok: false,
      why: 'not in the allow list',
    });
    expect(ok('(MIT AND Apache-2.0) OR AGPL-3.0', rule)).toBe(true);
    expect(judge('AGPL-3.0 OR AGPL-3.0-or-later', { deny: ['AGPL-3.0-only'] }).why).toBe('denied');
    expect(ok('MIT OR AGPL-3.0', { deny: ['AGPL-3.0-only'] })).toBe(true);
    expect(ok('mit', { allow: ['MIT'] })).toBe(true);
  });

  it('a long expression is evaluated without expanding every combination', () => {
    const terms = Array.from({ length: 40 }, () => '(MIT OR Apache-2.0)').join(' AND ');
    expect(ok(terms, { allow: ['MIT'] })).toBe(true);
    expect(ok(`${terms} AND AGPL-3.0`, { deny: ['AGPL-3.0-only'] })).toBe(false);
  });
});
