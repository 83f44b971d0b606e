/**
 * Coded errors. Every domain has one class with a string-literal code union;
 * tests assert `code`, never the message. One table in the CLI (src/cli/exit.ts)
 * maps each class to an exit code.
 */
export class BaseError<Code extends string> extends Error {
  readonly code: Code;
  override readonly cause?: unknown;

  constructor({ code, message, cause }: { code: Code; message: string; cause?: unknown }) {
    super(message);
    this.code = code;
    this.cause = cause;
    this.name = this.constructor.name;
  }
}

/** Codes for an archive (zip, jar, tar) lamina refuses to read. */
export type UnpackErrorCode =
  | 'NOT_FOUND'
  | 'NOT_A_ZIP'
  | 'CORRUPT_ARCHIVE'
  | 'TRUNCATED_ARCHIVE'
  | 'ENCRYPTED_ENTRY'
  | 'UNSUPPORTED_COMPRESSION'
  | 'TOO_MANY_ENTRIES'
  | 'TOO_LARGE'
  | 'RATIO_EXCEEDED'
  | 'OVERLAPPING_ENTRIES'
  | 'DUPLICATE_ENTRY'
  | 'HEADER_MISMATCH'
  | 'NORMALIZATION_COLLISION'
  | 'PATH_CONFLICT'
  | 'AMBIGUOUS_END_RECORD'
  | 'DATA_BEFORE_FIRST_ENTRY'
  | 'NESTING_TOO_DEEP'
  | 'ENTRY_TOO_LARGE';

/** An archive that cannot be read safely or unambiguously. */
export class UnpackError extends BaseError<UnpackErrorCode> {}

/**
 * Codes for bad usage (a wrong flag or command) or an input the user named that cannot be used
 * (a missing file, an ARN or function AWS says is not there).
 */
export type UsageErrorCode = 'BAD_ARGUMENT' | 'UNKNOWN_COMMAND' | 'MISSING_ARGUMENT' | 'BAD_INPUT';

/** The user asked for something that cannot be done as asked. */
export class UsageError extends BaseError<UsageErrorCode> {}
