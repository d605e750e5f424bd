//! A review session on a project: the current filter, the rows it shows, the selected row,
//! and the commands of the review loop. Every edit goes to the project store first (committed
//! before the command returns) and is then mirrored into the in-memory tag book, so counts
//! and figures follow at once without re-reading the project.

use std::path::Path;
use std::sync::Arc;

use polars::prelude::PlHashMap;

use crate::data::audit_spec;
use crate::data::contain::contain;
use crate::data::project::Project;
use crate::data::store::{Op, StoreError, TagDef};
use crate::model::analysis::ManualInputs;
use crate::model::audit::{self, AuditSpec};
use crate::model::calibration::{self, PrPoint, Reliability};
use crate::model::filter::RowFilter;
use crate::model::hlp::Subject;
use crate::model::order::{Order, Presorted};
use crate::model::priorities::Rating;
use crate::model::tags::TagId;
use crate::model::{Analysis, EvalSet, Task, automation, comparison};
use crate::report::{AuditResults, Report};

/// What the user can ask of the review loop.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Select(u32),
    Next,
    Previous,
    /// The next row after the selection that is an error and not yet reviewed.
    NextUnreviewedError,
    /// Toggle the tag with this hotkey (1–9) on the selected row.
    ToggleHotkey(u8),
    ToggleTag(TagId),
    /// Mark the selected row reviewed and move to the next row.
    MarkReviewedAndNext,
    SetNote(String),
    CreateTag(String),
    RenameTag {
        tag: TagId,
        name: String,
    },
    /// A new colour, `#rrggbb`.
    RecolourTag {
        tag: TagId,
        color: String,
    },
    DeleteTag(TagId),
    /// Select a row by its number (from 1) or its id.
    GoTo(String),
    Sort(Order),
    Undo,
    Redo,
    SetFilter(RowFilter),
    /// Save (or with `None` remove) the audit checklist: spec text, checked first.
    SetAudit(Option<String>),
    /// Measure the audit checks again (after tagging, say).
    RunAudit,
    /// Enter (or clear, with `None`) the human-level performance of a tag or slice value.
    SetHlp {
        subject: Subject,
        accuracy: Option<f64>,
    },
    /// Rate (or clear) the ease and importance of working on a tag or slice value.
    SetRating {
        subject: Subject,
        rating: Option<Rating>,
    },
}

#[derive(Debug)]
pub struct Session {
    pub project: Project,
    pub filter: RowFilter,
    pub order: Order,
    /// Whole-table orders by id and confidence, built in the background after opening.
    presorted: Arc<Presorted>,
    /// The rows the filter shows, in `order`.
    pub rows: Vec<u32>,
    pub selected: Option<u32>,
    /// Tag definitions (colour, hotkey) as stored, by name; refreshed when they change.
    pub tag_defs: Vec<TagDef>,
    /// Notes by row id, as stored.
    notes: PlHashMap<String, String>,
    /// The last thing that happened, for the status bar.
    pub status: String,
    /// HLP values and ratings entered by the user, as stored.
    pub inputs: ManualInputs,
    /// Every figure of the dashboard; computed once on open, then kept current by
    /// [`Analysis::refresh`] after each edit (O(tags + slices), not O(rows)).
    pub analysis: Analysis,
    /// Figures that edits never change, computed once on open: the reliability diagram,
    /// per-class precision-recall curves (classification), and regressions and fixes
    /// against the baseline.
    pub reliability: Option<Reliability>,
    pub pr_curves: Vec<Vec<PrPoint>>,
    pub changes: Option<(u64, u64)>,
    /// The audit checklist as stored (TOML text), and its results or why it cannot run.
    pub audit_text: Option<String>,
    pub audit: Option<Result<AuditResults, String>>,
}

/// Sorts the whole table by id and by confidence on a thread of its own, so the first sort
/// by either takes the shown rows from a finished order instead of sorting while the window
/// waits (a second at 10 million rows). Sorting builds the order itself if this thread
/// cannot start.
fn presort_in_background(set: &Arc<EvalSet>) -> Arc<Presorted> {
    let presorted = Arc::new(Presorted::default());
    let (set, shared) = (set.clone(), presorted.clone());
    let _ = std::thread::Builder::new()
        .name("errata-presort".into())
        .spawn(move || {
            // On one core (a pool of one thread), so the window and its own parallel work
            // keep the others. A failure here leaves the orders to be built on first use.
            if let Ok(one_core) = rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                let _ = contain(|| one_core.install(|| shared.build_all(&set)));
            }
        });
    presorted
}

