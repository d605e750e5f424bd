//! A review session on a project: the current filter, the rows it shows, the selected row,
//! and the commands of the review loop. Edits go through [`Project::apply`] (committed to the
//! project file before the command returns, then mirrored into the tag book); the session
//! keeps the view (filter, order, selection) and brings the dashboard's figures up to date.

use crate::model::slices::FlagRule;
use std::path::Path;
use std::sync::Arc;

use super::figures::{Figures, FiguresState};
use super::slice_finder::FinderCommand;
use crate::data::contain::contain;
use crate::data::project::{Edit, LabelVerdict, Project};
use crate::data::store::{Committed, Op, StoreError, TagDef};
use crate::model::EvalSet;
use crate::model::audit::AuditSpec;
use crate::model::filter::{RowFilter, RowList};
use crate::model::hlp::{HlpPreference, Subject};
use crate::model::order::{Order, Presorted};
use crate::model::priorities::Rating;
use crate::model::tags::TagId;
use crate::report::{AuditResults, Report};

/// What the user can ask of the review loop.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Select(u32),
    Next,
    Previous,
    /// Move the selection this many shown rows down (up when negative), stopping at the
    /// ends: Page Down and Page Up.
    MoveBy(isize),
    /// The first (or last) shown row: Home and End.
    First,
    Last,
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
    /// Flag slice values by this rule, in the dashboard and in exported reports.
    SetFlagRule(FlagRule),
    /// Hide these review-table columns (by title), remembered in the project.
    SetHiddenColumns(Vec<String>),
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
    /// Correct or confirm the selected row's ground truth (or take that back).
    ReviewLabel(LabelVerdict),
    /// Show every figure with the corrected labels (or with the labels as given).
    ShowCorrectedLabels(bool),
    /// Which measured HLP to use when both human labels and annotators give one.
    SetHlpPreference(HlpPreference),
    /// The Drift section's commands.
    Drift(super::drift::DriftCommand),
    /// The Find slices section's commands.
    Slices(super::slice_finder::FinderCommand),
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
    /// The last thing that happened, for the status bar.
    pub status: String,
    /// Every figure of the dashboard: computed in the background on open (and when the
    /// labels change), then kept current by [`Analysis::refresh`] after each edit
    /// (O(tags + slices), not O(rows)).
    figures: FiguresState,
    /// The audit checklist's results, or why it cannot run; `None` without a checklist.
    pub audit: Option<Result<AuditResults, String>>,
    /// Which slice values the dashboard and exported reports flag "below overall".
    pub flag_rule: FlagRule,
    /// Review-table columns the user hid, by title; kept in the project's view state.
    pub hidden_columns: Vec<String>,
    /// The Drift section: the paired current set and its comparison.
    pub drift: super::drift::DriftMonitor,
    /// The Find slices section: the search, the slices found, the grid.
    pub finder: super::slice_finder::SliceFinder,
}

/// The view-state key of [`Session::hidden_columns`] (titles joined by newlines).
const HIDDEN_COLUMNS: &str = "hidden_columns";

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
                super::release_freed_memory();
            }
        });
    presorted
}

/// How an edit can change the shown rows (correctness never changes).
#[derive(Clone, Copy, PartialEq)]
enum Reach {
    /// Tags or the reviewed mark of the row that was selected.
    SelectedRow(u32),
    /// Any rows (undo, redo, tag definitions): filter again.
    AnyRows,
    /// No row's tags or review state.
    NoRows,
}

impl Session {
    pub fn open(path: &Path) -> Result<Session, StoreError> {
        Session::new(Project::open(path)?)
    }

    pub fn new(project: Project) -> Result<Session, StoreError> {
        let hidden_columns = project
            .store
            .view_state(HIDDEN_COLUMNS)
            .ok()
            .flatten()
            .map(|v| v.lines().map(String::from).collect())
            .unwrap_or_default();
        let figures = FiguresState::start(&project.dataset.set, project.inputs());
        let presorted = presort_in_background(&project.dataset.set);
        let mut session = Session {
            project,
            filter: RowFilter::default(),
            order: Order::default(),
            presorted,
            rows: Vec::new(),
            selected: None,
            status: "Saved".into(),
            figures,
            audit: None,
            flag_rule: FlagRule::default(),
            hidden_columns,
            drift: super::drift::DriftMonitor::idle(),
            finder: super::slice_finder::SliceFinder::idle(),
        };
        session.drift = super::drift::DriftMonitor::of(&session.project);
        session.finder = super::slice_finder::SliceFinder::of(&session.project);
        session.run_audit();
        session.refilter();
        session.selected = session.rows.first().copied();
        Ok(session)
    }

