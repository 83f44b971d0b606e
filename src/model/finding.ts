/**
 * A finding is something lamina noticed that does not stop the run: an odd
 * archive entry, a file it could not parse, a file modified after install.
 * Inventory tolerates errors by turning them into findings.
 */
export type FindingCode =
  | 'PATH_TRAVERSAL'
  | 'ABSOLUTE_PATH'
  | 'BACKSLASH_IN_PATH'
  | 'SYMLINK_OUTSIDE_LAYER'
  | 'CASE_COLLISION'
  | 'PARSE_ERROR'
  | 'READ_ERROR'
  | 'RECORD_HASH_MISMATCH'
  | 'RECORD_FILE_MISSING'
  | 'NESTED_ARCHIVE_REFUSED'
  /** A binary too large to read into memory: hashed, but not searched for Go/Rust build info. */
  | 'BINARY_NOT_INSPECTED'
  | 'SPECIAL_FILE'
  /** A file of an earlier layer replaced by a later layer at the same path (function view). */
  | 'SHADOWED_FILE';

export type FindingSeverity = 'info' | 'warning' | 'error';

export interface Finding {
  code: FindingCode;
  severity: FindingSeverity;
  /** Layer-relative path the finding is about, when there is one. */
  path?: string;
  /** One human sentence; not asserted by tests. */
  message: string;
}

/** Stable order for findings: by path, then code, then message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.path ?? '').localeCompare(b.path ?? '', 'en') ||
    a.code.localeCompare(b.code, 'en') ||
    a.message.localeCompare(b.message, 'en')
  );
}
