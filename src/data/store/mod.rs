//! The `.errata` project file: one SQLite database holding everything the analyst adds to a
//! dataset (tags, reviewed marks, notes, HLP values, ratings) and the edit log for undo/redo.
//! The CLI and the app both edit projects only through [`Store`].
//!
//! Durability: WAL journal with `synchronous = FULL`. Every edit is one transaction that is
//! committed — and fsynced — before the call returns, so an acknowledged edit survives a killed
//! process and a power cut. Writers wait up to [`BUSY_TIMEOUT`] for another writer, then
//! report the project as busy.

mod edit;
mod error;
mod schema;
pub mod tag_csv;

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

pub use edit::{Op, TagDef};
pub use error::StoreError;
pub use schema::CURRENT_VERSION;

use super::table::Fingerprint;
use super::{MappingRequest, files};
use crate::model::analysis::ManualInputs;
use crate::model::hlp::Subject;
use crate::model::priorities::Rating;

pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Colours given to new tags in turn (distinguishable, also for colour-blind users).
pub const PALETTE: [&str; 9] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f",
];

/// Where the project's dataset is and how its columns are mapped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// Relative to the project file's folder; tried first, so a project and its dataset can
    /// move together.
    pub relative_path: PathBuf,
    pub absolute_path: PathBuf,
    pub fingerprint: Fingerprint,
    pub mapping: MappingRequest,
}

/// An undone or redone edit: its description and the operations just applied, so that a
/// caller holding derived state (the app's tag counts) can follow without re-reading.
#[derive(Clone, Debug, PartialEq)]
pub struct Replayed {
    pub description: String,
    pub ops: Vec<Op>,
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .finish()
    }
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether `path` is an SQLite file (a project, or something errata will say is not one).
pub fn looks_like_project(path: &Path) -> bool {
    let mut header = [0u8; 16];
    path.is_file()
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut header))
            .is_ok()
        && &header == SQLITE_HEADER
}