    /// The audit report of the project as it is now: the same content `errata report` gives,
    /// built around the analysis the session keeps current (no pass over the rows). `None`
    /// until the figures are computed.
    pub fn report(&self) -> Option<Report> {
        let figures = self.figures()?;
        let mut report = Report::of_project(&self.project, figures.analysis.clone());
        report.flag_rule = self.flag_rule;
        if let Some(Ok(results)) = &self.audit {
            report.audit = Some(results.clone());
        }
        if let super::drift::DriftState::Ready(result) = &self.drift.state {
            report.drift = Some(result.analysis.clone());
        }
        report.found_slices = self.finder.found().cloned();
        Some(report)
    }

    /// The dashboard's figures; `None` while they are computed or when computing them
    /// failed ([`Session::figures_state`] tells which).
    pub fn figures(&self) -> Option<&Figures> {
        self.figures.ready()
    }

    pub fn figures_state(&self) -> &FiguresState {
        &self.figures
    }

    /// Takes in the figures once computed, with the edits made meanwhile; true when they
    /// arrived just now.
    pub fn poll_figures(&mut self) -> bool {
        let arrived = self.figures.poll();
        if arrived {
            self.refresh_figures(true);
        }
        arrived
    }

    /// Waits until the figures are computed (for tests, benchmarks and headless use).
    pub fn wait_for_figures(&mut self) -> Option<&Figures> {
        if self.figures.wait() {
            self.refresh_figures(true);
        }
        self.figures()
    }

    /// Brings the figures up to date with the project's tags, reviewed marks and entered
    /// values (and its reviewed labels when `labels_changed`), once they are computed.
    fn refresh_figures(&mut self, labels_changed: bool) {
        let project = &self.project;
        let Some(figures) = self.figures.ready_mut() else {
            return;
        };
        if labels_changed {
            let corrections = project.label_corrections();
            figures
                .analysis
                .set_corrections(project.given_set(), &corrections);
        }
        figures
            .analysis
            .refresh(&project.dataset.set, &project.book, project.inputs());
    }

    /// Every figure computed again, in the background, over the project's set (after it
    /// was swapped for the one with corrected labels, or back, or given new slices); the
    /// audit measured again, the rows filtered.
    fn recompute(&mut self) {
        self.figures = FiguresState::start(&self.project.dataset.set, self.project.inputs());
        // The whole-table orders (id, confidence) do not depend on the labels: kept.
        self.run_audit();
        self.refilter();
    }

    /// Picks up a finished drift comparison; the audit's `drift` checks are measured again.
    pub fn poll_drift(&mut self) -> bool {
        let done = self.drift.poll(&mut self.project);
        let inputs = match &self.drift.state {
            super::drift::DriftState::Ready(r) if done => r.reference.inputs.clone(),
            _ => Vec::new(),
        };
        let set = &self.project.dataset.set;
        let new = inputs.iter().any(|(name, _)| set.slice(name).is_none());
        if new {
            // The media's input metrics become slices of every figure and filter.
            let slices = crate::data::media_metrics::as_slices(&inputs);
            self.project.add_input_slices(slices);
            self.recompute();
            self.status = "The media's input metrics are now slices too".into();
        } else if done {
            self.run_audit();
        }
        done
    }

    /// Carries out a Find slices command: searches run in the background; showing rows
    /// sets the filter; a found slice becomes an audit check in one undoable edit.
    fn apply_finder(&mut self, command: FinderCommand) -> Result<(), StoreError> {
        let list = |name: String, rows: Vec<u32>| RowFilter {
            listed: Some(RowList::new(name, rows)),
            ..RowFilter::default()
        };
        match command {
            FinderCommand::Run(search) => self.finder.run(Some(search), &mut self.project),
            FinderCommand::Cancel => self.finder.run(None, &mut self.project),
            FinderCommand::Grid(down, across) => {
                if let Err(message) = self.finder.set_grid(&down, &across, &self.project) {
                    self.status = message;
                }
            }
            FinderCommand::ShowSlice(rank) => {
                if let Some(slice) = self.finder.found().and_then(|f| f.slices.get(rank)) {
                    self.filter = list(slice.predicates.describe(), slice.rows.clone());
                    self.refilter();
                }
            }
            FinderCommand::ShowCell(i, j) => {
                let Some(grid) = &self.finder.grid else {
                    return Ok(());
                };
                let name = format!(
                    "{} = {} and {} = {}",
                    grid.down, grid.down_values[i].0, grid.across, grid.across_values[j].0
                );
                if let Some(rows) = self.finder.cell_rows(i, j, &self.project) {
                    self.filter = list(name, rows);
                    self.refilter();
                }
            }
            FinderCommand::AddCheck(rank) => {
                let Some(found) = self.finder.found() else {
                    return Ok(());
                };
                let Some(slice) = found.slices.get(rank) else {
                    return Ok(());
                };
                let check = crate::model::slice_finder::audit_check(found, slice);
                let mut spec = match self.project.audit_checklist() {
                    None => AuditSpec::default(),
                    Some(Ok(spec)) => spec,
                    Some(Err(e)) => {
                        self.status = format!(
                            "The audit checklist has a problem to fix first (Audit section): {e}"
                        );
                        return Ok(());
                    }
                };
                let risk = check.risk.clone();
                spec.checks.push(check);
                let text = crate::data::audit_spec::render(&spec);
                self.edit(Edit::SetAudit(Some(text)), Reach::NoRows)?;
                self.status = format!("Added the audit check \"{risk}\" (Ctrl+Z takes it back)");
            }
        }
        Ok(())
    }

