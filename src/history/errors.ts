import { BaseError } from '../errors.js';

/** Codes for a history database lamina cannot use. */
export type HistoryErrorCode =
  /** The file is not a readable SQLite database, or SQLite found it damaged. */
  | 'CORRUPT_DATABASE'
  /** A SQLite database, but not one lamina wrote (other tables, another application id). */
  | 'NOT_A_HISTORY_DB'
  /** Written by a newer lamina (schema version above what this one knows). */
  | 'SCHEMA_TOO_NEW'
  /** No history at the path (commands that only read). */
  | 'NO_HISTORY'
  /** The path exists but is not a regular file. */
  | 'BAD_PATH'
  /** No recorded scan matches (an id, a date, or "the previous scan"). */
  | 'SCAN_NOT_FOUND'
  /** Another process held the database lock for longer than the wait allowed. */
  | 'DATABASE_BUSY'
  /** The SQLite binding (better-sqlite3) is not installed or not built for this Node. */
  | 'SQLITE_UNAVAILABLE'
  /** Reading or writing the file failed (permissions, disk full, I/O error). */
  | 'IO_ERROR';

/** One table: which history errors are bad input (2) and which mean "could not complete" (3). */
export const HISTORY_EXIT: Readonly<Record<HistoryErrorCode, 2 | 3>> = Object.freeze({
  CORRUPT_DATABASE: 2,
  NOT_A_HISTORY_DB: 2,
  SCHEMA_TOO_NEW: 2,
  NO_HISTORY: 2,
  BAD_PATH: 2,
  SCAN_NOT_FOUND: 2,
  DATABASE_BUSY: 3,
  SQLITE_UNAVAILABLE: 3,
  IO_ERROR: 3,
});

/** A history database that cannot be used as asked. Exit code from HISTORY_EXIT. */
export class HistoryError extends BaseError<HistoryErrorCode> {
  get exitCode(): 2 | 3 {
    return HISTORY_EXIT[this.code];
  }
}