impl Store {
    /// Creates a new project file (it must not exist). The file is built under a temporary
    /// name and renamed into place, so an interrupted creation leaves nothing behind.
    pub fn create(
        path: &Path,
        record: &DatasetRecord,
        tags: &[TagDef],
        assignments: &[(String, String)],
    ) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::Exists(path.to_path_buf()));
        }
        let io = |source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let temp = files::temporary_beside(path, ".errata-new-").map_err(io)?;
        {
            let sql = |source| StoreError::Sqlite {
                path: path.to_path_buf(),
                source,
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
            for def in tags {
                edit::apply(&tx, &Op::DefineTag(def.clone())).map_err(sql)?;
            }
            let mut by_tag: BTreeMap<&str, Vec<String>> = BTreeMap::new();
            for (row, tag) in assignments {
                by_tag.entry(tag).or_default().push(row.clone());
            }
            for (tag, rows) in by_tag {
                edit::apply(
                    &tx,
                    &Op::Assign {
                        tag: tag.to_string(),
                        rows,
                    },
                )
                .map_err(sql)?;
            }
            tx.commit().map_err(sql)?;
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
        let read_only = std::fs::metadata(path)
            .map_err(io)?
            .permissions()
            .readonly();
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        } else {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        };
        let conn = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|source| StoreError::Sqlite {
                path: path_buf.clone(),
                source,
            })?;
        let mut store = Store {
            conn,
            path: path_buf,
            read_only,
        };
        store.configure()?;
        Ok(store)
    }

    fn configure(&mut self) -> Result<(), StoreError> {
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
                schema::migrate(&mut self.conn, version).map_err(|e| self.error(e))?;
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
    fn error(&self, e: rusqlite::Error) -> StoreError {
        let code = e.sqlite_error_code();
        match code {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Busy(self.path.clone())
            }
            Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(self.path.clone()),
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => StoreError::Corrupt {
                path: self.path.clone(),
                detail: self.integrity_report(&e),
            },
            _ => StoreError::Sqlite {
                path: self.path.clone(),
                source: e,
            },
        }
    }

    /// What `PRAGMA integrity_check` says is wrong (first lines), or the original error.
    fn integrity_report(&self, original: &rusqlite::Error) -> String {
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
            .map_err(|e| self.error(e))?;
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

    fn writable(&self) -> Result<(), StoreError> {
        if self.read_only {
            Err(StoreError::ReadOnly(self.path.clone()))
        } else {
            Ok(())
        }
    }

    fn strings(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare_cached(sql)
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.error(e))
    }

    /// Tag definitions, by name.
    pub fn tags(&self) -> Result<Vec<TagDef>, StoreError> {
        self.conn
            .prepare_cached("SELECT name, color, hotkey, description FROM tags ORDER BY name")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(TagDef {
                        name: r.get(0)?,
                        color: r.get(1)?,
                        hotkey: r.get(2)?,
                        description: r.get(3)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.error(e))
    }

    pub fn tag(&self, name: &str) -> Result<Option<TagDef>, StoreError> {
        Ok(self.tags()?.into_iter().find(|t| t.name == name))
    }

    /// Every (row id, tag name) assignment, ordered by tag then row id.
    pub fn assignments(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.conn
            .prepare_cached("SELECT a.row_id, t.name FROM assignments a JOIN tags t ON t.id = a.tag_id ORDER BY t.name, a.row_id")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.error(e))
    }

    /// Calls `f(row_id, tag_id)` for every assignment, in storage order, without building a
    /// list: opening a project with a million assignments streams them straight into the
    /// tag book. Tag ids index [`Store::tag_ids`].
    pub fn for_each_assignment(&self, mut f: impl FnMut(&str, i64)) -> Result<(), StoreError> {
        let mut run = || -> rusqlite::Result<()> {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT row_id, tag_id FROM assignments")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                f(row.get_ref(0)?.as_str()?, row.get(1)?);
            }
            Ok(())
        };
        run().map_err(|e| self.error(e))
    }

    /// (tag id, tag name) pairs, for [`Store::for_each_assignment`].
    pub fn tag_ids(&self) -> Result<Vec<(i64, String)>, StoreError> {
        self.conn
            .prepare_cached("SELECT id, name FROM tags ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.error(e))
    }

    /// Which of `rows` carry `tag`: one indexed lookup per row for a few rows (a single
    /// edit stays O(1) however large the tag), one scan of the tag for many.
    fn tagged_among(&self, tag: &str, rows: &[&str]) -> Result<HashSet<String>, StoreError> {
        if rows.len() > 256 {
            return self.rows_with_tag(tag);
        }
        let lookup = || -> rusqlite::Result<HashSet<String>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT 1 FROM assignments a JOIN tags t ON t.id = a.tag_id WHERE t.name = ?1 AND a.row_id = ?2",
            )?;
            let mut found = HashSet::new();
            for row in rows {
                if stmt.exists(params![tag, row])? {
                    found.insert(row.to_string());
                }
            }
            Ok(found)
        };
        lookup().map_err(|e| self.error(e))
    }

    fn rows_with_tag(&self, tag: &str) -> Result<HashSet<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT a.row_id FROM assignments a JOIN tags t ON t.id = a.tag_id WHERE t.name = ?1")
            .and_then(|mut s| s.query_map([tag], |r| r.get(0))?.collect())
            .map_err(|e| self.error(e))
    }

    /// Rows explicitly marked reviewed, in id order.
    pub fn reviewed(&self) -> Result<Vec<String>, StoreError> {
        self.strings("SELECT row_id FROM reviewed ORDER BY row_id")
    }

    pub fn notes(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.conn
            .prepare_cached("SELECT row_id, note FROM notes ORDER BY row_id")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.error(e))
    }

    pub fn note(&self, row: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT note FROM notes WHERE row_id = ?1", [row], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }

    /// The audit checklist's spec text (TOML), if one was saved.
    pub fn audit_spec(&self) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT spec FROM audit WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Saves (or with `None` removes) the audit checklist's spec text; undoable. The caller
    /// checks the text first (`data::audit_spec::parse`).
    pub fn set_audit_spec(&mut self, spec: Option<&str>) -> Result<(), StoreError> {
        let before = self.audit_spec()?;
        let after = spec.map(str::to_string);
        if before == after {
            return Ok(());
        }
        self.commit(
            "Audit checklist".to_string(),
            vec![Op::SetAudit { spec: after }],
            vec![Op::SetAudit { spec: before }],
        )
    }

    /// Entered HLP values and ratings, as the metrics take them.
    pub fn manual_inputs(&self) -> Result<ManualInputs, StoreError> {
        let subject = |text: String| {
            serde_json::from_str::<Subject>(&text).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("a stored subject cannot be read ({e})"),
            })
        };
        let hlp: Vec<(String, f64)> = self
            .conn
            .prepare_cached("SELECT subject, accuracy FROM hlp")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.error(e))?;
        let ratings: Vec<(String, u8, u8)> = self
            .conn
            .prepare_cached("SELECT subject, ease, importance FROM ratings")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))?;
        let mut inputs = ManualInputs::default();
        for (s, a) in hlp {
            inputs.hlp.insert(subject(s)?, a);
        }
        for (s, ease, importance) in ratings {
            inputs
                .ratings
                .insert(subject(s)?, Rating { ease, importance });
        }
        Ok(inputs)
    }

    pub fn view_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM view_state WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }

    /// Saves a piece of the app's view state (not an undoable edit).
    pub fn set_view_state(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        self.writable()?;
        self.conn
            .execute(
                "INSERT OR REPLACE INTO view_state (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Applies `forward` as one edit in one transaction, recording `backward` for undo. A new
    /// edit discards the redo history. Nothing is written when there is nothing to change.
    fn commit(
        &mut self,
        description: String,
        forward: Vec<Op>,
        backward: Vec<Op>,
    ) -> Result<(), StoreError> {
        self.writable()?;
        if forward.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| map_error(&path, e))?;
        let result = (|| {
            for op in &forward {
                edit::apply(&tx, op)?;
            }
            tx.execute("DELETE FROM edits WHERE undone = 1", [])?;
            tx.execute(
                "INSERT INTO edits (description, forward, backward) VALUES (?1, ?2, ?3)",
                params![
                    description,
                    serde_json::to_string(&forward).unwrap_or_default(),
                    serde_json::to_string(&backward).unwrap_or_default()
                ],
            )?;
            Ok(())
        })();
        result.and_then(|_| tx.commit()).map_err(|e| self.error(e))
    }

    fn require_tags(&self, names: &[&str]) -> Result<(), StoreError> {
        let known: Vec<String> = self.tags()?.into_iter().map(|t| t.name).collect();
        let unknown: Vec<String> = names
            .iter()
            .filter(|n| !known.iter().any(|k| k == *n))
            .map(|n| n.to_string())
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(StoreError::UnknownTags {
                path: self.path.clone(),
                names: unknown,
                known,
            })
        }
    }

    /// Puts `tag` on every row in `rows` (one edit); returns how many rows changed.
    pub fn add_tag(&mut self, tag: &str, rows: &[&str]) -> Result<usize, StoreError> {
        self.assign_many(
            &rows
                .iter()
                .map(|r| (r.to_string(), tag.to_string()))
                .collect::<Vec<_>>(),
        )
    }

    /// Applies many (row id, tag) assignments as one edit; returns how many were new.
    pub fn assign_many(&mut self, pairs: &[(String, String)]) -> Result<usize, StoreError> {
        self.import_assignments(pairs, false)
    }

    /// [`Store::assign_many`], first defining the tags that do not exist yet when `create`
    /// is set: all one edit, so one undo takes the whole import back and an interrupted
    /// import leaves nothing of it behind.
    pub fn import_assignments(
        &mut self,
        pairs: &[(String, String)],
        create: bool,
    ) -> Result<usize, StoreError> {
        let mut by_tag: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (row, tag) in pairs {
            by_tag.entry(tag).or_default().push(row);
        }
        let (mut forward, mut backward, mut changed) = (Vec::new(), Vec::new(), 0);
        if create {
            let mut tags = self.tags()?;
            for &name in by_tag.keys() {
                if !tags.iter().any(|t| t.name == name) {
                    self.check_tag_name(name)?;
                    let def = next_tag_def(&tags, name);
                    tags.push(def.clone());
                    forward.push(Op::DefineTag(def));
                    backward.push(Op::DropTag {
                        name: name.to_string(),
                    });
                }
            }
        } else {
            self.require_tags(&by_tag.keys().copied().collect::<Vec<_>>())?;
        }
        for (tag, rows) in by_tag {
            let existing = self.tagged_among(tag, &rows)?;
            let mut seen = HashSet::new();
            let new: Vec<String> = rows
                .into_iter()
                .filter(|r| !existing.contains(*r) && seen.insert(*r))
                .map(str::to_string)
                .collect();
            if new.is_empty() {
                continue;
            }
            changed += new.len();
            backward.push(Op::Unassign {
                tag: tag.to_string(),
                rows: new.clone(),
            });
            forward.push(Op::Assign {
                tag: tag.to_string(),
                rows: new,
            });
        }
        let description = describe_rows("Tag", changed);
        backward.reverse();
        self.commit(description, forward, backward)?;
        Ok(changed)
    }

    /// Takes `tag` off every row in `rows` (one edit); returns how many rows changed.
    pub fn remove_tag(&mut self, tag: &str, rows: &[&str]) -> Result<usize, StoreError> {
        self.require_tags(&[tag])?;
        let existing = self.tagged_among(tag, rows)?;
        let mut seen = HashSet::new();
        let gone: Vec<String> = rows
            .iter()
            .filter(|r| existing.contains(**r) && seen.insert(**r))
            .map(|r| r.to_string())
            .collect();
        let n = gone.len();
        if n == 0 {
            return Ok(0);
        }
        self.commit(
            describe_rows(&format!("Remove tag {tag:?} from"), n),
            vec![Op::Unassign {
                tag: tag.to_string(),
                rows: gone.clone(),
            }],
            vec![Op::Assign {
                tag: tag.to_string(),
                rows: gone,
            }],
        )?;
        Ok(n)
    }

    /// Marks rows reviewed (or not); returns how many changed.
    pub fn set_reviewed(&mut self, rows: &[&str], reviewed: bool) -> Result<usize, StoreError> {
        let marked: HashSet<String> = self.reviewed()?.into_iter().collect();
        let mut seen = HashSet::new();
        let changed: Vec<String> = rows
            .iter()
            .filter(|r| marked.contains(**r) != reviewed && seen.insert(**r))
            .map(|r| r.to_string())
            .collect();
        let n = changed.len();
        if n == 0 {
            return Ok(0);
        }
        let verb = if reviewed {
            "Mark reviewed:"
        } else {
            "Unmark reviewed:"
        };
        self.commit(
            describe_rows(verb, n),
            vec![Op::MarkReviewed {
                rows: changed.clone(),
                reviewed,
            }],
            vec![Op::MarkReviewed {
                rows: changed,
                reviewed: !reviewed,
            }],
        )?;
        Ok(n)
    }

    pub fn set_note(&mut self, row: &str, note: Option<&str>) -> Result<(), StoreError> {
        let before = self.note(row)?;
        let after = note.filter(|n| !n.trim().is_empty()).map(str::to_string);
        if before == after {
            return Ok(());
        }
        self.commit(
            format!("Note on {row}"),
            vec![Op::SetNote {
                row: row.to_string(),
                note: after,
            }],
            vec![Op::SetNote {
                row: row.to_string(),
                note: before,
            }],
        )
    }

    /// Enters (or with `None` clears) the HLP of a tag or slice value, a fraction in [0, 1].
    pub fn set_hlp(&mut self, subject: &Subject, accuracy: Option<f64>) -> Result<(), StoreError> {
        if let Some(a) = accuracy.filter(|a| !(0.0..=1.0).contains(a)) {
            return Err(StoreError::Invalid {
                path: self.path.clone(),
                problem: format!("HLP {a} is outside [0, 1]; give a fraction such as 0.95"),
            });
        }
        if let Subject::Tag(name) = subject {
            self.require_tags(&[name])?;
        }
        let before = self.manual_inputs()?.hlp.get(subject).copied();
        if before == accuracy {
            return Ok(());
        }
        self.commit(
            format!("HLP of {subject}"),
            vec![Op::SetHlp {
                subject: subject.clone(),
                accuracy,
            }],
            vec![Op::SetHlp {
                subject: subject.clone(),
                accuracy: before,
            }],
        )
    }

    /// Sets (or clears) the ease and importance of a tag or slice value, each 1–5.
    pub fn set_rating(
        &mut self,
        subject: &Subject,
        rating: Option<Rating>,
    ) -> Result<(), StoreError> {
        if let Some(r) =
            rating.filter(|r| !(1..=5).contains(&r.ease) || !(1..=5).contains(&r.importance))
        {
            return Err(StoreError::Invalid {
                path: self.path.clone(),
                problem: format!(
                    "ease {} and importance {} must each be 1 to 5",
                    r.ease, r.importance
                ),
            });
        }
        let before = self.manual_inputs()?.ratings.get(subject).copied();
        if before == rating {
            return Ok(());
        }
        self.commit(
            format!("Rating of {subject}"),
            vec![Op::SetRating {
                subject: subject.clone(),
                rating,
            }],
            vec![Op::SetRating {
                subject: subject.clone(),
                rating: before,
            }],
        )
    }

    /// A definition for a new tag: the next palette colour and the first free hotkey.
    pub fn new_tag_def(&self, name: &str) -> Result<TagDef, StoreError> {
        Ok(next_tag_def(&self.tags()?, name))
    }

    fn check_tag_name(&self, name: &str) -> Result<(), StoreError> {
        let trimmed = name.trim();
        if trimmed.is_empty() || trimmed.contains(';') {
            return Err(StoreError::Invalid {
                path: self.path.clone(),
                problem: format!(
                    "{name:?} is not a valid tag name (it must not be empty or contain ';')"
                ),
            });
        }
        Ok(())
    }

    pub fn create_tag(&mut self, def: TagDef) -> Result<(), StoreError> {
        self.check_tag_name(&def.name)?;
        if self.tag(&def.name)?.is_some() {
            return Err(StoreError::TagExists {
                path: self.path.clone(),
                name: def.name,
            });
        }
        let name = def.name.clone();
        self.commit(
            format!("Create tag {name:?}"),
            vec![Op::DefineTag(def)],
            vec![Op::DropTag { name }],
        )
    }

    /// Changes a tag's name, colour, hotkey or description.
    pub fn update_tag(&mut self, name: &str, def: TagDef) -> Result<(), StoreError> {
        self.require_tags(&[name])?;
        let before = self.tag(name)?.unwrap_or(def.clone());
        if def.name != name && self.tag(&def.name)?.is_some() {
            return Err(StoreError::TagExists {
                path: self.path.clone(),
                name: def.name,
            });
        }
        if before == def {
            return Ok(());
        }
        self.commit(
            format!("Change tag {name:?}"),
            vec![Op::UpdateTag {
                name: name.to_string(),
                def: def.clone(),
            }],
            vec![Op::UpdateTag {
                name: def.name,
                def: before,
            }],
        )
    }

    /// Deletes a tag and its assignments (undo brings both back).
    pub fn delete_tag(&mut self, name: &str) -> Result<(), StoreError> {
        self.require_tags(&[name])?;
        let def = self.tag(name)?.ok_or_else(|| StoreError::UnknownTags {
            path: self.path.clone(),
            names: vec![name.into()],
            known: vec![],
        })?;
        let mut rows: Vec<String> = self.rows_with_tag(name)?.into_iter().collect();
        rows.sort();
        self.commit(
            format!("Delete tag {name:?}"),
            vec![Op::DropTag {
                name: name.to_string(),
            }],
            vec![
                Op::DefineTag(def),
                Op::Assign {
                    tag: name.to_string(),
                    rows,
                },
            ],
        )
    }

    /// Undoes the latest edit; returns what was applied, or `None` with nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Replayed>, StoreError> {
        self.replay("SELECT seq, description, backward FROM edits WHERE undone = 0 ORDER BY seq DESC LIMIT 1", 1)
    }

    /// Redoes the latest undone edit; returns what was applied, or `None` with nothing to redo.
    pub fn redo(&mut self) -> Result<Option<Replayed>, StoreError> {
        self.replay(
            "SELECT seq, description, forward FROM edits WHERE undone = 1 ORDER BY seq ASC LIMIT 1",
            0,
        )
    }

    fn replay(&mut self, select: &str, undone: i64) -> Result<Option<Replayed>, StoreError> {
        self.writable()?;
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| map_error(&path, e))?;
        let found: Option<(i64, String, String)> = tx
            .query_row(select, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()
            .map_err(|e| map_error(&path, e))?;
        let Some((seq, description, ops)) = found else {
            return Ok(None);
        };
        let ops: Vec<Op> = serde_json::from_str(&ops).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            detail: format!("edit {seq} in the edit log cannot be read ({e})"),
        })?;
        let result = (|| {
            for op in &ops {
                edit::apply(&tx, op)?;
            }
            tx.execute(
                "UPDATE edits SET undone = ?1 WHERE seq = ?2",
                params![undone, seq],
            )?;
            Ok(())
        })();
        result
            .and_then(|_| tx.commit())
            .map_err(|e| self.error(e))?;
        Ok(Some(Replayed { description, ops }))
    }

    /// Copies the project to `target` with SQLite's backup API (consistent even while
    /// another errata writes), through a temporary file and a rename.
    pub fn save_as(&self, target: &Path) -> Result<(), StoreError> {
        let io = |source| StoreError::Io {
            path: target.to_path_buf(),
            source,
        };
        let temp = files::temporary_beside(target, ".errata-copy-").map_err(io)?;
        self.conn
            .backup(
                rusqlite::MAIN_DB,
                temp.path(),
                None::<fn(rusqlite::backup::Progress)>,
            )
            .map_err(|source| StoreError::Sqlite {
                path: target.to_path_buf(),
                source,
            })?;
        temp.persist(target).map_err(|e| io(e.error))?;
        Ok(())
    }
}

fn map_error(path: &Path, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Busy(path.to_path_buf())
        }
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly(path.to_path_buf()),
        _ => StoreError::Sqlite {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// A definition for a new tag among `tags`: the next palette colour and the first free hotkey.
fn next_tag_def(tags: &[TagDef], name: &str) -> TagDef {
    let hotkey = (1..=9u8).find(|k| !tags.iter().any(|t| t.hotkey == Some(*k)));
    TagDef {
        name: name.to_string(),
        color: PALETTE[tags.len() % PALETTE.len()].to_string(),
        hotkey,
        description: String::new(),
    }
}

fn describe_rows(verb: &str, n: usize) -> String {
    if n == 1 {
        format!("{verb} 1 row")
    } else {
        format!("{verb} {n} rows")
    }
}