    /// Measures the stored audit checks (one pass over the rows per check).
    pub fn run_audit(&mut self) {
        let project = &self.project;
        self.audit = project.audit_checklist().map(|checked| {
            let spec = checked.map_err(|e| e.to_string())?;
            let drift = match &self.drift.state {
                super::drift::DriftState::Ready(r) => Some(&r.analysis.drift),
                _ => None,
            };
            Ok(AuditResults::evaluate(
                &spec,
                &project.dataset.set,
                &project.book,
                drift,
            ))
        });
    }

    /// The stored definition of the tag with this id in the tag book.
    pub fn tag_def(&self, tag: TagId) -> Option<&TagDef> {
        let name = self.project.book.names().get(tag)?;
        self.project.tag_def(name)
    }

    pub fn note(&self, row: u32) -> Option<&str> {
        self.project
            .note(self.project.dataset.set.ids.get(row as usize))
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
        match command {
            Command::Select(row) => self.selected = Some(row),
            Command::Next => self.selected = self.step(true).or(self.selected),
            Command::Previous => self.selected = self.step(false).or(self.selected),
            Command::MoveBy(rows) => {
                if let Some(last) = self.rows.len().checked_sub(1) {
                    let at = self.selected.map_or(Ok(0), |r| self.position(r));
                    // Not shown (outside the filter): start where it would be.
                    let at = at.unwrap_or_else(|i| i.min(last));
                    let to = at.saturating_add_signed(rows).min(last);
                    self.selected = Some(self.rows[to]);
                }
            }
            Command::First => self.selected = self.rows.first().copied().or(self.selected),
            Command::Last => self.selected = self.rows.last().copied().or(self.selected),
            Command::NextUnreviewedError => self.next_unreviewed_error(),
            Command::GoTo(wanted) => self.go_to(wanted.trim()),
            Command::SetFlagRule(rule) => self.flag_rule = rule,
            Command::SetHiddenColumns(columns) => {
                let kept = self
                    .project
                    .store
                    .set_view_state(HIDDEN_COLUMNS, &columns.join("\n"));
                if let Err(e) = kept {
                    self.status = format!("The column choice holds until you close: {e}");
                }
                self.hidden_columns = columns;
            }
            Command::Sort(order) => {
                self.order = order;
                let (set, book) = (&self.project.dataset.set, &self.project.book);
                order.sort(set, book, &self.presorted, &mut self.rows);
            }
            Command::SetFilter(filter) => {
                self.filter = filter;
                self.refilter();
                if self.selected.is_none_or(|r| self.position(r).is_err()) {
                    self.selected = self.rows.first().copied();
                }
            }
            Command::RunAudit => {
                self.run_audit();
                self.status = "Audit checks measured".into();
            }
            Command::ReviewLabel(verdict) => {
                if let Some(row) = self.selected {
                    let id = self.project.dataset.set.ids.get(row as usize).to_string();
                    let committed = self.edit(
                        Edit::ReviewLabel { row: id, verdict },
                        Reach::SelectedRow(row),
                    )?;
                    self.status = if committed.is_empty() {
                        "Nothing changed".into()
                    } else {
                        committed.description
                    };
                }
            }
            Command::ShowCorrectedLabels(corrected) => {
                self.project.show_corrected_labels(corrected);
                self.recompute();
                self.status = if corrected {
                    "Figures with the corrected labels".into()
                } else {
                    "Figures with the labels as given".into()
                };
            }
            Command::Drift(command) => self.drift.apply(command, &mut self.project),
            Command::Slices(command) => self.apply_finder(command)?,
            Command::SetHlpPreference(prefer) => {
                if let Err(e) = self.project.set_hlp_preference(prefer) {
                    self.status = format!("The HLP choice holds until you close: {e}");
                }
                self.refresh_figures(false);
            }
            Command::ToggleHotkey(key) => {
                let tag = self
                    .project
                    .tag_defs()
                    .iter()
                    .find(|t| t.hotkey == Some(key))
                    .and_then(|t| self.project.book.id(&t.name));
                match tag {
                    Some(id) => self.apply(Command::ToggleTag(id))?,
                    None => self.status = format!("No tag on key {key}"),
                }
            }
            Command::MarkReviewedAndNext => {
                // A row already reviewed (marked, or through a tag) needs no edit: one would
                // sit in the undo log and "undo" nothing the user can see.
                let unreviewed = self
                    .selected
                    .filter(|&r| !self.project.book.is_reviewed(r as usize));
                if let Some((row, id)) = unreviewed.zip(self.selected_id()) {
                    let edit = Edit::MarkReviewed {
                        rows: vec![id.clone()],
                        reviewed: true,
                    };
                    self.edit(edit, Reach::SelectedRow(row))?;
                    self.status = format!("Marked {id} reviewed");
                }
                self.apply(Command::Next)?;
            }
            edit => self.edit_command(edit)?,
        }
        Ok(())
    }

