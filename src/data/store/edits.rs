//! Editing a project: every change is one edit (one `IMMEDIATE` transaction, committed before
//! the call returns) made of operations stored with their inverse, so undo and redo replay
//! the other list. Each edit returns the operations it committed, so callers holding derived
//! state (the tag book, cached notes) follow without reading the project again.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use rusqlite::{ErrorCode, OptionalExtension, TransactionBehavior, params};

use super::{Committed, LabelReview, Op, PALETTE, Store, StoreError, TagDef, edit};
use crate::data::files;
use crate::model::hlp::Subject;
use crate::model::priorities::Rating;

/// What an edit will change: its description, its operations and their inverse.
#[derive(Default)]
pub(super) struct Plan {
    description: String,
    forward: Vec<Op>,
    backward: Vec<Op>,
}

impl Plan {
    fn new(description: String, forward: Vec<Op>, backward: Vec<Op>) -> Self {
        Plan {
            description,
            forward,
            backward,
        }
    }
}

impl Store {
    /// Saves (or with `None` removes) the audit checklist's spec text; undoable. The caller
    /// checks the text first (`data::audit_spec::parse`).
    pub fn set_audit_spec(&mut self, spec: Option<&str>) -> Result<Committed, StoreError> {
        self.edit(|s| {
            let before = s.audit_spec()?;
            let after = spec.map(str::to_string);
            if before == after {
                return Ok(Plan::default());
            }
            Ok(Plan::new(
                "Audit checklist".to_string(),
                vec![Op::SetAudit { spec: after }],
                vec![Op::SetAudit { spec: before }],
            ))
        })
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

    /// Keeps measured media metrics (a cache beside the edits; not undoable).
    pub fn save_media_metrics(
        &mut self,
        measured: &[(crate::data::media_metrics::FileKey, Vec<f64>)],
    ) -> Result<(), StoreError> {
        self.writable()?;
        let result = (|| -> rusqlite::Result<()> {
            let tx = self.conn.transaction()?;
            {
                let mut stmt = tx.prepare(
                    "INSERT OR REPLACE INTO media_metrics (path, size, modified, metrics) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (key, values) in measured {
                    // NaN is not JSON: an unknown value is written as null.
                    let values: Vec<Option<f64>> =
                        values.iter().map(|v| v.is_finite().then_some(*v)).collect();
                    let text = serde_json::to_string(&values).unwrap_or_default();
                    stmt.execute(params![key.path, key.size as i64, key.modified, text])?;
                }
            }
            tx.commit()
        })();
        result.map_err(|e| self.error(e))
    }

    /// Makes one edit: in one `IMMEDIATE` transaction, `plan` reads what it needs and says
    /// what to change (its operations and their inverse, for undo), which is then applied
    /// and recorded. Reading inside the writer's transaction means two writers never plan
    /// on the same state (two `tag --create` at once agree on names and hotkeys). A new
    /// edit discards the redo history; an empty plan writes nothing.
    pub(super) fn edit(
        &mut self,
        plan: impl FnOnce(&Store) -> Result<Plan, StoreError>,
    ) -> Result<Committed, StoreError> {
        self.writable()?;
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.error(e))?;
        let outcome = plan(self).and_then(|plan| self.record(plan));
        let end = if outcome.is_ok() {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        match (outcome, self.conn.execute_batch(end)) {
            (Ok(committed), Ok(())) => Ok(committed),
            (Ok(_), Err(e)) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(self.error(e))
            }
            (Err(e), _) => Err(e),
        }
    }

    /// Applies a plan's operations and adds it to the edit log (inside [`Store::edit`]).
    fn record(&self, plan: Plan) -> Result<Committed, StoreError> {
        let Plan {
            description,
            forward,
            backward,
        } = plan;
        if forward.is_empty() {
            return Ok(Committed::default());
        }
        let write = || -> rusqlite::Result<()> {
            for op in &forward {
                edit::apply(&self.conn, op)?;
            }
            self.conn
                .execute("DELETE FROM edits WHERE undone = 1", [])?;
            self.conn.execute(
                "INSERT INTO edits (description, forward, backward) VALUES (?1, ?2, ?3)",
                params![
                    description,
                    serde_json::to_string(&forward).unwrap_or_default(),
                    serde_json::to_string(&backward).unwrap_or_default()
                ],
            )?;
            Ok(())
        };
        write().map_err(|e| self.error(e))?;
        Ok(Committed {
            description,
            ops: forward,
        })
    }

