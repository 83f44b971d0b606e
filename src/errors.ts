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
  | 'ENTRY_TOO_LARGE'
  // Ambiguities: archives mainstream readers extract differently (README "What lamina refuses and why").
  | 'AMBIGUOUS_ENTRY_KIND'
  | 'SPECIAL_FILE_ENTRY'
  | 'BAD_SYMLINK_TARGET'
  | 'CONTROL_CHARACTER_IN_NAME'
  | 'BACKSLASH_IN_NAME'
  | 'DRIVE_LETTER_IN_NAME'
  | 'VERSION_SUFFIX_IN_NAME'
  | 'PATH_TRAVERSAL'
  | 'AMBIGUOUS_NAME_ENCODING'
  | 'UNICODE_PATH_MISMATCH'
  | 'ZIP64_END_MISMATCH'
  | 'UNLISTED_DATA'
  | 'AMBIGUOUS_DATA_DESCRIPTOR'
  | 'TRAILING_COMPRESSED_DATA'
  | 'UNSUPPORTED_VERSION'

  /** Not a tar archive (no valid first header). */
  | 'NOT_A_TAR'
  /** A tar header whose checksum is wrong: GNU tar skips ahead, Python stops, Go fails. */
  | 'BAD_CHECKSUM'
  /** The ustar name (or link name) disagrees with the PAX or GNU long name other than as writers fall back. */
  | 'NAME_MISMATCH'
  /** A tar header that mainstream readers interpret differently (numeric fields, stacked or global extended headers). */
  | 'AMBIGUOUS_HEADER'
  /** Non-zero bytes after the first end-of-archive block. */
  | 'DATA_AFTER_END'
  /** A GNU or PAX sparse entry. */
  | 'SPARSE_ENTRY'
  /** A tar entry type readers do not agree on (contiguous, multi-volume, vendor types). */
  | 'UNKNOWN_ENTRY_TYPE'
  /** A control character in an entry name or link name. */
  | 'CONTROL_CHARACTER'
  /** A name that is not valid UTF-8 (readers would decode it differently). */
  | 'BAD_NAME_ENCODING'
  /** A whiteout entry the OCI layer specification does not allow. */
  | 'INVALID_WHITEOUT'
  /** The uncompressed layer does not hash to the diffID it must have. */
  | 'DIGEST_MISMATCH'
  /** A directory's file is no longer the regular file of the size its walk listed. */
  | 'CHANGED_WHILE_READ';

/** An archive that cannot be read safely or unambiguously. */
export class UnpackError extends BaseError<UnpackErrorCode> {}

/**
 * Codes for bad usage (a wrong flag or command) or an input the user named that cannot be used
 * (a missing file, an ARN or function AWS says is not there).
 */
export type UsageErrorCode =
  | 'BAD_ARGUMENT'
  | 'UNKNOWN_COMMAND'
  | 'MISSING_ARGUMENT'
  | 'BAD_INPUT'
  /** `--profile` or `AWS_PROFILE` names a profile the shared AWS files do not define. */
  | 'UNKNOWN_PROFILE';

/** The user asked for something that cannot be done as asked. */
export class UsageError extends BaseError<UsageErrorCode> {}