    fn next_unreviewed_error(&mut self) {
        let (set, book) = (&self.project.dataset.set, &self.project.book);
        let start = self.selected.map_or(0, |r| r as usize + 1);
        match (start..set.len()).find(|&r| !set.correct[r] && !book.is_reviewed(r)) {
            Some(row) => {
                self.selected = Some(row as u32);
                if !self.rows.contains(&(row as u32)) {
                    self.status = "Next unreviewed error is outside the current filter".into();
                }
            }
            None => self.status = "No unreviewed error after this row".into(),
        }
    }

    fn go_to(&mut self, wanted: &str) {
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
    }

    /// Turns a command that changes the project into its [`Edit`], applies it, and says
    /// what happened in the status bar.
    fn edit_command(&mut self, command: Command) -> Result<(), StoreError> {
        let selected = self.selected.zip(self.selected_id());
        let name_of = |tag: TagId| self.project.book.names().get(tag).cloned();
        match command {
            Command::ToggleTag(tag) => {
                let (Some((row, id)), Some(name)) = (selected, name_of(tag)) else {
                    return Ok(());
                };
                let (edit, status) = if self.project.book.has(tag, row as usize) {
                    let status = format!("Removed {name:?} from {id}");
                    let rows = vec![id];
                    (Edit::Unassign { tag: name, rows }, status)
                } else {
                    let status = format!("Tagged {id} {name:?}");
                    let pairs = vec![(id, name)];
                    let create = false;
                    (Edit::Assign { pairs, create }, status)
                };
                self.edit(edit, Reach::SelectedRow(row))?;
                self.status = status;
            }
            Command::SetNote(note) => {
                let Some((_, id)) = selected else {
                    return Ok(());
                };
                let edit = Edit::SetNote {
                    row: id.clone(),
                    note: Some(note),
                };
                if !self.edit(edit, Reach::NoRows)?.is_empty() {
                    self.status = format!("Note on {id} saved");
                }
            }
            Command::CreateTag(name) => {
                self.edit(Edit::CreateTag(name.clone()), Reach::AnyRows)?;
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
                let edit = Edit::UpdateTag {
                    name: def.name.clone(),
                    def: renamed,
                };
                self.edit(edit, Reach::AnyRows)?;
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
                let edit = Edit::UpdateTag {
                    name: def.name.clone(),
                    def: recoloured,
                };
                self.edit(edit, Reach::AnyRows)?;
                self.status = format!("New colour for {:?}", def.name);
            }
            Command::DeleteTag(tag) => {
                let Some(name) = name_of(tag) else {
                    return Ok(());
                };
                self.edit(Edit::DeleteTag(name.clone()), Reach::AnyRows)?;
                // Tag ids were renumbered: a filter on a tag no longer means the same tag.
                self.filter.tag = None;
                self.status = format!("Deleted tag {name:?} (Ctrl+Z brings it back)");
            }
            Command::SetAudit(text) => {
                self.edit(Edit::SetAudit(text), Reach::NoRows)?;
                self.status = "Audit checklist saved".into();
            }
            Command::SetHlp { subject, accuracy } => {
                let status = match accuracy {
                    Some(a) => format!("HLP of {subject} set to {:.1} %", a * 100.0),
                    None => format!("HLP of {subject} cleared"),
                };
                self.edit(Edit::SetHlp { subject, accuracy }, Reach::NoRows)?;
                self.status = status;
            }
            Command::SetRating { subject, rating } => {
                let status = format!("Rated {subject}");
                self.edit(Edit::SetRating { subject, rating }, Reach::NoRows)?;
                self.status = status;
            }
            Command::Undo | Command::Redo => {
                let undo = command == Command::Undo;
                let edit = if undo { Edit::Undo } else { Edit::Redo };
                let replayed = self.edit(edit, Reach::AnyRows)?;
                self.status = match (replayed.is_empty(), undo) {
                    (true, true) => "Nothing to undo".into(),
                    (true, false) => "Nothing to redo".into(),
                    (false, true) => format!("Undid: {}", replayed.description),
                    (false, false) => format!("Redid: {}", replayed.description),
                };
            }
            // Commands that only move through the table are handled by `apply`.
            Command::Select(_)
            | Command::Next
            | Command::Previous
            | Command::MoveBy(_)
            | Command::First
            | Command::Last
            | Command::NextUnreviewedError
            | Command::ToggleHotkey(_)
            | Command::MarkReviewedAndNext
            | Command::GoTo(_)
            | Command::Sort(_)
            | Command::SetFlagRule(_)
            | Command::SetHiddenColumns(_)
            | Command::SetFilter(_)
            | Command::ReviewLabel(_)
            | Command::ShowCorrectedLabels(_)
            | Command::SetHlpPreference(_)
            | Command::Drift(_)
            | Command::Slices(_)
            | Command::RunAudit => {}
        }
        Ok(())
    }

