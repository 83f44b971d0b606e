import { describe, expect, it } from 'vitest';
import { BaseError, UnpackError, UsageError } from '../errors.js';
import { FetchError } from '../fetch/errors.js';
import { HistoryError } from '../history/errors.js';
import { SbomReadError } from '../sbom/read.js';
import { ImageError, RegistryError } from '../fetch/image/errors.js';
import { PolicyError } from '../verify/policy/errors.js';
import { TrustRootError } from '../verify/trust/errors.js';
import { EXIT, describeError } from './exit.js';

describe('the exit code table', () => {
  it.each([
    ['a usage error', new UsageError({ code: 'BAD_ARGUMENT', message: 'm' }), EXIT.BAD_INPUT],
    ['a refused archive', new UnpackError({ code: 'NOT_A_ZIP', message: 'm' }), EXIT.BAD_INPUT],
    ['a bad policy', new PolicyError({ code: 'INVALID_POLICY', message: 'm' }), EXIT.BAD_INPUT],
    [
      'an unusable trusted root',
      new TrustRootError({ code: 'TRUST_ROOT_PARSE', message: 'm' }),
      EXIT.BAD_INPUT,
    ],
    ['AWS that could not be read', new FetchError({ code: 'ACCESS_DENIED', message: 'm' }), 3],
    ['an unreadable SBOM', new SbomReadError({ code: 'NOT_CYCLONEDX', message: 'm' }), 2],
    ['a damaged history', new HistoryError({ code: 'CORRUPT_DATABASE', message: 'm' }), 2],
    ['a history with no such scan', new HistoryError({ code: 'SCAN_NOT_FOUND', message: 'm' }), 2],
    ['a locked history', new HistoryError({ code: 'DATABASE_BUSY', message: 'm' }), 3],
    ['no SQLite binding', new HistoryError({ code: 'SQLITE_UNAVAILABLE', message: 'm' }), 3],
    ['a refused image', new ImageError({ code: 'DIGEST_MISMATCH', message: 'm' }), EXIT.BAD_INPUT],
    ['a registry that failed', new RegistryError({ code: 'RETRIES_EXHAUSTED', message: 'm' }), 3],
  ])('maps %s to its exit code, with its code on the line', (_what, err, code) => {
    const d = describeError(err);
    expect(d.code).toBe(code);
    expect(d.line).toBe(`lamina: m [${err.code}]`);
  });

  it('a coded error of a class the table does not list could not complete (3)', () => {
    class OtherError extends BaseError<'OTHER'> {}
    expect(describeError(new OtherError({ code: 'OTHER', message: 'm' })).code).toBe(3);
  });

  it('a file system error is not taken for a refused archive: exit 3, not 1 or 2', () => {
    // What a cache entry that vanished looks like: an Error with a string `code`.
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'x.zip'"), {
      code: 'ENOENT',
    });
    expect(describeError(enoent)).toEqual({
      code: EXIT.INCOMPLETE,
      line: "lamina: internal error: ENOENT: no such file or directory, open 'x.zip'",
    });
    expect(describeError({ code: 'NOT_A_ZIP', message: 'duck' }).code).toBe(EXIT.INCOMPLETE);
  });

  it('an SDK error about reaching AWS is one line saying what to do, exit 3', () => {
    const sso = Object.assign(
      new Error('The SSO session associated with this profile has expired.\nRun aws sso login'),
      { name: 'CredentialsProviderError' }
    );
    const { code, line } = describeError(sso);
    expect(code).toBe(EXIT.INCOMPLETE);
    expect(line).toMatch(
      /^lamina: the AWS SSO session has expired or is missing: run 'aws sso login'/
    );
    expect(line).not.toContain('\n');
  });
});
