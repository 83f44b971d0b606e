/**
 * The history database schema, as an ordered list of migrations: migration i takes a database
 * from schema version i to i + 1 (PRAGMA user_version). A new database runs them all; an older
 * one runs the ones it lacks, in one transaction.
 * https://www.sqlite.org/pragma.html#pragma_user_version
 */

/** `lami` as a big-endian 32-bit integer: marks the file as a lamina history database. */
export const APPLICATION_ID = 0x6c616d69;

export const MIGRATIONS: readonly string[] = [
  // 0 → 1: scans, content-addressed facts (functions, layer versions, failures) shared by every
  // scan that saw them, and layer inventories stored once per digest.
  `
  CREATE TABLE scan (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    tool_version TEXT NOT NULL,
    scope TEXT NOT NULL
  );
  CREATE TABLE fact (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    hash BLOB NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    digest TEXT,
    body TEXT NOT NULL
  );
  CREATE INDEX fact_digest ON fact (digest) WHERE digest IS NOT NULL;
  -- fact_id has no foreign key: checking one on every deleted fact would scan this whole
  -- table (it has no index on fact_id, which would double its size); prune deletes only facts
  -- no scan_fact row refers to.
  CREATE TABLE scan_fact (
    scan_id INTEGER NOT NULL REFERENCES scan (id) ON DELETE CASCADE,
    fact_id INTEGER NOT NULL,
    PRIMARY KEY (scan_id, fact_id)
  ) WITHOUT ROWID;
  CREATE TABLE inventory (
    digest TEXT PRIMARY KEY,
    codec TEXT NOT NULL,
    size INTEGER NOT NULL,
    body BLOB NOT NULL
  );
  `,
  // 1 → 2: scans recorded by `verify --all` carry verdicts and signing facts (new fact kinds)
  // and the digest of the policy they were verified against.
  `
  ALTER TABLE scan ADD COLUMN policy_digest TEXT;
  ALTER TABLE scan ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
  `,
];

/** The schema version this lamina writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
