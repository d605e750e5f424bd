//! Edits as data: every change to a project is a list of operations, stored with its inverse
//! so that undo and redo are just "apply the other list".

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::model::hlp::Subject;
use crate::model::priorities::Rating;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagDef {
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// 1–9, the key that toggles the tag in the app.
    pub hotkey: Option<u8>,
    pub description: String,
}

/// A row's label as reviewed: corrected to `label`, or (`None`) the given label confirmed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LabelReview {
    pub label: Option<String>,
    /// Who recorded it (the user's login name).
    pub author: String,
    /// When, as `YYYY-MM-DD HH:MM UTC`.
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Op {
    Assign {
        tag: String,
        rows: Vec<String>,
    },
    Unassign {
        tag: String,
        rows: Vec<String>,
    },
    MarkReviewed {
        rows: Vec<String>,
        reviewed: bool,
    },
    /// Replace (or with `None` remove) the audit checklist's spec text.
    SetAudit {
        spec: Option<String>,
    },
    SetNote {
        row: String,
        note: Option<String>,
    },
    SetHlp {
        subject: Subject,
        accuracy: Option<f64>,
    },
    SetRating {
        subject: Subject,
        rating: Option<Rating>,
    },
    DefineTag(TagDef),
    /// Deletes the tag and its assignments (the inverse re-adds both).
    DropTag {
        name: String,
    },
    UpdateTag {
        name: String,
        def: TagDef,
    },
    /// Record (or with `None` remove) a row's label review.
    SetLabelReview {
        row: String,
        review: Option<LabelReview>,
    },
}

fn tag_id(tx: &Connection, name: &str) -> rusqlite::Result<i64> {
    tx.query_row("SELECT id FROM tags WHERE name = ?1", [name], |r| r.get(0))
}

pub(super) fn subject_key(subject: &Subject) -> String {
    serde_json::to_string(subject).unwrap_or_default()
}

/// Applies one operation inside the caller's transaction, with prepared statements for the
/// row lists so that a 100,000-row edit stays fast.
pub fn apply(tx: &Connection, op: &Op) -> rusqlite::Result<()> {
    match op {
        Op::Assign { tag, rows } => {
            let id = tag_id(tx, tag)?;
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO assignments (row_id, tag_id) VALUES (?1, ?2)",
            )?;
            for row in rows {
                insert.execute(params![row, id])?;
            }
        }
        Op::Unassign { tag, rows } => {
            let id = tag_id(tx, tag)?;
            let mut delete =
                tx.prepare_cached("DELETE FROM assignments WHERE row_id = ?1 AND tag_id = ?2")?;
            for row in rows {
                delete.execute(params![row, id])?;
            }
        }
        Op::MarkReviewed { rows, reviewed } => {
            let sql = if *reviewed {
                "INSERT OR IGNORE INTO reviewed (row_id) VALUES (?1)"
            } else {
                "DELETE FROM reviewed WHERE row_id = ?1"
            };
            let mut stmt = tx.prepare_cached(sql)?;
            for row in rows {
                stmt.execute([row])?;
            }
        }
        Op::SetAudit { spec } => {
            tx.execute("DELETE FROM audit", [])?;
            if let Some(text) = spec {
                tx.execute("INSERT INTO audit (id, spec) VALUES (1, ?1)", [text])?;
            }
        }
        Op::SetNote { row, note } => match note {
            Some(text) => {
                tx.execute(
                    "INSERT OR REPLACE INTO notes (row_id, note) VALUES (?1, ?2)",
                    params![row, text],
                )?;
            }
            None => {
                tx.execute("DELETE FROM notes WHERE row_id = ?1", [row])?;
            }
        },
        Op::SetHlp { subject, accuracy } => match accuracy {
            Some(a) => {
                tx.execute(
                    "INSERT OR REPLACE INTO hlp (subject, accuracy) VALUES (?1, ?2)",
                    params![subject_key(subject), a],
                )?;
            }
            None => {
                tx.execute("DELETE FROM hlp WHERE subject = ?1", [subject_key(subject)])?;
            }
        },
        Op::SetRating { subject, rating } => match rating {
            Some(r) => {
                tx.execute(
                    "INSERT OR REPLACE INTO ratings (subject, ease, importance) VALUES (?1, ?2, ?3)",
                    params![subject_key(subject), r.ease, r.importance],
                )?;
            }
            None => {
                tx.execute(
                    "DELETE FROM ratings WHERE subject = ?1",
                    [subject_key(subject)],
                )?;
            }
        },
        Op::SetLabelReview { row, review } => match review {
            Some(r) => {
                tx.execute(
                    "INSERT OR REPLACE INTO label_reviews (row_id, label, author, at) VALUES (?1, ?2, ?3, ?4)",
                    params![row, r.label, r.author, r.at],
                )?;
            }
            None => {
                tx.execute("DELETE FROM label_reviews WHERE row_id = ?1", [row])?;
            }
        },
        Op::DefineTag(def) => {
            tx.execute(
                "INSERT INTO tags (name, color, hotkey, description) VALUES (?1, ?2, ?3, ?4)",
                params![def.name, def.color, def.hotkey, def.description],
            )?;
        }
        Op::DropTag { name } => {
            let id = tag_id(tx, name)?;
            tx.execute("DELETE FROM assignments WHERE tag_id = ?1", [id])?;
            tx.execute("DELETE FROM tags WHERE id = ?1", [id])?;
        }
        Op::UpdateTag { name, def } => {
            tx.execute(
                "UPDATE tags SET name = ?2, color = ?3, hotkey = ?4, description = ?5 WHERE name = ?1",
                params![name, def.name, def.color, def.hotkey, def.description],
            )?;
        }
    }
    Ok(())
}
