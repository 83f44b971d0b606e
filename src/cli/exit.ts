import { BaseError, UnpackError, UsageError } from '../errors.js';

/** Documented exit codes. */
export const EXIT = Object.freeze({
  /** Everything checked passed. */
  OK: 0,
  /** A policy violation (verify, gate). */
  POLICY_FAILURE: 1,
  /** Bad input or usage: a refused archive, a malformed file, a wrong flag. */
  BAD_INPUT: 2,
  /** Could not complete: unreachable service, exhausted retries, internal error. */
  INCOMPLETE: 3,
});

/** Map an error to its exit code and one line for stderr (no stack trace unless LAMINA_DEBUG is set). */
export function describeError(err: unknown): { code: number; line: string } {
  if (err instanceof UnpackError || err instanceof UsageError) {
    return { code: EXIT.BAD_INPUT, line: `lamina: ${err.message} [${err.code}]` };
  }
  if (err instanceof BaseError) {
    const code = (err as { exitCode?: number }).exitCode ?? EXIT.INCOMPLETE;
    return { code, line: `lamina: ${err.message} [${String(err.code)}]` };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { code: EXIT.INCOMPLETE, line: `lamina: internal error: ${msg.split('\n')[0]}` };
}
