//! Reading a project: tag definitions and assignments, reviewed marks, notes, the audit
//! checklist, entered HLP values and ratings, and the app's view state.

use std::collections::HashSet;

use rusqlite::{OptionalExtension, params};

use super::{LabelReview, Store, StoreError, TagDef};
use crate::model::analysis::ManualInputs;
use crate::model::hlp::Subject;
use crate::model::ids::Ids;
use crate::model::priorities::Rating;

/// The view-state key of the HLP preference ([`crate::model::hlp::HlpPreference`]).
pub const HLP_FROM: &str = "hlp_from";

impl Store {
    pub(super) fn strings(&self, sql: &str) -> Result<Vec<String>, StoreError> {
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
                        // A hotkey no errata writes reads as none (`damaged_hotkeys`).
                        hotkey: r
                            .get::<_, Option<i64>>(2)
                            .ok()
                            .flatten()
                            .and_then(|k| u8::try_from(k).ok())
                            .filter(|k| (1..=9).contains(k)),
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

    /// Every assignment's row id and tag id, by row id (the order the file keeps them in):
    /// ids in one buffer, not a `String` each, as a project may hold millions. Tag ids index
    /// [`Store::tag_ids`].
    pub fn assignments_by_tag_id(&self) -> Result<(Ids, Vec<i64>), StoreError> {
        let run = || -> rusqlite::Result<(Ids, Vec<i64>)> {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT row_id, tag_id FROM assignments ORDER BY row_id, tag_id")?;
            let mut rows = stmt.query([])?;
            let (mut ids, mut tags) = (Ids::default(), Vec::new());
            while let Some(row) = rows.next()? {
                ids.push(row.get_ref(0)?.as_str()?);
                tags.push(row.get(1)?);
            }
            Ok((ids, tags))
        };
        run().map_err(|e| self.error(e))
    }

    /// (tag id, tag name) pairs, for [`Store::assignments_by_tag_id`].
    pub fn tag_ids(&self) -> Result<Vec<(i64, String)>, StoreError> {
        self.conn
            .prepare_cached("SELECT id, name FROM tags ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.error(e))
    }

    /// Which of `rows` carry `tag`: one indexed lookup per row for a few rows (a single
    /// edit stays O(1) however large the tag), one scan of the tag for many.
    pub(super) fn tagged_among(
        &self,
        tag: &str,
        rows: &[&str],
    ) -> Result<HashSet<String>, StoreError> {
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

    pub(super) fn rows_with_tag(&self, tag: &str) -> Result<HashSet<String>, StoreError> {
        self.conn
            .prepare_cached("SELECT a.row_id FROM assignments a JOIN tags t ON t.id = a.tag_id WHERE t.name = ?1")
            .and_then(|mut s| s.query_map([tag], |r| r.get(0))?.collect())
            .map_err(|e| self.error(e))
    }

    /// Which of `rows` are explicitly marked reviewed: one indexed lookup per row for a few
    /// rows (marking one row stays O(1) however many are marked), one scan for many.
    pub(super) fn marked_among(&self, rows: &[&str]) -> Result<HashSet<String>, StoreError> {
        if rows.len() > 256 {
            return Ok(self.reviewed()?.into_iter().collect());
        }
        let lookup = || -> rusqlite::Result<HashSet<String>> {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT 1 FROM reviewed WHERE row_id = ?1")?;
            let mut found = HashSet::new();
            for row in rows {
                if stmt.exists([row])? {
                    found.insert(row.to_string());
                }
            }
            Ok(found)
        };
        lookup().map_err(|e| self.error(e))
    }

    /// The HLP entered for one tag or slice value.
    pub fn hlp(&self, subject: &Subject) -> Result<Option<f64>, StoreError> {
        self.conn
            .query_row(
                "SELECT accuracy FROM hlp WHERE subject = ?1",
                [super::edit::subject_key(subject)],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.error(e))
    }

    /// The ease and importance entered for one tag or slice value.
    pub fn rating(&self, subject: &Subject) -> Result<Option<Rating>, StoreError> {
        self.conn
            .query_row(
                "SELECT ease, importance FROM ratings WHERE subject = ?1",
                [super::edit::subject_key(subject)],
                |r| {
                    Ok(Rating {
                        ease: r.get(0)?,
                        importance: r.get(1)?,
                    })
                },
            )
            .optional()
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

    /// Every row's label review (corrected or confirmed), by row id.
    pub fn label_reviews(&self) -> Result<Vec<(String, LabelReview)>, StoreError> {
        self.conn
            .prepare_cached("SELECT row_id, label, author, at FROM label_reviews ORDER BY row_id")
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        LabelReview {
                            label: r.get(1)?,
                            author: r.get(2)?,
                            at: r.get(3)?,
                        },
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.error(e))
    }

    pub fn label_review(&self, row: &str) -> Result<Option<LabelReview>, StoreError> {
        self.conn
            .query_row(
                "SELECT label, author, at FROM label_reviews WHERE row_id = ?1",
                [row],
                |r| {
                    Ok(LabelReview {
                        label: r.get(0)?,
                        author: r.get(1)?,
                        at: r.get(2)?,
                    })
                },
            )
            .optional()
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

    /// Entered HLP values and ratings, as the metrics take them. Values no errata writes
    /// (an HLP outside [0, 1], a rating outside 1–5, a subject that does not read: a file
    /// edited by hand) are left out and described, naming the table and row, in the second
    /// list: damage to report, never figures to use.
    pub fn manual_inputs(&self) -> Result<(ManualInputs, Vec<String>), StoreError> {
        let hlp: Vec<(String, f64)> = self
            .conn
            .prepare_cached("SELECT subject, accuracy FROM hlp ORDER BY subject")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.error(e))?;
        let ratings: Vec<(String, i64, i64)> = self
            .conn
            .prepare_cached("SELECT subject, ease, importance FROM ratings ORDER BY subject")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .map_err(|e| self.error(e))?;
        let mut inputs = ManualInputs::default();
        let mut damage = Vec::new();
        if let Some(text) = self.view_state(HLP_FROM)? {
            inputs.hlp_from = serde_json::from_str(&text).unwrap_or_default();
        }
        let subject = |table: &str, text: &str, damage: &mut Vec<String>| {
            serde_json::from_str::<Subject>(text)
                .map_err(|_| {
                    damage.push(format!(
                        "table {table}, row {text:?}: the subject cannot be read; the row is \
                         not used"
                    ))
                })
                .ok()
        };
        for (text, accuracy) in hlp {
            let Some(s) = subject("hlp", &text, &mut damage) else {
                continue;
            };
            if (0.0..=1.0).contains(&accuracy) {
                inputs.hlp.insert(s, accuracy);
            } else {
                damage.push(format!(
                    "table hlp, row of {s}: the HLP {accuracy} is outside [0, 1]; it is not \
                     used (enter it again with errata hlp or in the dashboard)"
                ));
            }
        }
        for (text, ease, importance) in ratings {
            let Some(s) = subject("ratings", &text, &mut damage) else {
                continue;
            };
            match (u8::try_from(ease), u8::try_from(importance)) {
                (Ok(ease), Ok(importance))
                    if (1..=5).contains(&ease) && (1..=5).contains(&importance) =>
                {
                    inputs.ratings.insert(s, Rating { ease, importance });
                }
                _ => damage.push(format!(
                    "table ratings, row of {s}: the ease {ease} and importance {importance} \
                     are not both 1 to 5; they are not used"
                )),
            }
        }
        Ok((inputs, damage))
    }

    /// Tags whose stored hotkey is not 1–9 (a file edited by hand): described, naming the
    /// table and row. [`Store::tags`] gives them no hotkey.
    pub fn damaged_hotkeys(&self) -> Result<Vec<String>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT rowid, name, hotkey FROM tags WHERE hotkey IS NOT NULL \
                 AND (typeof(hotkey) != 'integer' OR hotkey < 1 OR hotkey > 9) ORDER BY rowid",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    let (row, name, key): (i64, String, rusqlite::types::Value) =
                        (r.get(0)?, r.get(1)?, r.get(2)?);
                    Ok(format!(
                        "table tags, row {row}: the hotkey of tag {name:?} is {key:?}, not 1 to \
                         9; the tag has no hotkey until one is set"
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.error(e))
    }

    /// Every media file's metrics measured before.
    pub fn media_metrics(&self) -> Result<crate::data::media_metrics::MetricsCache, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, size, modified, metrics FROM media_metrics")
            .map_err(|e| self.error(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.error(e))?;
        let mut cache = crate::data::media_metrics::MetricsCache::new();
        for row in rows {
            let (path, size, modified, text) = row.map_err(|e| self.error(e))?;
            // A value errata did not write is measured again rather than trusted.
            if let Ok(values) = serde_json::from_str::<Vec<Option<f64>>>(&text) {
                let key = crate::data::media_metrics::FileKey {
                    path,
                    size: size as u64,
                    modified,
                };
                cache.insert(
                    key,
                    values.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
                );
            }
        }
        Ok(cache)
    }

    pub fn view_state(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM view_state WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.error(e))
    }
}
