//! The project file's schema and its migrations. The version lives in `PRAGMA user_version`;
//! `PRAGMA application_id` marks the file as an errata project.

use rusqlite::Connection;

/// "ERRA" in ASCII: tells an errata project from any other SQLite file.
pub const APPLICATION_ID: i64 = 0x4552_5241;

/// Migration `i` brings a file from version `i` to version `i + 1`. Append, never edit: files
/// in users' hands were written by the earlier steps.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4];

/// The version this errata writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

const V1: &str = "
CREATE TABLE dataset (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    relative_path TEXT NOT NULL,   -- from the project file's folder
    absolute_path TEXT NOT NULL,
    fingerprint TEXT NOT NULL,     -- JSON: bytes, modified, xxh3 of the table file
    mapping TEXT NOT NULL          -- JSON: the column mapping the user chose
);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    color TEXT NOT NULL,
    hotkey INTEGER UNIQUE CHECK (hotkey BETWEEN 1 AND 9),
    description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE assignments (
    row_id TEXT NOT NULL,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (row_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX assignments_by_tag ON assignments(tag_id);
CREATE TABLE reviewed (row_id TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE notes (row_id TEXT PRIMARY KEY, note TEXT NOT NULL) WITHOUT ROWID;
-- Entered HLP values and ratings, keyed by subject (JSON of model::hlp::Subject).
CREATE TABLE hlp (subject TEXT PRIMARY KEY, accuracy REAL NOT NULL CHECK (accuracy BETWEEN 0 AND 1)) WITHOUT ROWID;
CREATE TABLE ratings (
    subject TEXT PRIMARY KEY,
    ease INTEGER NOT NULL CHECK (ease BETWEEN 1 AND 5),
    importance INTEGER NOT NULL CHECK (importance BETWEEN 1 AND 5)
) WITHOUT ROWID;
-- The edit log: each edit's operations and their inverse (JSON), for undo and redo.
CREATE TABLE edits (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    description TEXT NOT NULL,
    forward TEXT NOT NULL,
    backward TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0
);
-- The app's per-project view state (filters, selection, layout), as JSON values.
CREATE TABLE view_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
";

/// Version 2: the audit checklist (an audit spec, as TOML text: docs/audit-spec.md).
const V2: &str = "
CREATE TABLE audit (id INTEGER PRIMARY KEY CHECK (id = 1), spec TEXT NOT NULL);
";

/// Version 3: label reviews — a corrected label for a row, or its given label confirmed
/// (`label` NULL), with who recorded it and when. The dataset file is never changed.
const V3: &str = "
CREATE TABLE label_reviews (
    row_id TEXT PRIMARY KEY,
    label TEXT,
    author TEXT NOT NULL,
    at TEXT NOT NULL
) WITHOUT ROWID;
";

/// Version 4: input metrics of media files (drift), by the file's path, size and
/// modification time, so that a folder is decoded once. A cache: never undone, and a row for
/// a changed file is simply measured again.
const V4: &str = "
CREATE TABLE media_metrics (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    metrics TEXT NOT NULL
) WITHOUT ROWID;
";

/// The index of assignments by tag, as version 1 creates it: rebuilt after a bulk insert.
pub const ASSIGNMENTS_BY_TAG: &str = "CREATE INDEX assignments_by_tag ON assignments(tag_id)";

/// Brings a fresh or older file to [`CURRENT_VERSION`], one transaction per step.
pub fn migrate(conn: &mut Connection, from: i64) -> rusqlite::Result<()> {
    for (version, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version as i64 + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}
