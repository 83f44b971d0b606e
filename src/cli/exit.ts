/**
 * Exit codes, and the one table that decides which error ends a run with which. Every layer
 * throws its own coded error (`BaseError` subclasses); only this table knows what they mean to
 * a shell.
 */
import { BaseError, UnpackError, UsageError } from '../errors.js';
import { awsAccessProblem } from '../fetch/aws/errors.js';
import { FetchError } from '../fetch/errors.js';
import { HISTORY_EXIT, HistoryError } from '../history/errors.js';
import { SbomReadError } from '../sbom/errors.js';
import { ImageError, RegistryError } from '../fetch/image/errors.js';
import { PolicyError } from '../verify/policy/errors.js';
import { TrustRootError } from '../verify/trust/errors.js';

/** Documented exit codes. */
export const EXIT = Object.freeze({
  /** Everything checked passed. */
  OK: 0,
  /** A policy violation (verify, gate, verify-bundle). */
  POLICY_FAILURE: 1,
  /** Bad input or usage: a refused archive, a malformed file, a wrong flag. */
  BAD_INPUT: 2,
  /** Could not complete: unreachable service, exhausted retries, internal error. */
  INCOMPLETE: 3,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

type ErrorClass = abstract new (...args: never[]) => BaseError<string>;

/**
 * Error class → exit code (or, for a class whose codes differ, the code's exit code); the first
 * row whose class the error is an instance of wins.
 */
export const EXIT_CODE_BY_ERROR: ReadonlyArray<
  readonly [ErrorClass, ExitCode | ((err: never) => ExitCode)]
> = [
  /** A wrong flag, a missing or unusable input file, an ARN or function AWS says is not there. */
  [UsageError, EXIT.BAD_INPUT],
  /** An archive lamina refuses to read. */
  [UnpackError, EXIT.BAD_INPUT],
  /** A policy file that cannot be read or is invalid. */
  [PolicyError, EXIT.BAD_INPUT],
  /** A Sigstore trusted root that cannot be used. */
  [TrustRootError, EXIT.BAD_INPUT],
  /** An SBOM given as input that is not CycloneDX JSON lamina can read. */
  [SbomReadError, EXIT.BAD_INPUT],
  /** A history database: damaged or foreign (2), locked or unreadable (3); HISTORY_EXIT decides. */
  [HistoryError, (err: HistoryError) => HISTORY_EXIT[err.code]],
  /** AWS or a content URL could not be read. */
  [FetchError, EXIT.INCOMPLETE],
  /** An image reference, layout or document lamina refuses (bad input, tampered bytes). */
  [ImageError, EXIT.BAD_INPUT],
  /** A registry that could not be read (auth, retries exhausted, missing blob). */
  [RegistryError, EXIT.INCOMPLETE],
];

/**
 * Map an error to its exit code and one line for stderr (no stack trace unless LAMINA_DEBUG is
 * set). A coded error not in the table, and anything that is not a coded error at all (a file
 * system error, a bug), could not complete: exit 3.
 */
export function describeError(err: unknown): { code: ExitCode; line: string } {
  if (err instanceof BaseError) {
    const coded = err as BaseError<string>;
    const row = EXIT_CODE_BY_ERROR.find(([cls]) => err instanceof cls);
    const exit = row?.[1];
    return {
      code:
        typeof exit === 'function'
          ? (exit as (e: BaseError<string>) => ExitCode)(coded)
          : (exit ?? EXIT.INCOMPLETE),
      line: `lamina: ${coded.message} [${coded.code}]`,
    };
  }
  const access = awsAccessProblem(err);
  if (access !== undefined) return { code: EXIT.INCOMPLETE, line: `lamina: ${access}` };
  const msg = err instanceof Error ? err.message : String(err);
  return { code: EXIT.INCOMPLETE, line: `lamina: internal error: ${msg.split('\n')[0]}` };
}