impl Session {
    pub fn open(path: &Path) -> Result<Session, StoreError> {
        Session::new(Project::open(path)?)
    }

    pub fn new(project: Project) -> Result<Session, StoreError> {
        let tag_defs = project.store.tags()?;
        let notes = project.store.notes()?.into_iter().collect();
        let inputs = project.inputs()?;
        let set = &project.dataset.set;
        let analysis = Analysis::compute(set, &project.book, &inputs);
        let reliability = set
            .confidence
            .as_ref()
            .map(|c| calibration::reliability(c, &set.correct));
        let pr_curves = match (&set.confidence, set.task) {
            (Some(c), Task::Classification) => calibration::pr_curves(
                &set.labels,
                &set.predictions,
                c,
                set.n_classes,
                &automation::THRESHOLDS,
            ),
            _ => Vec::new(),
        };
        let changes = comparison::counts(set);
        let presorted = presort_in_background(&project.dataset.set);
        let mut session = Session {
            project,
            filter: RowFilter::default(),
            order: Order::default(),
            presorted,
            rows: Vec::new(),
            selected: None,
            tag_defs,
            notes,
            status: "Saved".into(),
            inputs,
            analysis,
            reliability,
            pr_curves,
            changes,
            audit_text: None,
            audit: None,
        };
        session.audit_text = session.project.store.audit_spec()?;
        session.run_audit();
        session.refilter();
        session.selected = session.rows.first().copied();
        Ok(session)
    }

    /// The audit report of the project as it is now: the same content `errata report` gives,
    /// built around the analysis the session keeps current (no pass over the rows).
    pub fn report(&self) -> Report {
        let project = &self.project;
        let mut report = Report::from_analysis(
            &project.dataset_path,
            &project.dataset,
            &project.book,
            self.analysis.clone(),
        );
        report.dataset.warnings = project.warnings.clone();
        report.dataset.project = Some(project.store.path().display().to_string());
        report.describe_tags(&self.tag_defs);
        if let Some(Ok(results)) = &self.audit {
            report.audit = Some(results.clone());
        }
        report
    }

    /// Where messages about the stored audit spec point.
    fn audit_source(&self) -> std::path::PathBuf {
        let mut name = self.project.store.path().as_os_str().to_owned();
        name.push(" (audit checklist)");
        name.into()
    }

    /// Checks the spec text against the dataset: the parsed spec, or what is wrong.
    fn check_audit(&self, text: &str) -> Result<AuditSpec, String> {
        let (spec, lines) =
            audit_spec::parse_with_lines(text, &self.audit_source()).map_err(|e| e.to_string())?;
        let set = &self.project.dataset.set;
        match audit::validate(&spec, set, &self.project.book).first() {
            Some(problem) => Err(format!(
                "{}: line {}: check {:?}: {}",
                self.audit_source().display(),
                lines[problem.check],
                spec.checks[problem.check].risk,
                problem.message
            )),
            None => Ok(spec),
        }
    }

    /// Measures the stored audit checks (one pass over the rows per check).
    pub fn run_audit(&mut self) {
        self.audit = self.audit_text.as_ref().map(|text| {
            let spec = self.check_audit(text)?;
            Ok(AuditResults::evaluate(
                &spec,
                &self.project.dataset.set,
                &self.project.book,
            ))
        });
    }

    /// The stored definition of the tag with this id in the tag book.
    pub fn tag_def(&self, tag: TagId) -> Option<&TagDef> {
        let name = self.project.book.names().get(tag)?;
        self.tag_defs.iter().find(|d| &d.name == name)
    }

    pub fn note(&self, row: u32) -> Option<&str> {
        self.notes
            .get(self.project.dataset.set.ids.get(row as usize))
            .map(String::as_str)
    }

    fn refilter(&mut self) {
        let (set, book) = (&self.project.dataset.set, &self.project.book);
        self.rows = self.filter.rows(set, book);
        self.order.sort(set, book, &self.presorted, &mut self.rows);
    }

    /// Where `row` is in the shown rows, or where it would go.
    pub fn position(&self, row: u32) -> Result<usize, usize> {
        let (set, book) = (&self.project.dataset.set, &self.project.book);
        self.order.position(set, book, &self.rows, row)
    }

    /// The next (or previous) shown row after the selection, or the first (last) one.
    fn step(&self, forward: bool) -> Option<u32> {
        let (set, book) = (&self.project.dataset.set, &self.project.book);
        self.order
            .step(set, book, &self.rows, self.selected, forward)
    }