    pub(super) fn require_tags(&self, names: &[&str]) -> Result<(), StoreError> {
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

    /// Puts `tag` on every row in `rows` (one edit).
    pub fn add_tag(&mut self, tag: &str, rows: &[&str]) -> Result<Committed, StoreError> {
        self.assign_many(
            &rows
                .iter()
                .map(|r| (r.to_string(), tag.to_string()))
                .collect::<Vec<_>>(),
        )
    }

    /// Applies many (row id, tag) assignments as one edit (those already there are skipped).
    pub fn assign_many(&mut self, pairs: &[(String, String)]) -> Result<Committed, StoreError> {
        self.import_assignments(pairs, false)
    }

    /// [`Store::assign_many`], first defining the tags that do not exist yet when `create`
    /// is set: all one edit, so one undo takes the whole import back and an interrupted
    /// import leaves nothing of it behind.
    pub fn import_assignments(
        &mut self,
        pairs: &[(String, String)],
        create: bool,
    ) -> Result<Committed, StoreError> {
        self.edit(|s| {
            let mut by_tag: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
            for (row, tag) in pairs {
                by_tag.entry(tag).or_default().push(row);
            }
            let (mut forward, mut backward, mut changed) = (Vec::new(), Vec::new(), 0);
            if create {
                let mut tags = s.tags()?;
                for &name in by_tag.keys() {
                    if !tags.iter().any(|t| t.name == name) {
                        s.check_tag_name(name)?;
                        let def = next_tag_def(&tags, name);
                        tags.push(def.clone());
                        forward.push(Op::DefineTag(def));
                        backward.push(Op::DropTag {
                            name: name.to_string(),
                        });
                    }
                }
            } else {
                s.require_tags(&by_tag.keys().copied().collect::<Vec<_>>())?;
            }
            for (tag, rows) in by_tag {
                let existing = s.tagged_among(tag, &rows)?;
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
            Ok(Plan::new(description, forward, backward))
        })
    }

    /// Takes `tag` off every row in `rows` (one edit).
    pub fn remove_tag(&mut self, tag: &str, rows: &[&str]) -> Result<Committed, StoreError> {
        self.edit(|s| {
            s.require_tags(&[tag])?;
            let existing = s.tagged_among(tag, rows)?;
            let mut seen = HashSet::new();
            let gone: Vec<String> = rows
                .iter()
                .filter(|r| existing.contains(**r) && seen.insert(**r))
                .map(|r| r.to_string())
                .collect();
            let n = gone.len();
            if n == 0 {
                return Ok(Plan::default());
            }
            Ok(Plan::new(
                describe_rows(&format!("Remove tag {tag:?} from"), n),
                vec![Op::Unassign {
                    tag: tag.to_string(),
                    rows: gone.clone(),
                }],
                vec![Op::Assign {
                    tag: tag.to_string(),
                    rows: gone,
                }],
            ))
        })
    }

    /// Marks rows reviewed (or not).
    pub fn set_reviewed(&mut self, rows: &[&str], reviewed: bool) -> Result<Committed, StoreError> {
        self.edit(|s| {
            let marked = s.marked_among(rows)?;
            let mut seen = HashSet::new();
            let changed: Vec<String> = rows
                .iter()
                .filter(|r| marked.contains(**r) != reviewed && seen.insert(**r))
                .map(|r| r.to_string())
                .collect();
            let n = changed.len();
            if n == 0 {
                return Ok(Plan::default());
            }
            let verb = if reviewed {
                "Mark reviewed:"
            } else {
                "Unmark reviewed:"
            };
            Ok(Plan::new(
                describe_rows(verb, n),
                vec![Op::MarkReviewed {
                    rows: changed.clone(),
                    reviewed,
                }],
                vec![Op::MarkReviewed {
                    rows: changed,
                    reviewed: !reviewed,
                }],
            ))
        })
    }

    /// Sets (or with `None` or blank text removes) the note on a row; the text is trimmed.
    pub fn set_note(&mut self, row: &str, note: Option<&str>) -> Result<Committed, StoreError> {
        self.edit(|s| {
            let before = s.note(row)?;
            let after = note
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string);
            if before == after {
                return Ok(Plan::default());
            }
            Ok(Plan::new(
                format!("Note on {row}"),
                vec![Op::SetNote {
                    row: row.to_string(),
                    note: after,
                }],
                vec![Op::SetNote {
                    row: row.to_string(),
                    note: before,
                }],
            ))
        })
    }

    /// Records (or with `None` removes) a row's label review: a corrected label, or the
    /// given label confirmed (`label` `None` in the review).
    pub fn set_label_review(
        &mut self,
        row: &str,
        review: Option<LabelReview>,
    ) -> Result<Committed, StoreError> {
        self.edit(|s| {
            let before = s.label_review(row)?;
            let same = |a: &Option<LabelReview>, b: &Option<LabelReview>| match (a, b) {
                (Some(a), Some(b)) => a.label == b.label,
                (None, None) => true,
                _ => false,
            };
            if same(&before, &review) {
                return Ok(Plan::default());
            }
            let description = match &review {
                Some(LabelReview { label: Some(l), .. }) => {
                    format!("Label of {row} corrected to {l}")
                }
                Some(LabelReview { label: None, .. }) => format!("Label of {row} confirmed"),
                None => format!("Label review of {row} removed"),
            };
            Ok(Plan::new(
                description,
                vec![Op::SetLabelReview {
                    row: row.to_string(),
                    review,
                }],
                vec![Op::SetLabelReview {
                    row: row.to_string(),
                    review: before,
                }],
            ))
        })
    }

    /// Enters (or with `None` clears) the HLP of a tag or slice value, a fraction in [0, 1].
    pub fn set_hlp(
        &mut self,
        subject: &Subject,
        accuracy: Option<f64>,
    ) -> Result<Committed, StoreError> {
        self.edit(|s| {
            if let Some(a) = accuracy.filter(|a| !(0.0..=1.0).contains(a)) {
                return Err(StoreError::Invalid {
                    path: s.path.clone(),
                    problem: format!("HLP {a} is outside [0, 1]; give a fraction such as 0.95"),
                });
            }
            if let Subject::Tag(name) = subject {
                s.require_tags(&[name])?;
            }
            let before = s.hlp(subject)?;
            if before == accuracy {
                return Ok(Plan::default());
            }
            Ok(Plan::new(
                format!("HLP of {subject}"),
                vec![Op::SetHlp {
                    subject: subject.clone(),
                    accuracy,
                }],
                vec![Op::SetHlp {
                    subject: subject.clone(),
                    accuracy: before,
                }],
            ))
        })
    }

    /// Sets (or clears) the ease and importance of a tag or slice value, each 1–5.
    pub fn set_rating(
        &mut self,
        subject: &Subject,
        rating: Option<Rating>,
    ) -> Result<Committed, StoreError> {
        self.edit(|s| {
            if let Some(r) =
                rating.filter(|r| !(1..=5).contains(&r.ease) || !(1..=5).contains(&r.importance))
            {
                return Err(StoreError::Invalid {
                    path: s.path.clone(),
                    problem: format!(
                        "ease {} and importance {} must each be 1 to 5",
                        r.ease, r.importance
                    ),
                });
            }
            let before = s.rating(subject)?;
            if before == rating {
                return Ok(Plan::default());
            }
            Ok(Plan::new(
                format!("Rating of {subject}"),
                vec![Op::SetRating {
                    subject: subject.clone(),
                    rating,
                }],
                vec![Op::SetRating {
                    subject: subject.clone(),
                    rating: before,
                }],
            ))
        })
    }

    /// A definition for a new tag: the next palette colour and the first free hotkey.
    pub fn new_tag_def(&self, name: &str) -> Result<TagDef, StoreError> {
        Ok(next_tag_def(&self.tags()?, name))
    }

    pub(super) fn check_tag_name(&self, name: &str) -> Result<(), StoreError> {
        match crate::model::tags::name_problem(name) {
            Some(problem) => Err(StoreError::Invalid {
                path: self.path.clone(),
                problem: format!(
                    "\"{}\" is not a valid tag name: {problem}. Tag names must not be empty, \
                     start or end with a space, or contain ';', line breaks, tabs, control or \
                     bidirectional characters",
                    crate::model::text::shorten(name, 60)
                ),
            }),
            None => Ok(()),
        }
    }

    pub fn create_tag(&mut self, def: TagDef) -> Result<Committed, StoreError> {
        self.edit(|s| {
            s.check_tag_name(&def.name)?;
            if s.tag(&def.name)?.is_some() {
                return Err(StoreError::TagExists {
                    path: s.path.clone(),
                    name: def.name,
                });
            }
            let name = def.name.clone();
            Ok(Plan::new(
                format!("Create tag {name:?}"),
                vec![Op::DefineTag(def)],
                vec![Op::DropTag { name }],
            ))
        })
    }

    /// Creates a tag called `name` with the next palette colour and the first free hotkey,
    /// both chosen inside the edit's transaction, so a concurrent writer cannot take them.
    pub fn create_tag_named(&mut self, name: &str) -> Result<Committed, StoreError> {
        self.edit(|s| {
            s.check_tag_name(name)?;
            let tags = s.tags()?;
            if tags.iter().any(|t| t.name == name) {
                return Err(StoreError::TagExists {
                    path: s.path.clone(),
                    name: name.to_string(),
                });
            }
            Ok(Plan::new(
                format!("Create tag {name:?}"),
                vec![Op::DefineTag(next_tag_def(&tags, name))],
                vec![Op::DropTag {
                    name: name.to_string(),
                }],
            ))
        })
    }

    /// Changes a tag's name, colour, hotkey or description.
    pub fn update_tag(&mut self, name: &str, def: TagDef) -> Result<Committed, StoreError> {
        self.edit(|s| {
            s.require_tags(&[name])?;
            if def.name != name {
                s.check_tag_name(&def.name)?;
            }
            let before = s.tag(name)?.unwrap_or(def.clone());
            if def.name != name && s.tag(&def.name)?.is_some() {
                return Err(StoreError::TagExists {
                    path: s.path.clone(),
                    name: def.name,
                });
            }
            if before == def {
                return Ok(Plan::default());
            }
            Ok(Plan::new(
                format!("Change tag {name:?}"),
                vec![Op::UpdateTag {
                    name: name.to_string(),
                    def: def.clone(),
                }],
                vec![Op::UpdateTag {
                    name: def.name,
                    def: before,
                }],
            ))
        })
    }

    /// Deletes a tag and its assignments (undo brings both back).
    pub fn delete_tag(&mut self, name: &str) -> Result<Committed, StoreError> {
        self.edit(|s| {
            s.require_tags(&[name])?;
            let def = s.tag(name)?.ok_or_else(|| StoreError::UnknownTags {
                path: s.path.clone(),
                names: vec![name.into()],
                known: vec![],
            })?;
            let mut rows: Vec<String> = s.rows_with_tag(name)?.into_iter().collect();
            rows.sort();
            Ok(Plan::new(
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
            ))
        })
    }

    /// Undoes the latest edit; returns what was applied, or `None` with nothing to undo.
    pub fn undo(&mut self) -> Result<Option<Committed>, StoreError> {
        self.replay("SELECT seq, description, backward FROM edits WHERE undone = 0 ORDER BY seq DESC LIMIT 1", 1)
    }

    /// Redoes the latest undone edit; returns what was applied, or `None` with nothing to redo.
    pub fn redo(&mut self) -> Result<Option<Committed>, StoreError> {
        self.replay(
            "SELECT seq, description, forward FROM edits WHERE undone = 1 ORDER BY seq ASC LIMIT 1",
            0,
        )
    }

    fn replay(&mut self, select: &str, undone: i64) -> Result<Option<Committed>, StoreError> {
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
        Ok(Some(Committed { description, ops }))
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
        Some(ErrorCode::DiskFull) => super::open::disk_full(path),
        _ => StoreError::Sqlite {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

/// A definition for a new tag among `tags`: the next palette colour and the first free hotkey.
pub fn next_tag_def(tags: &[TagDef], name: &str) -> TagDef {
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
