//! A project opened for work: the project file, its dataset loaded and reconciled with the
//! stored tags by row id, and what the analyst added (tag definitions, notes, entered values,
//! the audit checklist) held in memory. What the CLI and the app operate on.
//!
//! Every change goes through [`Project::apply`]: the store commits the edit and returns the
//! operations it applied, and the same operations are mirrored into the tag book and the
//! cached values, so memory and file never disagree and no edit re-reads the project.

use std::path::{Path, PathBuf};

use polars::prelude::PlHashMap;
use rayon::prelude::*;

use super::audit_spec::{self, AuditSpecError};
use super::load::{Dataset, load, load_without_tags};
use super::mapping::MappingRequest;
use super::progress::{Progress, Step};
use super::store::{Committed, DatasetRecord, LabelReview, Op, Store, StoreError, TagDef};
use crate::model::Ids;
use crate::model::TagBook;
use crate::model::analysis::ManualInputs;
use crate::model::audit::AuditSpec;
use crate::model::hlp::Subject;
use crate::model::priorities::Rating;

/// How many ids a message lists.
const EXAMPLES: usize = 5;

#[derive(Debug)]
pub struct Project {
    pub store: Store,
    /// The dataset path as resolved (relative to the project, or the absolute fallback).
    pub dataset_path: PathBuf,
    pub dataset: Dataset,
    /// Tags and reviewed marks from the project file, on the dataset's rows.
    pub book: TagBook,
    /// Problems found while reconciling (dataset changed, ids no longer in the dataset).
    pub warnings: Vec<String>,
    /// Tag definitions as stored, in name order (the tag book's order).
    tag_defs: Vec<TagDef>,
    /// Notes by row id.
    notes: PlHashMap<String, String>,
    /// Entered HLP values and ratings.
    inputs: ManualInputs,
    /// The audit checklist's spec text (TOML).
    audit_text: Option<String>,
    /// Corrected or confirmed labels by row id.
    label_reviews: PlHashMap<String, LabelReview>,
    /// While figures are shown with corrected labels, the set with the labels as given
    /// (`dataset.set` then holds the corrected one).
    given: Option<std::sync::Arc<crate::model::EvalSet>>,
}

/// What the analyst says about a row's ground truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabelVerdict {
    /// The right label is this one.
    Corrected(String),
    /// The given label is right.
    Confirmed,
    /// Take back a correction or confirmation.
    Cleared,
}

/// A change to a project, as the CLI and the app ask for it. [`Project::apply`] commits it
/// as one undoable edit (undo and redo replay one).
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Put tags on rows, given as (row id, tag) pairs; `create` first defines the tags that
    /// do not exist yet, in the same edit.
    Assign {
        pairs: Vec<(String, String)>,
        create: bool,
    },
    /// Take a tag off rows.
    Unassign {
        tag: String,
        rows: Vec<String>,
    },
    MarkReviewed {
        rows: Vec<String>,
        reviewed: bool,
    },
    /// Set (or with `None` remove) a row's note.
    SetNote {
        row: String,
        note: Option<String>,
    },
    /// Define a tag with the next palette colour and the first free hotkey.
    CreateTag(String),
    /// Change a tag's name, colour, hotkey or description.
    UpdateTag {
        name: String,
        def: TagDef,
    },
    /// Delete a tag and its assignments.
    DeleteTag(String),
    /// Save (or with `None` remove) the audit checklist; the spec is checked against the
    /// dataset first.
    SetAudit(Option<String>),
    SetHlp {
        subject: Subject,
        accuracy: Option<f64>,
    },
    SetRating {
        subject: Subject,
        rating: Option<Rating>,
    },
    /// Correct or confirm a row's ground truth (kept in the project; the dataset file is
    /// never changed), recording who and when.
    ReviewLabel {
        row: String,
        verdict: LabelVerdict,
    },
    Undo,
    Redo,
}

