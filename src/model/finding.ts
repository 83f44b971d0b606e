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
  /** A symlink that does not resolve within 40 links (ELOOP): error. */
  | 'SYMLINK_LOOP'
  /** A symlink to a path this layer does not hold (another layer may): warning. */
  | 'SYMLINK_DANGLING'
  /** A jar's manifest Class-Path entry leads to nothing in this layer (another layer may hold it): warning. */
  | 'CLASS_PATH_DANGLING'
  /** Symlinked directories form a cycle; files keep their real path and the first link paths: warning. */
  | 'SYMLINK_CYCLE'
  /** Entries whose /opt path is longer than PATH_MAX: no runtime opens them, catalogers skip them: warning. */
  | 'PATH_TOO_LONG'
  /** Metadata lacked a name or version; the package was named from its path instead: warning. */
  | 'METADATA_INCOMPLETE'
  /** Metadata a runtime reads one way and lamina could read another (duplicate JSON keys): error. */
  | 'AMBIGUOUS_METADATA'
  /** An ownership claim a package makes that lamina does not accept (outside its own install directory): info. */
  | 'OWNERSHIP_CLAIM_IGNORED'
  /**
   * RECORD-listed files not re-hashed: --max-rehash-size was reached, or the row has no hash
   * lamina computes (an unknown algorithm on any file, none on a file Python runs): error.
   */
  | 'RECORD_NOT_VERIFIED'
  /** Compiled Python bytecode the runtime may run instead of the source read: error. */
  | 'BYTECODE_NOT_VERIFIED'
  /** A site directory's .pth file puts on sys.path a zip, or a place outside the layer (error), or nothing in this layer (warning). */
  | 'PTH_PATH_NOT_INSPECTED'
  /** A module on sys.path before the standard library with a standard library module's name: error. */
  | 'STDLIB_SHADOWED'
  | 'CASE_COLLISION'
  | 'PARSE_ERROR'
  | 'READ_ERROR'
  | 'RECORD_HASH_MISMATCH'
  | 'RECORD_FILE_MISSING'
  /** A module file in a package directory a distribution's RECORD claims, which its RECORD does not list: error. */
  | 'RECORD_FILE_UNLISTED'
  /** An archive not opened (too deep, too large, not a zip), or what a class path jar makes the JVM open and lamina does not follow (a JarIndex, a Class-Path past its bounds): error. */
  | 'NESTED_ARCHIVE_REFUSED'
  /** A binary too large to read into memory: hashed, but not searched for Go/Rust build info. */
  | 'BINARY_NOT_INSPECTED'
  | 'SPECIAL_FILE'
  /** A file of an earlier layer replaced by a later layer at the same path (function view). */
  | 'SHADOWED_FILE'
  /** A tar archive that ends without its end-of-archive blocks. */
  | 'TAR_NO_END_BLOCKS'
  /** A directory listed twice in one tar layer (the later attributes apply). */
  | 'DUPLICATE_DIRECTORY'
  /** Two names equal after Unicode NFC normalisation (distinct on Linux, one file on macOS). */
  | 'NORMALIZATION_TWIN'
  /** A whiteout and the entry it names are in the same layer, the entry first: in-order extractors delete it. */
  | 'WHITEOUT_SAME_LAYER'
  /** A layer entry lands elsewhere because a lower layer made one of its parents a symlink. */
  | 'WRITE_THROUGH_SYMLINK'
  /** A hardlink whose target is not a file in the image at that point; extractors fail on it. */
  | 'DANGLING_HARDLINK'
  /** A hardlink to a file of a lower layer (the OCI layer format says extracting it may fail). */
  | 'HARDLINK_TO_LOWER_LAYER'
  /** A hardlink to a lower layer's file that its own layer whites out: extractors keep or fail it. */
  | 'HARDLINK_TO_WHITED_OUT'
  /** A file an OS package lists differs from the checksum the package database recorded. */
  | 'PACKAGE_FILE_MODIFIED'
  /** A file an OS package lists is missing from the image. */
  | 'PACKAGE_FILE_MISSING'
  /** A package database in a format lamina cannot read (its packages are not inventoried). */
  | 'UNSUPPORTED_DATABASE'
  /** A package database with a write-ahead log: applied when valid, else reported. */
  | 'DATABASE_WAL'
  /** An image config variable that makes the runtime load code (path: its name): error. */
  | 'ENV_LOADER'
  /** An ELF object's DT_NEEDED the loader looks up in a way lamina cannot follow (working directory, $LIB): error. */
  | 'LIBRARY_NOT_RESOLVED'
  /**
   * Code a runtime loads that no package owns, where no file component stands for it (an image's
   * Python standard library no OS package installed): error, the gap an unowned file component is.
   */
  | 'UNOWNED_EXECUTABLE';

/**
 * `error` means the inventory could not see something a runtime could load
 * (verification treats the inventory as incomplete); `warning` and `info` do not.
 */
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