    /// Applies an edit to the project, then brings the figures and the shown rows up to
    /// date: the analysis from its running counts, the audit when its spec changed, the
    /// edited row's place in the table (or the whole filter when any row may have moved).
    fn edit(&mut self, edit: Edit, reach: Reach) -> Result<Committed, StoreError> {
        let committed = self.project.apply(edit)?;
        if committed.is_empty() {
            return Ok(committed);
        }
        let labels_changed = committed
            .ops
            .iter()
            .any(|op| matches!(op, Op::SetLabelReview { .. }));
        if labels_changed && self.project.shows_corrected_labels() {
            // The corrected set itself changed: every figure follows it.
            self.project.show_corrected_labels(true);
            self.recompute();
            return Ok(committed);
        }
        self.refresh_figures(labels_changed);
        if committed
            .ops
            .iter()
            .any(|op| matches!(op, Op::SetAudit { .. }))
        {
            self.run_audit();
        }
        let follows = self.filter.unreviewed_only
            || self.filter.tag.is_some()
            || self.filter.untagged
            || self.order.follows_edits();
        match reach {
            _ if !follows => {}
            Reach::SelectedRow(row) => self.update_membership(row),
            Reach::AnyRows => self.refilter(),
            Reach::NoRows => {}
        }
        Ok(committed)
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
    fn edits_made_while_the_figures_are_computed_are_in_them_when_they_arrive() {
        let (_dir, mut s) = session();
        // Nothing takes the figures in before a poll: until then they are being computed.
        assert!(s.figures_state().is_computing());
        assert!(s.figures().is_none() && s.report().is_none());
        s.apply(Command::ToggleHotkey(1)).unwrap();
        s.apply(Command::MarkReviewedAndNext).unwrap();
        s.apply(Command::SetHlp {
            subject: Subject::Tag("blur".into()),
            accuracy: Some(0.95),
        })
        .unwrap();
        let arrived = s.wait_for_figures().unwrap().analysis.clone();
        let p = &s.project;
        let blur = arrived.tags.iter().find(|t| t.tag == "blur").unwrap();
        assert_eq!(blur.n, 2, "the tag added meanwhile");
        assert_eq!(blur.hlp, Some(0.95), "the HLP entered meanwhile");
        assert!(arrived.reviewed_rows > 0, "the rows reviewed meanwhile");
        // Every figure, as computed now over the project.
        let mut fresh = crate::model::Analysis::compute(&p.dataset.set, &p.book, p.inputs());
        fresh.set_corrections(p.given_set(), &p.label_corrections());
        assert_eq!(
            serde_json::to_value(&arrived).unwrap(),
            serde_json::to_value(&fresh).unwrap()
        );
        assert!(s.report().is_some());
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