    fn selected_id(&self) -> Option<String> {
        self.selected
            .map(|r| self.project.dataset.set.ids.get(r as usize).to_string())
    }

    /// Runs one command. Errors leave the project and the session as they were.
    pub fn apply(&mut self, command: Command) -> Result<(), StoreError> {
        let edited_row = self.selected;
        let moved_only = matches!(
            command,
            Command::Select(_) | Command::Next | Command::Previous | Command::NextUnreviewedError
        );
        let single = matches!(
            command,
            Command::ToggleTag(_) | Command::ToggleHotkey(_) | Command::MarkReviewedAndNext
        );
        let whole = matches!(
            command,
            Command::Undo
                | Command::Redo
                | Command::CreateTag(_)
                | Command::RenameTag { .. }
                | Command::RecolourTag { .. }
                | Command::DeleteTag(_)
        );
        match command {
            Command::Select(row) => self.selected = Some(row),
            Command::Next => self.selected = self.step(true).or(self.selected),
            Command::Previous => self.selected = self.step(false).or(self.selected),
            Command::NextUnreviewedError => {
                let (set, book) = (&self.project.dataset.set, &self.project.book);
                let start = self.selected.map_or(0, |r| r as usize + 1);
                if let Some(row) =
                    (start..set.len()).find(|&r| !set.correct[r] && !book.is_reviewed(r))
                {
                    self.selected = Some(row as u32);
                    if !self.rows.contains(&(row as u32)) {
                        self.status = "Next unreviewed error is outside the current filter".into();
                    }
                } else {
                    self.status = "No unreviewed error after this row".into();
                }
            }
            Command::ToggleHotkey(key) => {
                let tag = self
                    .project
                    .store
                    .tags()?
                    .into_iter()
                    .find(|t| t.hotkey == Some(key));
                match tag.and_then(|t| self.project.book.id(&t.name)) {
                    Some(id) => self.apply(Command::ToggleTag(id))?,
                    None => self.status = format!("No tag on key {key}"),
                }
            }
            Command::ToggleTag(tag) => {
                let (Some(row), Some(id)) = (self.selected, self.selected_id()) else {
                    return Ok(());
                };
                let name = self.project.book.names()[tag].clone();
                let set = &self.project.dataset.set;
                if self.project.book.has(tag, row as usize) {
                    self.project.store.remove_tag(&name, &[&id])?;
                    self.project.book.unassign(set, tag, row as usize);
                    self.status = format!("Removed {name:?} from {id}");
                } else {
                    self.project.store.add_tag(&name, &[&id])?;
                    self.project.book.assign(set, tag, row as usize);
                    self.status = format!("Tagged {id} {name:?}");
                }
            }
            Command::MarkReviewedAndNext => {
                if let (Some(row), Some(id)) = (self.selected, self.selected_id()) {
                    self.project.store.set_reviewed(&[&id], true)?;
                    self.project
                        .book
                        .set_marked(&self.project.dataset.set, row as usize, true);
                    self.status = format!("Marked {id} reviewed");
                }
                self.apply(Command::Next)?;
            }
            Command::SetNote(note) => {
                if let Some(id) = self.selected_id()
                    && self.notes.get(&id).map_or("", String::as_str) != note.trim()
                {
                    self.project.store.set_note(&id, Some(&note))?;
                    self.mirror(&[Op::SetNote {
                        row: id.clone(),
                        note: Some(note.trim().to_string()).filter(|n| !n.is_empty()),
                    }])?;
                    self.status = format!("Note on {id} saved");
                }
            }
            Command::CreateTag(name) => {
                let def = self.project.store.new_tag_def(&name)?;
                self.project.store.create_tag(def.clone())?;
                self.mirror(&[Op::DefineTag(def)])?;
                self.status = format!("Created tag {name:?}");
            }
            Command::RenameTag { tag, name } => {
                let Some(def) = self.tag_def(tag).cloned() else {
                    return Ok(());
                };
                let renamed = TagDef {
                    name: name.trim().to_string(),
                    ..def.clone()
                };
                self.project.store.update_tag(&def.name, renamed.clone())?;
                self.mirror(&[Op::UpdateTag {
                    name: def.name.clone(),
                    def: renamed,
                }])?;
                self.status = format!("Renamed tag {:?} to {:?}", def.name, name.trim());
            }
            Command::RecolourTag { tag, color } => {
                let Some(def) = self.tag_def(tag).cloned() else {
                    return Ok(());
                };
                let recoloured = TagDef {
                    color,
                    ..def.clone()
                };
                self.project
                    .store
                    .update_tag(&def.name, recoloured.clone())?;
                self.mirror(&[Op::UpdateTag {
                    name: def.name.clone(),
                    def: recoloured,
                }])?;
                self.status = format!("New colour for {:?}", def.name);
            }
            Command::DeleteTag(tag) => {
                let name = self.project.book.names()[tag].clone();
                self.project.store.delete_tag(&name)?;
                self.mirror(&[Op::DropTag { name: name.clone() }])?;
                // Tag ids were renumbered: a filter on a tag no longer means the same tag.
                self.filter.tag = None;
                self.status = format!("Deleted tag {name:?} (Ctrl+Z brings it back)");
            }
            Command::GoTo(wanted) => {
                let wanted = wanted.trim();
                let set = &self.project.dataset.set;
                let row = set.ids.row(wanted).map(|r| r as u32).or_else(|| {
                    wanted
                        .parse::<usize>()
                        .ok()
                        .filter(|&n| (1..=set.len()).contains(&n))
                        .map(|n| n as u32 - 1)
                });
                match row {
                    Some(row) => {
                        self.selected = Some(row);
                        self.status = if self.position(row).is_ok() {
                            format!("Row {}", row + 1)
                        } else {
                            format!("Row {} is outside the current filter", row + 1)
                        };
                    }
                    None => self.status = format!("No row with number or id {wanted:?}"),
                }
                return Ok(());
            }
            Command::Sort(order) => {
                self.order = order;
                let (set, book) = (&self.project.dataset.set, &self.project.book);
                order.sort(set, book, &self.presorted, &mut self.rows);
                return Ok(());
            }
            Command::SetAudit(text) => {
                if let Some(text) = &text {
                    self.check_audit(text)
                        .map_err(|problem| StoreError::Invalid {
                            path: self.project.store.path().to_path_buf(),
                            problem,
                        })?;
                }
                self.project.store.set_audit_spec(text.as_deref())?;
                self.mirror(&[Op::SetAudit { spec: text }])?;
                self.status = "Audit checklist saved".into();
            }
            Command::RunAudit => {
                self.run_audit();
                self.status = "Audit checks measured".into();
                return Ok(());
            }
            Command::SetHlp { subject, accuracy } => {
                self.project.store.set_hlp(&subject, accuracy)?;
                self.status = match accuracy {
                    Some(a) => format!("HLP of {subject} set to {:.1} %", a * 100.0),
                    None => format!("HLP of {subject} cleared"),
                };
                self.mirror(&[Op::SetHlp { subject, accuracy }])?;
            }
            Command::SetRating { subject, rating } => {
                self.project.store.set_rating(&subject, rating)?;
                self.status = format!("Rated {subject}");
                self.mirror(&[Op::SetRating { subject, rating }])?;
            }
            Command::Undo | Command::Redo => {
                let replayed = if command == Command::Undo {
                    self.project.store.undo()?
                } else {
                    self.project.store.redo()?
                };
                match replayed {
                    Some(r) => {
                        self.mirror(&r.ops)?;
                        let verb = if command == Command::Undo {
                            "Undid"
                        } else {
                            "Redid"
                        };
                        self.status = format!("{verb}: {}", r.description);
                    }
                    None => {
                        self.status = format!(
                            "Nothing to {}",
                            if command == Command::Undo {
                                "undo"
                            } else {
                                "redo"
                            }
                        )
                    }
                }
            }
            Command::SetFilter(filter) => {
                self.filter = filter;
                self.refilter();
                if self.selected.is_none_or(|r| self.position(r).is_err()) {
                    self.selected = self.rows.first().copied();
                }
                return Ok(());
            }
        }
        if !moved_only {
            self.analysis.refresh(&self.project.book, &self.inputs);
        }
        // Edits can move rows in or out of a filter on tags or review state (correctness never
        // changes), or within an order on them. A one-row edit updates that row's place in
        // the list; undo and redo, which may touch many rows, filter again.
        if self.filter.unreviewed_only
            || self.filter.tag.is_some()
            || self.filter.untagged
            || self.order.follows_edits()
        {
            if whole {
                self.refilter();
            } else if let Some(row) = edited_row.filter(|_| single) {
                self.update_membership(row);
            }
        }
        Ok(())
    }