/// Who is recording an edit: the login name, as the system gives it.
fn current_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.trim().is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The default project file for a dataset: `<folder>.errata` beside a dataset folder,
/// `<table stem>.errata` beside a table file. Never inside the dataset folder.
pub fn default_project_path(dataset: &Path) -> PathBuf {
    let trimmed: PathBuf = dataset.components().collect();
    if dataset.is_dir() {
        let name = trimmed
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "dataset".into());
        trimmed.with_file_name(format!("{name}.errata"))
    } else {
        trimmed.with_extension("errata")
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `target` relative to `from` (a folder), both absolute, when they share a root.
fn relative_to(target: &Path, from: &Path) -> PathBuf {
    let (t, f): (Vec<_>, Vec<_>) = (target.components().collect(), from.components().collect());
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

fn record_for(
    project: &Path,
    dataset_path: &Path,
    dataset: &Dataset,
    request: &MappingRequest,
) -> DatasetRecord {
    let project_dir = absolute(project)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let dataset_abs = absolute(dataset_path);
    DatasetRecord {
        relative_path: relative_to(&dataset_abs, &project_dir),
        absolute_path: dataset_abs,
        fingerprint: dataset.fingerprint.clone(),
        mapping: MappingRequest {
            task: Some(dataset.set.task),
            ..request.clone()
        },
    }
}

/// Where an assembled project's tag book comes from.
enum Tags {
    /// The dataset's own: a project just made from it holds exactly its tags.
    Book(TagBook),
    /// The project file's assignments, their row ids and tag ids, matched to rows by id
    /// (`Ids::rows_of`, with the lookup the load's check for repeated ids decided).
    Assignments(Ids, Vec<i64>),
}

impl Project {
    /// Creates a project for a dataset; the tags column, if any, becomes the initial tags.
    pub fn init(
        dataset_path: &Path,
        request: &MappingRequest,
        project_path: &Path,
    ) -> Result<Project, StoreError> {
        if project_path.exists() {
            return Err(StoreError::Exists(project_path.to_path_buf()));
        }
        let dataset = load(dataset_path, request)?;
        Project::create(dataset_path, dataset, request, project_path)
    }

    /// Creates a project for a dataset already loaded with `request` (as the column-mapping
    /// dialog has it), without reading the table again.
    pub fn create(
        dataset_path: &Path,
        dataset: Dataset,
        request: &MappingRequest,
        project_path: &Path,
    ) -> Result<Project, StoreError> {
        if project_path.exists() {
            return Err(StoreError::Exists(project_path.to_path_buf()));
        }
        let record = record_for(project_path, dataset_path, &dataset, request);
        let tags: Vec<TagDef> = dataset
            .tags
            .names()
            .iter()
            .enumerate()
            .map(|(i, name)| TagDef {
                name: name.clone(),
                color: super::store::PALETTE[i % super::store::PALETTE.len()].to_string(),
                hotkey: (i < 9).then_some(i as u8 + 1),
                description: String::new(),
            })
            .collect();
        // In row order: ids usually grow with the rows, and the store writes them fastest
        // in the order of their text.
        let mut rows_tags: Vec<(u32, usize)> = (0..dataset.tags.names().len())
            .flat_map(|tag| {
                dataset
                    .tags
                    .rows(tag)
                    .into_iter()
                    .map(move |row| (row, tag))
            })
            .collect();
        rows_tags.par_sort_unstable();
        let assignments: Vec<(&str, usize)> = rows_tags
            .into_iter()
            .map(|(row, tag)| (dataset.set.ids.get(row as usize), tag))
            .collect();
        let store = Store::create(project_path, &record, &tags, &assignments)?;
        // The new file holds exactly the dataset's tags, so its tag book is the dataset's:
        // no need to match every assignment back to its row by id.
        let same_tags = store
            .tag_ids()?
            .iter()
            .map(|(_, name)| name)
            .eq(dataset.tags.names());
        let tags = match same_tags {
            true => Tags::Book(dataset.tags.clone()),
            false => {
                let (ids, tags) = store.assignments_by_tag_id()?;
                Tags::Assignments(ids, tags)
            }
        };
        Project::assemble(store, dataset_path.to_path_buf(), dataset, &record, tags)
    }

    pub fn open(path: &Path) -> Result<Project, StoreError> {
        Project::open_with(path, &Progress::default())
    }

    /// [`Project::open`], reporting its steps to `progress` and stopping between them if
    /// cancelled.
    pub fn open_with(path: &Path, progress: &Progress) -> Result<Project, StoreError> {
        let store = Store::open(path)?;
        let record = store.dataset()?;
        let project_dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let relative = project_dir.join(&record.relative_path);
        let dataset_path = if relative.exists() {
            relative
        } else if record.absolute_path.exists() {
            record.absolute_path.clone()
        } else {
            return Err(StoreError::DatasetMoved {
                project: path.to_path_buf(),
                relative,
                absolute: record.absolute_path,
            });
        };
        // Its tags are the file's: the dataset's tags column made them once, at creation.
        // They are read while the dataset loads, which seldom keeps every core busy.
        let (dataset, (store, assignments)) = std::thread::scope(|scope| {
            let reading = scope.spawn(move || {
                let assignments = store.assignments_by_tag_id();
                (store, assignments)
            });
            let dataset = load_without_tags(&dataset_path, &record.mapping, progress);
            let read = reading
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (dataset, read)
        });
        let dataset = dataset?;
        progress.enter(Step::ReadingTags)?;
        let (ids, tags) = assignments?;
        Project::assemble(
            store,
            dataset_path,
            dataset,
            &record,
            Tags::Assignments(ids, tags),
        )
    }

    /// The project from its store and its loaded dataset, with its tag book from `tags`.
    fn assemble(
        store: Store,
        dataset_path: PathBuf,
        dataset: Dataset,
        record: &DatasetRecord,
        tags: Tags,
    ) -> Result<Project, StoreError> {
        let mut warnings = dataset.warnings.clone();
        if dataset.fingerprint != record.fingerprint {
            warnings.push(format!(
                "the dataset changed since the project was made (was {} bytes, xxh3 {}; now {} bytes, xxh3 {}); tags are matched to rows by id",
                record.fingerprint.bytes, record.fingerprint.xxh3, dataset.fingerprint.bytes, dataset.fingerprint.xxh3
            ));
        }
        let (inputs, damage) = store.manual_inputs()?;
        for problem in damage.into_iter().chain(store.damaged_hotkeys()?) {
            warnings.push(format!("the project is damaged: {problem}"));
        }
        let mut project = Project {
            book: TagBook::new(dataset.set.len()),
            tag_defs: store.tags()?,
            notes: store.notes()?.into_iter().collect(),
            inputs,
            audit_text: store.audit_spec()?,
            label_reviews: store.label_reviews()?.into_iter().collect(),
            given: None,
            store,
            dataset_path,
            dataset,
            warnings,
        };
        match tags {
            Tags::Book(book) => project.book = book,
            Tags::Assignments(ids, tags) => project.reload_book(&ids, &tags)?,
        }
        Ok(project)
    }

    /// Commits one edit and mirrors the operations it applied into the tag book and the
    /// cached values. Returns what was committed: no operations when nothing changed (or
    /// there was nothing to undo or redo). On error nothing changed, in the file or here.
    pub fn apply(&mut self, edit: Edit) -> Result<Committed, StoreError> {
        let store = &mut self.store;
        let committed = match edit {
            Edit::Assign { pairs, create } => store.import_assignments(&pairs, create)?,
            Edit::Unassign { tag, rows } => {
                store.remove_tag(&tag, &rows.iter().map(String::as_str).collect::<Vec<_>>())?
            }
            Edit::MarkReviewed { rows, reviewed } => store.set_reviewed(
                &rows.iter().map(String::as_str).collect::<Vec<_>>(),
                reviewed,
            )?,
            Edit::SetNote { row, note } => store.set_note(&row, note.as_deref())?,
            Edit::CreateTag(name) => store.create_tag_named(name.trim())?,
            Edit::UpdateTag { name, def } => store.update_tag(&name, def)?,
            Edit::DeleteTag(name) => store.delete_tag(&name)?,
            Edit::SetAudit(text) => {
                if let Some(text) = &text {
                    self.check_audit(text)?;
                }
                self.store.set_audit_spec(text.as_deref())?
            }
            Edit::SetHlp { subject, accuracy } => store.set_hlp(&subject, accuracy)?,
            Edit::SetRating { subject, rating } => store.set_rating(&subject, rating)?,
            Edit::ReviewLabel { row, verdict } => {
                let set = self.given.as_deref().unwrap_or(&self.dataset.set);
                let given = set.ids.row(&row).map(|r| set.label_text(r).to_string());
                let label = match verdict {
                    LabelVerdict::Cleared => None,
                    LabelVerdict::Confirmed => Some(None),
                    // Correcting a label to itself confirms it.
                    LabelVerdict::Corrected(l) if Some(l.trim()) == given.as_deref() => Some(None),
                    LabelVerdict::Corrected(l) => Some(Some(l.trim().to_string())),
                };
                let review = label.map(|label| LabelReview {
                    label,
                    author: current_user(),
                    at: crate::report::generated_now(),
                });
                store.set_label_review(&row, review)?
            }
            Edit::Undo => store.undo()?.unwrap_or_default(),
            Edit::Redo => store.redo()?.unwrap_or_default(),
        };
        self.mirror(&committed.ops);
        Ok(committed)
    }

    /// Brings the tag book and the cached values in line with operations the store has
    /// just applied: O(rows the operations name), never a read of the project.
    fn mirror(&mut self, ops: &[Op]) {
        let set = &self.dataset.set;
        let book = &mut self.book;
        for op in ops {
            match op {
                Op::Assign { tag, rows } | Op::Unassign { tag, rows } => {
                    let Some(id) = book.id(tag) else {
                        continue;
                    };
                    for row in rows.iter().filter_map(|r| set.ids.row(r)) {
                        if matches!(op, Op::Assign { .. }) {
                            book.assign(set, id, row);
                        } else {
                            book.unassign(set, id, row);
                        }
                    }
                }
                Op::MarkReviewed { rows, reviewed } => {
                    for row in rows.iter().filter_map(|r| set.ids.row(r)) {
                        book.set_marked(set, row, *reviewed);
                    }
                }
                Op::DefineTag(def) => {
                    book.define_in_order(&def.name);
                    let at = self.tag_defs.partition_point(|d| d.name < def.name);
                    self.tag_defs.insert(at, def.clone());
                }
                Op::DropTag { name } => {
                    if let Some(id) = book.id(name) {
                        book.remove(set, id);
                    }
                    self.tag_defs.retain(|d| &d.name != name);
                }
                Op::UpdateTag { name, def } => {
                    if let Some(id) = book.id(name) {
                        book.rename(id, &def.name);
                    }
                    self.tag_defs.retain(|d| &d.name != name);
                    let at = self.tag_defs.partition_point(|d| d.name < def.name);
                    self.tag_defs.insert(at, def.clone());
                }
                Op::SetNote { row, note } => match note {
                    Some(text) => {
                        self.notes.insert(row.clone(), text.clone());
                    }
                    None => {
                        self.notes.remove(row);
                    }
                },
                Op::SetAudit { spec } => self.audit_text = spec.clone(),
                Op::SetLabelReview { row, review } => match review {
                    Some(r) => {
                        self.label_reviews.insert(row.clone(), r.clone());
                    }
                    None => {
                        self.label_reviews.remove(row);
                    }
                },
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
    }

    /// Tag definitions (colour, hotkey, description), in name order: the tag book's order.
    pub fn tag_defs(&self) -> &[TagDef] {
        &self.tag_defs
    }

    /// The definition of the tag called `name`.
    pub fn tag_def(&self, name: &str) -> Option<&TagDef> {
        self.tag_defs.iter().find(|d| d.name == name)
    }

    /// Which measured HLP to use when both human labels and annotators give one; kept in
    /// the project's view state.
    pub fn set_hlp_preference(
        &mut self,
        prefer: crate::model::hlp::HlpPreference,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(&prefer).unwrap_or_default();
        self.store.set_view_state(super::store::HLP_FROM, &text)?;
        self.inputs.hlp_from = prefer;
        Ok(())
    }

    /// Adds the media's input metrics as slice columns (once measured): every figure, filter
    /// and audit can then cut by them. The tags are counted again over the new set.
    pub fn add_input_slices(&mut self, slices: Vec<crate::model::SliceColumn>) {
        if slices.is_empty() {
            return;
        }
        if let Some(given) = &self.given {
            self.given = Some(std::sync::Arc::new(given.with_slices(slices.clone())));
        }
        self.dataset.set = std::sync::Arc::new(self.dataset.set.with_slices(slices));
        self.book = self.book.recounted(&self.dataset.set);
    }

    /// The current set paired with this project's dataset for drift, and the choices made
    /// (tests, thresholds, window, alarm bounds); kept in the project's view state.
    pub fn drift_settings(&self) -> DriftSettings {
        self.store
            .view_state(DRIFT_SETTINGS)
            .ok()
            .flatten()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn set_drift_settings(&mut self, settings: &DriftSettings) -> Result<(), StoreError> {
        let text = serde_json::to_string(settings).unwrap_or_default();
        self.store.set_view_state(DRIFT_SETTINGS, &text)
    }

    /// The slice search last run on this project (parameters, error, features), when any;
    /// reports then include what it finds.
    pub fn slice_search(&self) -> Option<crate::model::slice_finder::Search> {
        self.store
            .view_state(SLICE_SEARCH)
            .ok()
            .flatten()
            .and_then(|text| serde_json::from_str(&text).ok())
    }

    pub fn set_slice_search(
        &mut self,
        search: &crate::model::slice_finder::Search,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(search).unwrap_or_default();
        self.store.set_view_state(SLICE_SEARCH, &text)
    }

    /// The label review (correction or confirmation) of the row with this id.
    pub fn label_review(&self, id: &str) -> Option<&LabelReview> {
        self.label_reviews.get(id)
    }

    /// Every label review, by row id.
    pub fn label_reviews(&self) -> impl Iterator<Item = (&str, &LabelReview)> {
        self.label_reviews.iter().map(|(id, r)| (id.as_str(), r))
    }

    /// The set with the labels as given (also while corrected labels are shown).
    pub fn given_set(&self) -> &crate::model::EvalSet {
        self.given.as_deref().unwrap_or(&self.dataset.set)
    }

    /// Whether figures are shown with the corrected labels.
    pub fn shows_corrected_labels(&self) -> bool {
        self.given.is_some()
    }

    /// Shows every figure with the corrected labels in place of the given ones (or back):
    /// the dataset's set is replaced by the corrected one and the tags are counted again
    /// over it. The dataset file is never changed. Called again after a label review while
    /// corrected labels are shown, it applies the new one.
    pub fn show_corrected_labels(&mut self, corrected: bool) {
        let given = self
            .given
            .take()
            .unwrap_or_else(|| self.dataset.set.clone());
        if corrected {
            let set = given.with_corrected_labels(&self.label_corrections_of(&given));
            self.dataset.set = std::sync::Arc::new(set);
            self.given = Some(given);
        } else {
            self.dataset.set = given;
        }
        self.book = self.book.recounted(&self.dataset.set);
    }

    /// The reviews of rows in the dataset as (row, corrected label's code): `None` for a
    /// confirmed label, [`MISSING`](crate::model::MISSING) for a label no row has.
    pub fn label_corrections(&self) -> Vec<(usize, Option<u32>)> {
        self.label_corrections_of(self.given_set())
    }

    fn label_corrections_of(&self, set: &crate::model::EvalSet) -> Vec<(usize, Option<u32>)> {
        let mut out: Vec<(usize, Option<u32>)> = self
            .label_reviews
            .iter()
            .filter_map(|(id, review)| {
                let row = set.ids.row(id)?;
                let code = review.label.as_ref().map(|l| {
                    set.vocab
                        .iter()
                        .position(|v| v == l)
                        .map_or(crate::model::MISSING, |c| c as u32)
                });
                Some((row, code))
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// The note on the row with this id.
    pub fn note(&self, id: &str) -> Option<&str> {
        self.notes.get(id).map(String::as_str)
    }

    /// Entered HLP values and ratings.
    pub fn inputs(&self) -> &ManualInputs {
        &self.inputs
    }

    /// The audit checklist's spec text, if one was saved.
    pub fn audit_text(&self) -> Option<&str> {
        self.audit_text.as_deref()
    }

    /// Where messages about the stored audit checklist point.
    pub fn audit_source(&self) -> PathBuf {
        let mut name = self.store.path().as_os_str().to_owned();
        name.push(" (audit checklist)");
        name.into()
    }

    /// Checks audit spec text against the dataset: the parsed spec, or the first problem
    /// with its line.
    pub fn check_audit(&self, text: &str) -> Result<AuditSpec, AuditSpecError> {
        audit_spec::parse_checked(text, &self.audit_source(), &self.dataset.set, &self.book)
    }

    /// The stored audit checklist, checked against the dataset; `None` without one.
    pub fn audit_checklist(&self) -> Option<Result<AuditSpec, AuditSpecError>> {
        self.audit_text
            .as_deref()
            .map(|text| self.check_audit(text))
    }

    /// Rebuilds the tag book from the project file's assignments (row ids and their tag ids)
    /// and reviewed marks. Assignments and marks whose row id is no longer in the dataset
    /// stay in the file and are reported, never dropped.
    fn reload_book(&mut self, row_ids: &Ids, assigned_tags: &[i64]) -> Result<(), StoreError> {
        let set = &self.dataset.set;
        let mut book = TagBook::new(set.len());
        let mut orphans: Vec<String> = Vec::new();
        let mut orphan_count = 0;
        let tag_ids = self.store.tag_ids()?;
        let mut by_store_id: PlHashMap<i64, usize> = PlHashMap::default();
        for (store_id, name) in &tag_ids {
            by_store_id.insert(*store_id, book.define(name));
        }
        // Assignments to a tag id the tags table lacks: only a file edited by hand has them.
        let (mut untagged, mut untagged_ids) = (0usize, Vec::new());
        let rows = set.ids.rows_of(row_ids);
        for ((row_id, store_id), row) in row_ids.iter().zip(assigned_tags).zip(rows) {
            match (row, by_store_id.get(store_id)) {
                (Some(row), Some(&tag)) => {
                    book.assign(set, tag, row);
                }
                (_, None) => {
                    untagged += 1;
                    if untagged_ids.len() < EXAMPLES && !untagged_ids.contains(store_id) {
                        untagged_ids.push(*store_id);
                    }
                }
                (None, Some(_)) => {
                    orphan_count += 1;
                    if orphans.len() < EXAMPLES && !orphans.iter().any(|o| o == row_id) {
                        orphans.push(row_id.to_string());
                    }
                }
            }
        }
        if untagged > 0 {
            let ids: Vec<String> = untagged_ids.iter().map(i64::to_string).collect();
            self.warnings.push(format!(
                "the project is damaged: {untagged} rows of table assignments refer to tag ids \
                 that table tags does not define (ids {}); they are not used",
                ids.join(", ")
            ));
        }
        for row_id in self.store.reviewed()? {
            match set.ids.row(&row_id) {
                Some(row) => {
                    book.set_marked(set, row, true);
                }
                None => {
                    orphan_count += 1;
                    if orphans.len() < EXAMPLES && !orphans.contains(&row_id) {
                        orphans.push(row_id);
                    }
                }
            }
        }
        if orphan_count > 0 {
            self.warnings.push(format!(
                "{orphan_count} tags or reviewed marks refer to ids that are not in the dataset (first: {}); they are kept in the project file",
                orphans.join(", ")
            ));
        }
        self.book = book;
        Ok(())
    }

    /// Fails with the unknown ids (count and first few) unless every id is a dataset row.
    pub fn check_ids(&self, ids: &[&str]) -> Result<(), StoreError> {
        let set = &self.dataset.set;
        let unknown: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| set.ids.row(id).is_none())
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(StoreError::UnknownIds {
            path: self.store.path().to_path_buf(),
            count: unknown.len(),
            first: unknown
                .iter()
                .take(EXAMPLES)
                .map(|s| s.to_string())
                .collect(),
        })
    }

    /// Points the project at the dataset in its new place; returns how many stored ids are
    /// not in it.
    pub fn relocate(path: &Path, new_dataset: &Path) -> Result<Project, StoreError> {
        let mut store = Store::open(path)?;
        let record = store.dataset()?;
        let dataset = load_without_tags(new_dataset, &record.mapping, &Progress::default())?;
        store.set_dataset(&record_for(path, new_dataset, &dataset, &record.mapping))?;
        drop(store);
        Project::open(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_folders() {
        assert_eq!(
            relative_to(Path::new("/a/b/data"), Path::new("/a/b")),
            PathBuf::from("data")
        );
        assert_eq!(
            relative_to(Path::new("/a/data"), Path::new("/a/b/c")),
            PathBuf::from("../../data")
        );
    }

    #[test]
    fn default_project_sits_beside_the_dataset() {
        assert_eq!(
            default_project_path(Path::new("sample_data/speech/")),
            PathBuf::from("sample_data/speech.errata")
        );
        assert_eq!(
            default_project_path(Path::new("x/eval.csv")),
            PathBuf::from("x/eval.errata")
        );
    }
}

/// The view-state key of the kept slice search.
const SLICE_SEARCH: &str = "slices";

/// The view-state key of [`DriftSettings`].
const DRIFT_SETTINGS: &str = "drift";

/// A drift comparison kept in a project: the current set (an absolute path, so the project
/// opens it from anywhere), its time column, and the options.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DriftSettings {
    pub current: Option<std::path::PathBuf>,
    pub time: Option<String>,
    pub options: crate::model::drift::analysis::DriftOptions,
    /// Measure the media's input metrics too.
    pub media_metrics: bool,
}
