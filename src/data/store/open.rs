//! Opening and creating project files: the checks that a file is a project this errata can
//! read, migrations of older files, and the dataset record.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, params};

use super::{
    BUSY_TIMEOUT, CURRENT_VERSION, DatasetRecord, Op, SQLITE_HEADER, Store, StoreError, TagDef,
    edit, schema,
};
use crate::data::files;

use rayon::prelude::*;

impl Store {
    /// Creates a new project file (it must not exist). The file is built under a temporary
    /// name and renamed into place, so an interrupted creation leaves nothing behind.
    /// `assignments`: (row id, index in `tags`), written in bulk (`insert_assignments`).
    pub fn create(
        path: &Path,
        record: &DatasetRecord,
        tags: &[TagDef],
        assignments: &[(&str, usize)],
    ) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let temp = files::temporary_beside(path, ".errata-new-").map_err(|e| {
            if nearly_full(path) {
                disk_full(path)
            } else {
                io(e)
            }
        })?;
        // A failed build leaves no journal of the temporary file behind either.
        let remove_side_files = |temp: &Path| {
            for suffix in ["-journal", "-wal", "-shm"] {
                let mut side = temp.as_os_str().to_owned();
                side.push(suffix);
                let _ = std::fs::remove_file(side);
            }
        };
        let built = (|| {
            let sql = |source: rusqlite::Error| match source.sqlite_error_code() {
                Some(ErrorCode::DiskFull) => disk_full(path),
                Some(ErrorCode::SystemIoFailure) if nearly_full(path) => disk_full(path),
                _ => StoreError::Sqlite {
                    path: path.to_path_buf(),
                    source,
                },
            };
            let mut conn = Connection::open(temp.path()).map_err(sql)?;
            schema::migrate(&mut conn, 0).map_err(sql)?;
            let tx = conn.transaction().map_err(sql)?;
            tx.execute(
                "INSERT INTO dataset (id, relative_path, absolute_path, fingerprint, mapping) VALUES (1, ?1, ?2, ?3, ?4)",
                params![
                    record.relative_path.to_string_lossy(),
                    record.absolute_path.to_string_lossy(),
                    serde_json::to_string(&record.fingerprint).unwrap_or_default(),
                    serde_json::to_string(&record.mapping).unwrap_or_default()
                ],
            )
            .map_err(sql)?;
            let mut tag_ids = Vec::with_capacity(tags.len());
            for def in tags {
                edit::apply(&tx, &Op::DefineTag(def.clone())).map_err(sql)?;
                tag_ids.push(tx.last_insert_rowid());
            }
            insert_assignments(&tx, assignments, &tag_ids).map_err(sql)?;
            tx.commit().map_err(sql)?;
            Ok(())
        })();
        if let Err(e) = built {
            remove_side_files(temp.path());
            return Err(e);
        }
        temp.persist_noclobber(path).map_err(|e| {
            if path.exists() {
                StoreError::Exists(path.to_path_buf())
            } else {
                io(e.error)
            }
        })?;
        Store::open(path)
    }

    /// Opens a project, checking that it is one, that this errata can read it, and bringing
    /// an older file up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let path_buf = path.to_path_buf();
        if !path.exists() {
            return Err(StoreError::NotFound(path_buf));
        }
        let mut header = [0u8; 16];
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let read = std::fs::File::open(path)
            .map_err(io)?
            .read(&mut header)
            .map_err(io)?;
        if read < 16 || &header != SQLITE_HEADER {
            let reason = if read == 0 {
                "the file is empty"
            } else {
                "it is not an SQLite database"
            };
            return Err(StoreError::NotAProject {
                path: path_buf,
                reason,
            });
        }
        // Read-only when marked so (honoured even for an administrator, who could write it),
        // or when this user cannot open it for writing (permissions, a read-only disk);
        // opening for writing changes nothing.
        let read_only = std::fs::metadata(path)
            .map_err(io)?
            .permissions()
            .readonly()
            || std::fs::OpenOptions::new().write(true).open(path).is_err();
        let sqlite = |source| StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = if read_only {
            open_for_reading(path).map_err(sqlite)?
        } else {
            Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(sqlite)?
        };
        let mut store = Store {
            conn,
            path: path_buf,
            read_only,
            disk_full: false,
        };
        match store.configure() {
            // A full disk cannot take the shared-memory file a writer needs: read the
            // project as on read-only media (reading needs no space); edits say why not.
            Err(StoreError::DiskFull { .. }) if !read_only => {
                let mut reader = Store {
                    conn: open_for_reading(path).map_err(sqlite)?,
                    path: path.to_path_buf(),
                    read_only: true,
                    disk_full: true,
                };
                reader.configure()?;
                Ok(reader)
            }
            configured => configured.map(|()| store),
        }
    }

    pub(super) fn configure(&mut self) -> Result<(), StoreError> {
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| self.error(e))?;
        let app_id: i64 = self
            .conn
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(|e| self.error(e))?;
        let version: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.error(e))?;
        if app_id != schema::APPLICATION_ID {
            return Err(StoreError::NotAProject {
                path: self.path.clone(),
                reason: "an SQLite database written by another program",
            });
        }
        if version > CURRENT_VERSION {
            return Err(StoreError::NewerVersion {
                path: self.path.clone(),
                found: version,
                supported: CURRENT_VERSION,
            });
        }
        if !self.read_only {
            self.conn
                .pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| self.error(e))?;
            self.conn
                .pragma_update(None, "synchronous", "FULL")
                .map_err(|e| self.error(e))?;
            if version < CURRENT_VERSION {
                schema::migrate(&mut self.conn, version).map_err(|e| match &e {
                    // Tables of a later version in a file that says it is older: the version
                    // number was changed by hand.
                    rusqlite::Error::SqlInputError { msg, .. }
                    | rusqlite::Error::SqliteFailure(_, Some(msg))
                        if msg.contains("already exists") =>
                    {
                        StoreError::Corrupt {
                            path: self.path.clone(),
                            detail: format!(
                                "it says it is project format {version}, but it holds the \
                                 tables of a later format ({})",
                                msg.split(" in ").next().unwrap_or(msg)
                            ),
                        }
                    }
                    _ => self.error(e),
                })?;
            }
        } else if version < CURRENT_VERSION {
            return Err(StoreError::ReadOnly(self.path.clone()));
        }
        self.conn
            .pragma_update(None, "foreign_keys", true)
            .map_err(|e| self.error(e))?;
        // Reading the dataset record touches the file's pages: damage shows up here.
        self.dataset()?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long a write waits for another writer before reporting the project busy.
    pub fn set_busy_timeout(&mut self, timeout: Duration) -> Result<(), StoreError> {
        self.conn.busy_timeout(timeout).map_err(|e| self.error(e))
    }

    /// The schema version of the open file.
    pub fn version(&self) -> Result<i64, StoreError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.error(e))
    }

    /// Turns an SQLite error into the message the user needs.
    pub(super) fn error(&self, e: rusqlite::Error) -> StoreError {
        let code = e.sqlite_error_code();
        match code {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Busy(self.path.clone())
            }
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(self.path.clone()),
            Some(ErrorCode::DiskFull) => self.disk_full_error(),
            // An I/O error with (almost) no space left is the full disk by another name
            // (the shared-memory file cannot grow).
            Some(ErrorCode::SystemIoFailure) if nearly_full(&self.path) => self.disk_full_error(),
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
                path: self.path.clone(),
                detail: self.integrity_report(&e),
            },
            _ => match damage(&e) {
                Some(detail) => StoreError::Corrupt {
                    path: self.path.clone(),
                    detail,
                },
                None => StoreError::Sqlite {
                    path: self.path.clone(),
                    source: e,
                },
            },
        }
    }

    /// What `PRAGMA integrity_check` says is wrong (first lines), or the original error.
    pub(super) fn integrity_report(&self, original: &rusqlite::Error) -> String {
        let lines: Result<Vec<String>, _> = self
            .conn
            .prepare("PRAGMA integrity_check(5)")
            .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect());
        match lines {
            Ok(lines) if lines != ["ok"] => format!("integrity check: {}", lines.join("; ")),
            _ => original.to_string(),
        }
    }

    /// Runs `PRAGMA integrity_check`; `Ok(())` when the file is sound.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let lines: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get::<_, String>(0))?.collect())
            .map_err(|e| self.error(e))?;
        if lines == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: lines.join("; "),
            })
        }
    }

    pub fn dataset(&self) -> Result<DatasetRecord, StoreError> {
        let (relative, absolute, fingerprint, mapping): (String, String, String, String) = self
            .conn
            .query_row("SELECT relative_path, absolute_path, fingerprint, mapping FROM dataset WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => StoreError::Corrupt {
                    path: self.path.clone(),
                    detail: "table dataset has no record of the dataset".into(),
                },
                e => self.error(e),
            })?;
        let invalid = |what: &str, e: serde_json::Error| StoreError::Corrupt {
            path: self.path.clone(),
            detail: format!("the stored {what} cannot be read ({e})"),
        };
        Ok(DatasetRecord {
            relative_path: relative.into(),
            absolute_path: absolute.into(),
            fingerprint: serde_json::from_str(&fingerprint)
                .map_err(|e| invalid("dataset fingerprint", e))?,
            mapping: serde_json::from_str(&mapping).map_err(|e| invalid("column mapping", e))?,
        })
    }

    /// Points the project at a dataset in a new place (not an undoable edit: it changes
    /// where the data is, not the analysis).
    pub fn set_dataset(&mut self, record: &DatasetRecord) -> Result<(), StoreError> {
        self.writable()?;
        self.conn
            .execute(
                "UPDATE dataset SET relative_path = ?1, absolute_path = ?2, fingerprint = ?3, mapping = ?4 WHERE id = 1",
                params![
                    record.relative_path.to_string_lossy(),
                    record.absolute_path.to_string_lossy(),
                    serde_json::to_string(&record.fingerprint).unwrap_or_default(),
                    serde_json::to_string(&record.mapping).unwrap_or_default()
                ],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    pub(super) fn writable(&self) -> Result<(), StoreError> {
        if self.disk_full {
            Err(self.disk_full_error())
        } else if self.read_only {
            Err(StoreError::ReadOnly(self.path.clone()))
        } else {
            Ok(())
        }
    }

    /// The disk holding the project is full, with how much space is left.
    pub(super) fn disk_full_error(&self) -> StoreError {
        disk_full(&self.path)
    }
}

/// Less than a megabyte free on the disk holding `path`.
fn nearly_full(path: &Path) -> bool {
    files::free_space(path).is_some_and(|free| free < 1 << 20)
}

/// The error for a full disk holding `path`.
pub(super) fn disk_full(path: &Path) -> StoreError {
    StoreError::DiskFull {
        path: path.to_path_buf(),
        free_mb: files::free_space(path).map(|b| b / (1 << 20)),
    }
}

/// Opens a project this user cannot write. Without a write-ahead log beside it (no writer
/// was interrupted), as immutable: SQLite then creates no `-shm` or `-wal` file, so reading
/// works from read-only media and leaves nothing behind that a later writer would trip on
/// (a `-shm` made read-only by a reader keeps the owner from editing). With a log, plainly
/// read-only, so that its committed edits are read too.
fn open_for_reading(path: &Path) -> rusqlite::Result<Connection> {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let has_log = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if has_log {
        return Connection::open_with_flags(path, flags);
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut uri = String::from("file:");
    let text = absolute.to_string_lossy().replace('\\', "/");
    if !text.starts_with('/') {
        uri.push('/'); // A drive letter on Windows: file:/C:/...
    }
    for c in text.chars() {
        match c {
            '%' | '?' | '#' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
}

/// What an SQLite error says about a file errata wrote but someone changed: a missing table
/// or record, a value of the wrong type or range. `None` for other errors.
fn damage(e: &rusqlite::Error) -> Option<String> {
    use rusqlite::Error;
    match e {
        Error::QueryReturnedNoRows => Some("a record errata needs is missing".into()),
        Error::InvalidColumnType(_, column, found) => Some(format!(
            "column {column:?} holds a {found} value, which errata never writes there"
        )),
        Error::IntegralValueOutOfRange(_, value) => Some(format!(
            "a stored number ({value}) is out of the range errata writes"
        )),
        Error::FromSqlConversionFailure(_, found, _) => Some(format!(
            "a stored {found} value cannot be read as what errata writes there"
        )),
        Error::SqlInputError { msg, .. } | Error::SqliteFailure(_, Some(msg))
            if msg.starts_with("no such table") || msg.starts_with("no such column") =>
        {
            Some(format!("{msg}, which every errata project has"))
        }
        _ => None,
    }
}

/// Assignments inserted in the order of the table's key (row id as bytes, tag id), so that
/// each one appends to the B-tree instead of splitting pages all over it, and many rows to
/// a statement. The index by tag is built after them from one sort, which is quicker than
/// keeping it up to date row by row.
fn insert_assignments(
    tx: &Connection,
    assignments: &[(&str, usize)],
    tag_ids: &[i64],
) -> rusqlite::Result<()> {
    let mut keyed: Vec<(&str, i64)> = assignments
        .iter()
        .map(|&(row, tag)| (row, tag_ids[tag]))
        .collect();
    if !keyed.is_sorted() {
        keyed.par_sort_unstable();
    }
    keyed.dedup();
    tx.execute_batch("DROP INDEX assignments_by_tag")?;
    const BATCH: usize = 128;
    let mut batches = keyed.chunks_exact(BATCH);
    let mut insert = tx.prepare(&insert_rows_sql(BATCH))?;
    for batch in &mut batches {
        bind_rows(&mut insert, batch)?;
        insert.raw_execute()?;
    }
    let rest = batches.remainder();
    if !rest.is_empty() {
        let mut insert = tx.prepare(&insert_rows_sql(rest.len()))?;
        bind_rows(&mut insert, rest)?;
        insert.raw_execute()?;
    }
    tx.execute_batch(schema::ASSIGNMENTS_BY_TAG)
}

fn insert_rows_sql(rows: usize) -> String {
    let values = vec!["(?, ?)"; rows].join(", ");
    format!("INSERT INTO assignments (row_id, tag_id) VALUES {values}")
}

fn bind_rows(insert: &mut rusqlite::Statement<'_>, rows: &[(&str, i64)]) -> rusqlite::Result<()> {
    for (i, (row, tag)) in rows.iter().enumerate() {
        insert.raw_bind_parameter(2 * i + 1, row)?;
        insert.raw_bind_parameter(2 * i + 2, tag)?;
    }
    Ok(())
}