    fn update_membership(&mut self, row: u32) {
        let needle = self.filter.search.trim().to_lowercase();
        let matches = self.filter.matches(
            &self.project.dataset.set,
            &self.project.book,
            row as usize,
            &needle,
        );
        // In an order on tags or review state the row's key just changed: find it by value.
        if self.order.follows_edits()
            && let Some(i) = self.rows.iter().position(|&r| r == row)
        {
            self.rows.remove(i);
        }
        match self.position(row) {
            Ok(i) if !matches => {
                self.rows.remove(i);
            }
            Err(i) if matches => self.rows.insert(i, row),
            _ => {}
        }
    }

    /// Brings the tag book in line with operations the store has just applied.
    fn mirror(&mut self, ops: &[Op]) -> Result<(), StoreError> {
        let mut rerun_audit = false;
        let set = &self.project.dataset.set;
        for op in ops {
            match op {
                Op::Assign { tag, rows } | Op::Unassign { tag, rows } => {
                    let Some(id) = self.project.book.id(tag) else {
                        continue;
                    };
                    for row in rows.iter().filter_map(|r| set.ids.row(r)) {
                        if matches!(op, Op::Assign { .. }) {
                            self.project.book.assign(set, id, row);
                        } else {
                            self.project.book.unassign(set, id, row);
                        }
                    }
                }
                Op::MarkReviewed { rows, reviewed } => {
                    for row in rows.iter().filter_map(|r| set.ids.row(r)) {
                        self.project.book.set_marked(set, row, *reviewed);
                    }
                }
                // Tag definitions change rarely: rebuild the book from the store.
                Op::DefineTag(_) | Op::DropTag { .. } | Op::UpdateTag { .. } => {
                    self.tag_defs = self.project.store.tags()?;
                    return self.project.reload_book();
                }
                Op::SetNote { row, note } => match note {
                    Some(text) => {
                        self.notes.insert(row.clone(), text.clone());
                    }
                    None => {
                        self.notes.remove(row);
                    }
                },
                Op::SetAudit { spec } => {
                    self.audit_text = spec.clone();
                    rerun_audit = true;
                }
                Op::SetHlp { subject, accuracy } => match accuracy {
                    Some(a) => {
                        self.inputs.hlp.insert(subject.clone(), *a);
                    }
                    None => {
                        self.inputs.hlp.remove(subject);
                    }
                },
                Op::SetRating { subject, rating } => match rating {
                    Some(r) => {
                        self.inputs.ratings.insert(subject.clone(), *r);
                    }
                    None => {
                        self.inputs.ratings.remove(subject);
                    }
                },
            }
        }
        if rerun_audit {
            self.run_audit();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::MappingRequest;
    use crate::model::filter::Outcome;

    fn session() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data.csv");
        let mut csv = String::from("id,label,prediction,tags\n");
        for i in 0..10 {
            let prediction = if i % 3 == 0 { "b" } else { "a" };
            csv.push_str(&format!(
                "r{i},a,{prediction},{}\n",
                if i == 1 { "blur" } else { "" }
            ));
        }
        std::fs::write(&data, csv).unwrap();
        let project = Project::init(
            &data,
            &MappingRequest::default(),
            &dir.path().join("data.errata"),
        )
        .unwrap();
        (dir, Session::new(project).unwrap())
    }

    #[test]
    fn review_loop_with_hotkeys_stepping_and_undo() {
        let (dir, mut s) = session();
        let blur = s.project.book.id("blur").unwrap();
        assert_eq!(s.selected, Some(0));
        s.apply(Command::ToggleHotkey(1)).unwrap();
        assert_eq!(s.project.book.counts(blur).n, 2, "hotkey 1 is blur");
        s.apply(Command::SetFilter(RowFilter {
            outcome: Outcome::Errors,
            ..Default::default()
        }))
        .unwrap();
        assert_eq!(s.rows, [0, 3, 6, 9]);
        s.apply(Command::Next).unwrap();
        assert_eq!(s.selected, Some(3));
        s.apply(Command::Undo).unwrap();
        assert_eq!(
            s.project.book.counts(blur).n,
            1,
            "undo follows in the counts"
        );
        assert!(s.status.starts_with("Undid"));
        s.apply(Command::Redo).unwrap();
        assert_eq!(s.project.book.counts(blur).n, 2);
        s.apply(Command::MarkReviewedAndNext).unwrap();
        assert_eq!(s.selected, Some(6));
        assert!(s.project.book.is_reviewed(3));
        s.apply(Command::NextUnreviewedError).unwrap();
        assert_eq!(s.selected, Some(9));
        s.apply(Command::CreateTag("glare".into())).unwrap();
        s.apply(Command::ToggleHotkey(2)).unwrap();
        assert_eq!(
            s.project.book.counts(s.project.book.id("glare").unwrap()).n,
            1
        );
        s.apply(Command::ToggleHotkey(7)).unwrap();
        assert_eq!(s.status, "No tag on key 7");
        // Everything is in the project file.
        drop(s);
        let reopened = Session::open(&dir.path().join("data.errata")).unwrap();
        let book = &reopened.project.book;
        assert_eq!(book.rows(book.id("blur").unwrap()), [0, 1]);
        assert_eq!(book.rows(book.id("glare").unwrap()), [9]);
        assert!(book.is_reviewed(3));
    }

    #[test]
    fn edits_move_rows_in_and_out_of_review_filters() {
        let (_dir, mut s) = session();
        s.apply(Command::SetFilter(RowFilter {
            unreviewed_only: true,
            ..Default::default()
        }))
        .unwrap();
        assert_eq!(
            s.rows,
            [0, 2, 3, 4, 5, 6, 7, 8, 9],
            "r1 is tagged, so reviewed"
        );
        s.apply(Command::MarkReviewedAndNext).unwrap();
        assert_eq!(s.rows, [2, 3, 4, 5, 6, 7, 8, 9]);
        assert_eq!(s.selected, Some(2));
        s.apply(Command::Undo).unwrap();
        assert_eq!(s.rows, [0, 2, 3, 4, 5, 6, 7, 8, 9]);
        let fresh = RowFilter {
            unreviewed_only: true,
            ..Default::default()
        }
        .rows(&s.project.dataset.set, &s.project.book);
        assert_eq!(s.rows, fresh);
    }

    #[test]
    fn notes_are_saved_and_undone() {
        let (_dir, mut s) = session();
        s.apply(Command::SetNote("speaker coughs".into())).unwrap();
        assert_eq!(s.note(0), Some("speaker coughs"));
        s.apply(Command::Undo).unwrap();
        assert_eq!(s.note(0), None);
        assert_eq!(s.tag_def(0).unwrap().hotkey, Some(1));
    }

    #[test]
    fn an_edit_moves_the_row_within_an_order_on_tags() {
        use crate::model::order::SortKey;
        let (_dir, mut s) = session();
        let by_tags = Order {
            key: SortKey::Tags,
            descending: true,
        };
        s.apply(Command::Sort(by_tags)).unwrap();
        assert_eq!(s.rows[0], 1, "r1 carries the only tag");
        s.apply(Command::Select(7)).unwrap();
        s.apply(Command::ToggleHotkey(1)).unwrap();
        assert_eq!(&s.rows[..2], [1, 7]);
        let mut fresh = RowFilter::default().rows(&s.project.dataset.set, &s.project.book);
        by_tags.sort(
            &s.project.dataset.set,
            &s.project.book,
            &s.presorted,
            &mut fresh,
        );
        assert_eq!(s.rows, fresh);
        s.apply(Command::Next).unwrap();
        assert_eq!(s.selected, Some(0), "→ follows the order shown");
        s.apply(Command::GoTo("r4".into())).unwrap();
        assert_eq!(s.selected, Some(4));
        s.apply(Command::GoTo("3".into())).unwrap();
        assert_eq!(s.selected, Some(2));
        s.apply(Command::GoTo("99".into())).unwrap();
        assert_eq!(s.selected, Some(2));
        assert!(s.status.contains("No row"), "{}", s.status);
    }

    #[test]
    fn tags_are_renamed_recoloured_and_deleted_undoably() {
        let (_dir, mut s) = session();
        let blur = s.project.book.id("blur").unwrap();
        s.apply(Command::RenameTag {
            tag: blur,
            name: "motion blur".into(),
        })
        .unwrap();
        let blur = s.project.book.id("motion blur").unwrap();
        assert_eq!(s.project.book.counts(blur).n, 1);
        s.apply(Command::RecolourTag {
            tag: blur,
            color: "#123456".into(),
        })
        .unwrap();
        assert_eq!(s.tag_def(blur).unwrap().color, "#123456");
        s.apply(Command::DeleteTag(blur)).unwrap();
        assert!(s.project.book.names().is_empty());
        s.apply(Command::Undo).unwrap();
        let blur = s.project.book.id("motion blur").unwrap();
        assert_eq!(
            s.project.book.rows(blur),
            [1],
            "undo brings the tag and its rows back"
        );
    }
}
