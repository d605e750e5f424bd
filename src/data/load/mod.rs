//! From a dataset path and the user's mapping to an [`EvalSet`]: labels, predictions and
//! slices become integer codes, media paths are checked, problems become messages.
//! Independent columns are processed in parallel.

mod current;
mod parts;

pub use current::{ReferenceSource, load_current, load_reference};
pub use parts::{CountedDataset, PART_ROWS, PARTS_FROM_ROWS, count_in_parts, parts_for};

use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;
use rayon::prelude::*;

use super::encode::{Dictionary, Encoded, detect_task};
use super::error::LoadError;
use super::mapping::{ColumnRoles, MappingRequest, resolve_roles};
use super::media;
use super::progress::{Progress, Step};
use super::slice_plan::{SliceRule, by_value};
use super::slicing::{SliceSource, finite_or_empty, parse_number, slice_column};
use super::table::{
    self, Column, Delimited, Fingerprint, KeptColumns, NO_VALUE, ReadTable, Storage, Table,
    TableFile, TextColumn, TextRef,
};
use crate::model::classes::CLASSES_SHOWN;
use crate::model::drift::monitor::parse_time;
use crate::model::{
    Annotators, ClassProbabilities, EvalSet, EvalSetParts, Ids, MISSING, SliceColumn, TagBook, Task,
};

/// How many examples a warning or error lists.
const EXAMPLES: usize = 5;

/// How far a row's class probabilities may sum from 1 before they are renormalised.
const PROBABILITY_SUM_TOLERANCE: f64 = 1e-6;

/// A loaded evaluation set with everything known about where it came from.
#[derive(Debug)]
pub struct Dataset {
    pub table: TableFile,
    pub fingerprint: Fingerprint,
    /// The roles as used: `slices` holds only the columns that became slices.
    pub roles: ColumnRoles,
    /// Shared with background work (the whole-table orders); it never changes once loaded.
    pub set: Arc<EvalSet>,
    /// Tags read from the tags column.
    pub tags: TagBook,
    /// Media path per row, relative to `table.root`.
    pub media: Option<Vec<Option<String>>>,
    /// Each row's time in seconds since the epoch (UTC), when a time column is mapped.
    pub times: Option<Vec<Option<i64>>>,
    /// Rows of the table left out (empty label), with the reason in `warnings`.
    pub excluded_rows: usize,
    pub missing_media: usize,
    /// Problems that did not stop loading; each is also reflected in the report.
    pub warnings: Vec<String>,
    /// Information about choices made (for example, a column not used as a slice).
    pub notes: Vec<String>,
    /// How a delimited text table was split; `None` for Parquet and JSON Lines.
    pub delimited: Option<Delimited>,
}

pub fn load(path: &Path, request: &MappingRequest) -> Result<Dataset, LoadError> {
    load_with(path, request, &Progress::default())
}

/// [`load`], reporting its steps to `progress` and stopping between them if cancelled.
pub fn load_with(
    path: &Path,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<Dataset, LoadError> {
    load_reading(path, request, TagsColumn::Read, progress)
}

/// [`load_with`] for a project, whose tags come from its own file: the dataset's tags
/// column keeps its role (it is no slice, nor compared for drift) but is not read, and the
/// dataset's tag book is empty.
pub fn load_without_tags(
    path: &Path,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<Dataset, LoadError> {
    load_reading(path, request, TagsColumn::Unread, progress)
}

fn load_reading(
    path: &Path,
    request: &MappingRequest,
    tags: TagsColumn,
    progress: &Progress,
) -> Result<Dataset, LoadError> {
    let (table, read, roles) = read_with_roles(path, request, 0, tags, progress)?;
    build(&table, read, roles?, request, tags, progress)
}

/// Whether a load reads the tags column into the dataset's tag book.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagsColumn {
    Read,
    Unread,
}

/// Reads the table keeping the columns the request's roles use; the roles, or why the
/// columns do not fit the request, come with it (a table that cannot be read fails first).
fn read_with_roles(
    path: &Path,
    request: &MappingRequest,
    head_rows: usize,
    tags: TagsColumn,
    progress: &Progress,
) -> Result<(TableFile, ReadTable, Result<ColumnRoles, LoadError>), LoadError> {
    let mut roles = None;
    let (table, read) = read_table(
        path,
        request,
        &mut |table, names| match resolve_roles(table, names, request) {
            Ok(resolved) => {
                let mut kept = kept_columns(&resolved);
                if tags == TagsColumn::Unread {
                    kept.retain(|(name, _)| Some(name) != resolved.tags.as_ref());
                }
                roles = Some(Ok(resolved));
                kept
            }
            Err(e) => {
                roles = Some(Err(e));
                Vec::new()
            }
        },
        head_rows,
        progress,
    )?;
    let roles = roles.unwrap_or_else(|| resolve_roles(&table.path, read.table.names(), request));
    Ok((table, read, roles))
}

/// The columns a load keeps for `roles`: those whose values rarely repeat in one buffer,
/// the others a value per distinct value.
fn kept_columns(roles: &ColumnRoles) -> KeptColumns {
    let plain = [&roles.id, &roles.media, &roles.time].into_iter().flatten();
    let distinct = [
        &roles.human,
        &roles.baseline,
        &roles.tags,
        &roles.confidence,
    ]
    .into_iter()
    .flatten()
    .chain(&roles.probabilities)
    .chain([&roles.label, &roles.prediction])
    .chain(&roles.annotators)
    .chain(&roles.slices);
    plain
        .map(|c| (c.clone(), Storage::Plain))
        .chain(distinct.map(|c| (c.clone(), Storage::Distinct)))
        .collect()
}

/// What the column-mapping dialog shows: the table's columns and first rows as they are in
/// the file, and the dataset as the current mapping loads it (or why it does not).
#[derive(Debug)]
pub struct Preview {
    pub columns: Vec<String>,
    /// The first rows, every cell as text.
    pub head: Vec<Vec<String>>,
    /// How a CSV/TSV table was split into fields.
    pub delimited: Option<Delimited>,
    pub dataset: Result<Dataset, LoadError>,
    /// The media files of a sample of rows, probed (header only) so that an unsupported or
    /// broken file is found before a review session, not row by row.
    pub media_check: Option<media::MediaCheck>,
}

/// How many rows' media files the mapping dialog probes.
const MEDIA_SAMPLE: usize = 32;

/// Probes the media of up to [`MEDIA_SAMPLE`] rows spread over the dataset.
fn probe_sample(dataset: &Dataset) -> Option<media::MediaCheck> {
    let paths = dataset.media.as_ref()?;
    let step = (paths.len() / MEDIA_SAMPLE).max(1);
    let rows: Vec<usize> = (0..paths.len()).step_by(step).take(MEDIA_SAMPLE).collect();
    let root = dataset.table.root.canonicalize().ok()?;
    Some(media::check(&root, paths, &rows))
}

/// Fails only when the table itself cannot be read; a mapping that does not fit it is
/// reported in [`Preview::dataset`], so the user can choose other columns.
pub fn preview(
    path: &Path,
    request: &MappingRequest,
    rows: usize,
    progress: &Progress,
) -> Result<Preview, LoadError> {
    let (table, mut read, roles) =
        read_with_roles(path, request, rows, TagsColumn::Read, progress)?;
    let columns = read.table.names().to_vec();
    let head = std::mem::take(&mut read.head);
    let delimited = read.delimited;
    let dataset =
        roles.and_then(|roles| build(&table, read, roles, request, TagsColumn::Read, progress));
    if matches!(dataset, Err(LoadError::Cancelled)) {
        return Err(LoadError::Cancelled);
    }
    let media_check = dataset.as_ref().ok().and_then(probe_sample);
    Ok(Preview {
        columns,
        head,
        delimited,
        dataset,
        media_check,
    })
}

/// Locates and reads the table; `choose` picks the columns kept, given the table's path and
/// its column names.
fn read_table(
    path: &Path,
    request: &MappingRequest,
    choose: &mut dyn FnMut(&Path, &[String]) -> KeptColumns,
    head_rows: usize,
    progress: &Progress,
) -> Result<(TableFile, ReadTable), LoadError> {
    progress.enter(Step::ReadingTable)?;
    let table = table::locate(path, request.table.as_deref())?;
    let read = table::read(
        &table,
        request.separator_byte(),
        &mut |names| choose(&table.path, names),
        head_rows,
        progress,
    )?;
    progress.set_rows(read.table.height());
    Ok((table, read))
}

fn build(
    table: &TableFile,
    read: ReadTable,
    roles: ColumnRoles,
    request: &MappingRequest,
    tags: TagsColumn,
    progress: &Progress,
) -> Result<Dataset, LoadError> {
    progress.enter(Step::Encoding)?;
    let loader = Loader {
        table,
        columns: &read.table,
        consume: true,
        decimal_comma: read.delimited.is_some_and(Delimited::decimal_comma),
        first_row: 0,
        part_slices: None,
    };
    let mut dataset = loader.build(roles, request, tags, read.fingerprint)?;
    dataset.delimited = read.delimited;
    Ok(dataset)
}

struct Loader<'a> {
    table: &'a TableFile,
    columns: &'a Table,
    /// Each column is read once, and taken from `columns` when it is, so that the cells
    /// read go as soon as they are encoded.
    consume: bool,
    /// Numbers may be written `0,93` (see [`Delimited::decimal_comma`]).
    decimal_comma: bool,
    /// The table's first row in the file: not 0 when it is one part of a table read in
    /// parts, whose messages name the file's rows.
    first_row: usize,
    /// Set for a part of a table read in parts: how its slice columns are coded.
    part_slices: Option<PartSlices<'a>>,
}

/// How a part of a table read in parts codes its slice columns.
#[derive(Clone, Copy)]
enum PartSlices<'a> {
    /// By the rules decided from every row by a first pass, in the order of the roles'
    /// slices.
    ByRule(&'a [(String, SliceRule)]),
    /// By cell value: the rules are decided once every part is counted.
    ByValue,
}

/// Row numbers in messages count data rows from 1, header excluded.
fn row_number(index: usize) -> usize {
    index + 1
}

fn example_rows(rows: &[usize]) -> String {
    let shown: Vec<String> = rows
        .iter()
        .take(EXAMPLES)
        .map(|&r| row_number(r).to_string())
        .collect();
    let more = if rows.len() > EXAMPLES { ", …" } else { "" };
    format!("{}{more}", shown.join(", "))
}

/// The rows a warning is about: how many, and the first [`EXAMPLES`] (rows of the file,
/// from 0). Lists of the parts of a table read in parts add up.
#[derive(Debug)]
struct RowList<T = usize> {
    count: usize,
    first: Vec<T>,
}

impl<T> Default for RowList<T> {
    fn default() -> Self {
        RowList {
            count: 0,
            first: Vec::new(),
        }
    }
}

impl<T> RowList<T> {
    fn push(&mut self, item: T) {
        self.push_with(|| item);
    }

    /// [`RowList::push`], making the item only when it is one of the first.
    fn push_with(&mut self, item: impl FnOnce() -> T) {
        self.count += 1;
        if self.first.len() < EXAMPLES {
            self.first.push(item());
        }
    }

    /// Adds the rows of a later part of the table.
    fn absorb(&mut self, other: RowList<T>) {
        self.count += other.count;
        let room = EXAMPLES - self.first.len();
        self.first.extend(other.first.into_iter().take(room));
    }

    /// "3, 17, …": the first rows, numbered from 1.
    fn examples(&self, row: impl Fn(&T) -> String) -> String {
        let shown: Vec<String> = self.first.iter().map(row).collect();
        let more = if self.count > EXAMPLES { ", …" } else { "" };
        format!("{}{more}", shown.join(", "))
    }
}

/// What loading left out or found missing, row by row, for the warnings.
#[derive(Debug, Default)]
struct RowIssues {
    no_label: RowList,
    no_prediction: RowList,
    /// Rows are identified by their number.
    no_ids: bool,
    /// (row, the path as written).
    missing_media: RowList<(usize, String)>,
    no_confidence: RowList,
}

impl RowIssues {
    fn absorb(&mut self, other: RowIssues) {
        self.no_label.absorb(other.no_label);
        self.no_prediction.absorb(other.no_prediction);
        self.no_ids |= other.no_ids;
        self.missing_media.absorb(other.missing_media);
        self.no_confidence.absorb(other.no_confidence);
    }

    fn excluded(&self) -> usize {
        self.no_label.count + self.no_prediction.count
    }

    /// The warnings, in the order loading meets them.
    fn warnings(&self, roles: &ColumnRoles) -> Vec<String> {
        let rows = |r: &usize| row_number(*r).to_string();
        let mut warnings = Vec::new();
        for (excluded, column) in [
            (&self.no_label, &roles.label),
            (&self.no_prediction, &roles.prediction),
        ] {
            if excluded.count > 0 {
                warnings.push(format!(
                    "{} rows excluded: empty {column:?} (rows {})",
                    excluded.count,
                    excluded.examples(rows)
                ));
            }
        }
        if self.no_ids {
            warnings.push("no id or media column: rows are identified by their row number, so tags depend on the row order; add an id column".into());
        }
        if self.missing_media.count > 0 {
            let names: Vec<String> = self
                .missing_media
                .first
                .iter()
                .map(|(r, path)| format!("{path} (row {})", row_number(*r)))
                .collect();
            warnings.push(format!(
                "{} media files are missing: {}",
                self.missing_media.count,
                names.join(", ")
            ));
        }
        if let (Some(column), true) = (&roles.confidence, self.no_confidence.count > 0) {
            warnings.push(format!(
                "{} rows have no {column:?} value and are left out of the confidence curves (rows {})",
                self.no_confidence.count,
                self.no_confidence.examples(rows)
            ));
        }
        warnings
    }
}

/// A cell of a numeric column that does not parse as a number.
struct NotANumber {
    row: usize,
    text: String,
}

struct MediaColumn {
    paths: Vec<Option<String>>,
    missing: RowList<(usize, String)>,
}

/// Labels, predictions, human labels and baseline predictions of every row, as codes into
/// one vocabulary, and the task.
struct LabelCodes {
    dictionary: Dictionary,
    labels: Vec<u32>,
    predictions: Vec<u32>,
    human: Option<Vec<u32>>,
    baseline: Option<Vec<u32>>,
    /// Per annotator column, the codes of every table row.
    annotators: Vec<Vec<u32>>,
    task: Task,
}

impl LabelCodes {
    /// The final vocabulary and the codes of the kept rows; a missing transcript
    /// hypothesis is the empty text. `from_file` holds annotators' codes already per kept
    /// row (an annotations file).
    /// Each table-row column is dropped once its kept rows are picked.
    fn finish(mut self, kept: &[usize], from_file: Vec<Vec<u32>>) -> Encoded {
        let empty_text = self.dictionary.code("");
        let pick = |codes: Vec<u32>| -> Vec<u32> { kept.iter().map(|&r| codes[r]).collect() };
        let predictions: Vec<u32> = kept
            .iter()
            .map(|&r| match self.predictions[r] {
                MISSING => empty_text,
                code => code,
            })
            .collect();
        self.predictions = Vec::new();
        let labels = pick(std::mem::take(&mut self.labels));
        let (human, baseline) = (self.human.take().map(pick), self.baseline.take().map(pick));
        let mut annotators: Vec<Vec<u32>> = std::mem::take(&mut self.annotators)
            .into_iter()
            .map(pick)
            .collect();
        annotators.extend(from_file);
        self.dictionary
            .finish([labels, predictions], [human, baseline], annotators)
    }
}

/// Labels detected as classes that look like free text: more classes than a table can show
/// and most of them used once. Transcripts are then better read as such.
fn free_text_warning(
    task: Task,
    classes: usize,
    rows: usize,
    label_column: &str,
) -> Option<String> {
    if task != Task::Classification || classes <= CLASSES_SHOWN || classes * 2 < rows {
        return None;
    }
    Some(format!(
        "column {label_column:?} has {classes} distinct labels in {} rows, so most values are \
         unique: if they are sentences, add --task transcription to score them as transcripts \
         (WER and CER)",
        rows
    ))
}

/// Classes whose names differ only in case, surrounding spaces or Unicode form ("Dog" and
/// "dog", "café" composed and decomposed): they count apart but read alike, so the warning
/// names them distinguishably.
fn look_alike_warning(task: Task, classes: &[String], label_column: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    if task != Task::Classification {
        return None;
    }
    let mut groups: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for name in classes {
        let key = if name.is_ascii() {
            name.trim().to_ascii_lowercase()
        } else {
            name.trim().nfc().collect::<String>().to_lowercase()
        };
        groups.entry(key).or_default().push(name);
    }
    let alike: Vec<String> = groups
        .values()
        .filter(|names| names.len() > 1)
        .map(|names| {
            let shown: Vec<String> = names
                .iter()
                .map(|n| {
                    let decomposed = !n.is_ascii() && n.nfc().collect::<String>() != *n;
                    let n = crate::model::text::visible(n);
                    if decomposed {
                        format!("{n:?} (decomposed Unicode)")
                    } else {
                        format!("{n:?}")
                    }
                })
                .collect();
            shown.join(" / ")
        })
        .collect();
    if alike.is_empty() {
        return None;
    }
    let more = if alike.len() > 3 {
        format!(" and {} more groups", alike.len() - 3)
    } else {
        String::new()
    };
    Some(format!(
        "column {label_column:?} has labels that differ only in case, surrounding spaces or \
         Unicode form, and count as separate classes: {}{more}; if they mean the same class, \
         add --normalize-labels (or tick \"Normalise labels\" in the column mapping)",
        alike.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
    ))
}

/// A label as `--normalize-labels` compares it: trimmed, Unicode NFC, lowercase.
fn normalize_label(label: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    label.trim().nfc().collect::<String>().to_lowercase()
}

/// The text of the label columns, which the vocabulary borrows from.
struct LabelColumns {
    label: TextRef,
    prediction: TextRef,
    human: Option<TextRef>,
    baseline: Option<TextRef>,
    annotators: Vec<TextRef>,
}

/// One line of an annotations file.
struct Annotation {
    line: usize,
    id: String,
    annotator: String,
    label: String,
}

/// A long annotations file (`id,annotator,label`), read whole before the dataset's rows are
/// matched to it.
struct AnnotationsFile {
    path: std::path::PathBuf,
    lines: Vec<Annotation>,
    /// Annotator names in report order.
    annotators: Vec<String>,
}

/// Reads an annotations file; any line it cannot use refuses the whole file, naming the line.
fn read_annotations(path: &Path, normalize: bool) -> Result<AnnotationsFile, LoadError> {
    let bad = |problem: String| LoadError::BadAnnotations {
        path: path.to_path_buf(),
        problem,
    };
    let table = table::locate(path, None)?;
    let mut every = |names: &[String]| {
        names
            .iter()
            .map(|name| (name.clone(), Storage::Plain))
            .collect()
    };
    let read = table::read(&table, None, &mut every, 0, &Progress::default())?;
    let names = read.table.names();
    let column = |wanted: &str| -> Result<TextRef, LoadError> {
        let name = names
            .iter()
            .find(|c| c.trim().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                bad(format!(
                    "no {wanted:?} column (columns found: {})",
                    names.join(", ")
                ))
            })?;
        read.table
            .column(name)?
            .ok_or_else(|| bad(format!("column {name:?} was not read")))?
            .text()
            .map_err(|e| bad(e.to_string()))
    };
    let (ids, annotators, labels) = (column("id")?, column("annotator")?, column("label")?);
    let mut lines = Vec::with_capacity(read.table.height());
    let mut seen: PlHashMap<(String, String), usize> = PlHashMap::default();
    // Data rows start on the second line, after the header.
    for (i, ((id, annotator), label)) in ids
        .iter()
        .zip(annotators.iter())
        .zip(labels.iter())
        .enumerate()
    {
        let line = i + 2;
        let id = id
            .map(str::trim)
            .ok_or_else(|| bad(format!("line {line}: the id is empty")))?;
        let annotator = annotator
            .map(str::trim)
            .ok_or_else(|| bad(format!("line {line}: the annotator is empty")))?;
        let Some(label) = label else { continue };
        if let Some(first) = seen.insert((id.to_string(), annotator.to_string()), line) {
            return Err(bad(format!(
                "line {line}: annotator {annotator:?} labels row {id:?} again (first on line {first})"
            )));
        }
        lines.push(Annotation {
            line,
            id: id.to_string(),
            annotator: annotator.to_string(),
            label: if normalize {
                normalize_label(label)
            } else {
                label.to_string()
            },
        });
    }
    let mut annotators: Vec<String> = lines.iter().map(|a| a.annotator.clone()).collect();
    annotators.sort();
    annotators.dedup();
    Ok(AnnotationsFile {
        path: path.to_path_buf(),
        lines,
        annotators,
    })
}

/// Labels, predictions, human labels and baseline predictions as codes into one vocabulary,
/// and the task (detected from labels and predictions unless given).
fn encode_labels(columns: &LabelColumns, request: &MappingRequest) -> LabelCodes {
    let mut dictionary = Dictionary::default();
    let labels = dictionary.encode(&columns.label, |_| true);
    let predictions = dictionary.encode(&columns.prediction, |row| labels[row] != MISSING);
    // Detected before human labels and baselines join the vocabulary.
    let task = request
        .task
        .unwrap_or_else(|| detect_task(dictionary.names(), &labels, &predictions));
    let human = columns
        .human
        .as_ref()
        .map(|c| dictionary.encode(c, |_| true));
    let baseline = columns
        .baseline
        .as_ref()
        .map(|c| dictionary.encode(c, |_| true));
    let annotators = columns
        .annotators
        .iter()
        .map(|c| dictionary.encode(c, |_| true))
        .collect();
    LabelCodes {
        dictionary,
        labels,
        predictions,
        human,
        baseline,
        annotators,
        task,
    }
}

/// The rows that can be scored, and those left out.
struct KeptRows {
    rows: Vec<usize>,
    no_label: RowList,
    no_prediction: RowList,
}

/// The columns read for the kept rows besides labels and predictions.
struct OtherColumns {
    ids: Ids,
    media: Option<MediaColumn>,
    confidence: Option<Vec<f64>>,
    slices: Vec<SliceColumn>,
    /// Notes about slice columns (those left out, and why).
    notes: Vec<String>,
    tags: Option<TextRef>,
    /// Rows are identified by their number.
    no_ids: bool,
    no_confidence: RowList,
}

impl Loader<'_> {
    fn path(&self) -> &Path {
        &self.table.path
    }

    /// The file's row number (from 1, header excluded) of the table's row `index`.
    fn row_number(&self, index: usize) -> usize {
        row_number(self.first_row + index)
    }

    fn parse_error(&self, e: PolarsError) -> LoadError {
        table::parse_error(self.path(), e)
    }

    /// A column; taken from the table when the load reads each column once (`consume`).
    fn column(&self, name: &str) -> Result<Column, LoadError> {
        let column = if self.consume {
            self.columns.take(name)?
        } else {
            self.columns.column(name)?
        };
        column.ok_or_else(|| LoadError::Parse {
            path: self.path().to_path_buf(),
            message: format!("column {name:?} was not read"),
        })
    }

    /// The column as text (see [`Column::text`]).
    fn text(&self, name: &str) -> Result<TextRef, LoadError> {
        self.column(name)?.text().map_err(|e| self.parse_error(e))
    }

    /// The kept rows of a column as numbers, or the first cell that is not a number.
    fn numbers(
        &self,
        name: &str,
        kept: &[usize],
    ) -> Result<Result<Vec<Option<f64>>, NotANumber>, LoadError> {
        self.numbers_of(&self.column(name)?, kept)
    }

    /// [`Self::numbers`] of a column in hand.
    fn numbers_of(
        &self,
        column: &Column,
        kept: &[usize],
    ) -> Result<Result<Vec<Option<f64>>, NotANumber>, LoadError> {
        if let Column::Typed(series) = column
            && series.dtype().is_primitive_numeric()
        {
            let floats = series
                .cast(&DataType::Float64)
                .map_err(|e| self.parse_error(e))?;
            let floats = floats.f64().map_err(|e| self.parse_error(e))?;
            return Ok(Ok(select(floats.iter(), kept)));
        }
        let text = column.text().map_err(|e| self.parse_error(e))?;
        // A column stored by distinct value has each value parsed once.
        let distinct_numbers: Option<Vec<Option<f64>>> = match &*text {
            TextColumn::Distinct { values, .. } => Some(
                values
                    .par_iter()
                    .map(|v| parse_number(v, self.decimal_comma))
                    .collect(),
            ),
            _ => None,
        };
        let number = |row: usize| -> Result<Option<f64>, ()> {
            match (&*text, &distinct_numbers) {
                (TextColumn::Distinct { codes, .. }, Some(numbers)) => match codes[row] {
                    NO_VALUE => Ok(None),
                    code => numbers[code as usize].map(Some).ok_or(()),
                },
                (text, _) => match text.get(row) {
                    None => Ok(None),
                    Some(v) => parse_number(v, self.decimal_comma).map(Some).ok_or(()),
                },
            }
        };
        match kept.par_iter().map(|&row| number(row)).collect() {
            Ok(values) => Ok(Ok(values)),
            Err(()) => {
                // The first cell in row order that is not a number.
                let row = kept
                    .iter()
                    .copied()
                    .find(|&row| number(row).is_err())
                    .unwrap_or_default();
                Ok(Err(NotANumber {
                    row,
                    text: text.get(row).unwrap_or_default().to_string(),
                }))
            }
        }
    }

    /// The dataset from the table under `request`'s roles, in named steps: labels and
    /// predictions encoded, the rows that can be scored kept, the other columns read.
    fn build(
        &self,
        mut roles: ColumnRoles,
        request: &MappingRequest,
        tags: TagsColumn,
        fingerprint: Fingerprint,
    ) -> Result<Dataset, LoadError> {
        let label_columns = self.label_columns(&roles, request.normalize_labels)?;
        let annotations = request
            .annotations
            .as_deref()
            .map(|path| read_annotations(path, request.normalize_labels))
            .transpose()?;
        let mut labels = encode_labels(&label_columns, request);
        drop(label_columns);
        let kept = self.kept_rows(&labels);
        if kept.rows.is_empty() {
            let column = if kept.no_label.count == 0 {
                &roles.prediction
            } else {
                &roles.label
            };
            return Err(LoadError::NoRowsLeft {
                path: self.path().to_path_buf(),
                column: column.clone(),
            });
        }
        let read_roles = match tags {
            TagsColumn::Read => roles.clone(),
            TagsColumn::Unread => ColumnRoles {
                tags: None,
                ..roles.clone()
            },
        };
        let mut read = self.read_other_columns(&read_roles, &kept.rows, request)?;
        let (media, missing_media) = match read.media.take() {
            Some(m) => (Some(m.paths), m.missing),
            None => (None, RowList::default()),
        };
        let issues = RowIssues {
            no_label: kept.no_label,
            no_prediction: kept.no_prediction,
            no_ids: read.no_ids,
            missing_media,
            no_confidence: std::mem::take(&mut read.no_confidence),
        };
        let mut warnings = issues.warnings(&roles);
        roles.slices = read.slices.iter().map(|s| s.name.clone()).collect();
        let from_file = match &annotations {
            Some(file) => annotation_codes(file, &mut labels.dictionary, &read.ids)?,
            None => Vec::new(),
        };
        let task = labels.task;
        let encoded = labels.finish(&kept.rows, from_file);
        let mut annotator_names = roles.annotators.clone();
        annotator_names.extend(
            annotations
                .iter()
                .flat_map(|f| f.annotators.iter().cloned()),
        );
        let (set, annotator_codes) =
            evaluation_set(task, encoded, read.ids, read.confidence, read.slices);
        let annotators = (!annotator_names.is_empty()).then(|| Annotators {
            labels: row_major(&annotator_codes, set.len()),
            names: annotator_names,
        });
        let probabilities = match set.task {
            Task::Classification if !roles.probabilities.is_empty() => self.probabilities(
                &roles.probabilities,
                set.class_names(),
                &kept.rows,
                request.normalize_labels,
                &mut warnings,
            )?,
            _ => None,
        };
        let set = set.with_label_sources(annotators, probabilities);
        if request.task.is_none() {
            let classes = set.class_names().len();
            warnings.extend(free_text_warning(
                set.task,
                classes,
                set.len(),
                &roles.label,
            ));
        }
        warnings.extend(look_alike_warning(
            set.task,
            set.class_names(),
            &roles.label,
        ));
        let tags = tag_book(&set, read.tags.as_deref(), &kept.rows);
        let times = roles
            .time
            .as_deref()
            .map(|c| self.times(c, &kept.rows))
            .transpose()?;
        Ok(Dataset {
            table: self.table.clone(),
            fingerprint,
            roles,
            set: Arc::new(set),
            tags,
            missing_media: issues.missing_media.count,
            media,
            times,
            excluded_rows: issues.excluded(),
            warnings,
            notes: read.notes,
            delimited: None,
        })
    }

    /// The text of the columns holding labels: truth, prediction, human label, baseline.
    fn label_columns(
        &self,
        roles: &ColumnRoles,
        normalize: bool,
    ) -> Result<LabelColumns, LoadError> {
        let read = |column: &str| -> Result<TextRef, LoadError> {
            let text = self.text(column)?;
            Ok(if normalize {
                TextRef::Owned(text.map_values(normalize_label))
            } else {
                text
            })
        };
        let optional = |column: &Option<String>| column.as_deref().map(read).transpose();
        // Two at once: reading one decodes on one core while it stores on the other,
        // which seldom keeps both busy.
        let (label, prediction) = rayon::join(|| read(&roles.label), || read(&roles.prediction));
        let (human, baseline) =
            rayon::join(|| optional(&roles.human), || optional(&roles.baseline));
        Ok(LabelColumns {
            label: label?,
            prediction: prediction?,
            human: human?,
            baseline: baseline?,
            annotators: roles
                .annotators
                .iter()
                .map(|c| read(c))
                .collect::<Result<_, _>>()?,
        })
    }
    /// The rows that can be scored: rows without ground truth cannot, nor a classifier's
    /// empty prediction (an empty transcript hypothesis is a real, all-deletions answer).
    fn kept_rows(&self, codes: &LabelCodes) -> KeptRows {
        let mut kept = KeptRows {
            rows: Vec::with_capacity(codes.labels.len()),
            no_label: RowList::default(),
            no_prediction: RowList::default(),
        };
        for row in 0..codes.labels.len() {
            if codes.labels[row] == MISSING {
                kept.no_label.push(self.first_row + row);
            } else if codes.predictions[row] == MISSING && codes.task == Task::Classification {
                kept.no_prediction.push(self.first_row + row);
            } else {
                kept.rows.push(row);
            }
        }
        kept
    }

    /// Ids, media paths, confidences and slices of the kept rows.
    fn read_other_columns(
        &self,
        roles: &ColumnRoles,
        kept: &[usize],
        request: &MappingRequest,
    ) -> Result<OtherColumns, LoadError> {
        let media_cells = roles.media.as_deref().map(|c| self.text(c)).transpose()?;
        let tags = roles.tags.as_deref().map(|c| self.text(c)).transpose()?;
        let explicit_slices = !request.slices.is_empty();
        // The ids and the confidences at once, as neither keeps a core busy; the slices
        // after: at ten million rows, what they need while they work is larger than what
        // they keep.
        let ((ids, media), confidence) = rayon::join(
            || {
                let ids = self.ids(roles, kept, media_cells.as_deref());
                let media = match (&roles.media, &media_cells) {
                    (Some(c), Some(values)) => self.media(c, values, kept).map(Some),
                    _ => Ok(None),
                };
                (ids, media)
            },
            || {
                roles
                    .confidence
                    .as_deref()
                    .map(|c| self.confidence(c, kept))
                    .transpose()
            },
        );
        drop(media_cells);
        let slices = self.slices(&roles.slices, kept, explicit_slices);
        let (ids, no_ids) = ids?;
        let media = media?;
        let (slices, notes) = slices?;
        let (confidence, no_confidence) = match confidence? {
            Some((values, empty)) => (Some(values), empty),
            None => (None, RowList::default()),
        };
        Ok(OtherColumns {
            ids,
            media,
            confidence,
            slices,
            notes,
            tags,
            no_ids,
            no_confidence,
        })
    }

    /// Row ids from the id column, else the media path, else the row number (with a
    /// warning). Ids must be present and unique.
    fn ids(
        &self,
        roles: &ColumnRoles,
        kept: &[usize],
        media: Option<&TextColumn>,
    ) -> Result<(Ids, bool), LoadError> {
        let id_cells = roles.id.as_deref().map(|c| self.text(c)).transpose()?;
        let (ids, column) = match (id_cells, &roles.id, media, &roles.media) {
            (Some(cells), Some(column), _, _) => match moved_ids(cells, kept.len()) {
                Ok(ids) => (ids, column),
                Err(cells) => (self.copied_ids(&cells, kept, column)?, column),
            },
            (None, _, Some(paths), Some(column)) => (self.copied_ids(paths, kept, column)?, column),
            _ => {
                let numbers: Ids = kept
                    .iter()
                    .map(|&r| self.row_number(r).to_string())
                    .collect();
                return Ok((numbers, true));
            }
        };
        if self.part_slices.is_some() {
            // A part of a table: ids are unique across the parts, which the reader checks.
            return Ok((ids, false));
        }
        // Indexing the ids finds the repeated ones; a project then looks rows up in it.
        let pairs = ids.repeats();
        let duplicates: Vec<String> = pairs
            .iter()
            .take(EXAMPLES)
            .map(|&(first, later)| {
                format!(
                    "{:?} (rows {} and {})",
                    ids.get(later),
                    self.row_number(kept[first]),
                    self.row_number(kept[later])
                )
            })
            .collect();
        if !duplicates.is_empty() {
            let count = pairs.len();
            return Err(LoadError::DuplicateIds {
                path: self.path().to_path_buf(),
                column: column.clone(),
                count,
                examples: duplicates,
            });
        }
        Ok((ids, false))
    }

    /// The kept rows' cells as ids, trimmed; an empty cell is an error naming its row.
    fn copied_ids(
        &self,
        values: &TextColumn,
        kept: &[usize],
        column: &str,
    ) -> Result<Ids, LoadError> {
        let bytes = match values {
            TextColumn::Plain { text, .. } => text.len(),
            _ => kept.len() * 8,
        };
        let mut ids = Ids::with_capacity(kept.len(), bytes);
        for &row in kept {
            match values.get(row) {
                Some(v) => ids.push(v.trim()),
                None => {
                    return Err(LoadError::EmptyId {
                        path: self.path().to_path_buf(),
                        column: column.to_string(),
                        row: self.row_number(row),
                    });
                }
            }
        }
        Ok(ids)
    }

    /// Each kept row's time (`None` where empty); a value that is not a date, a time or a
    /// number of seconds is an error naming its row.
    fn times(&self, column: &str, kept: &[usize]) -> Result<Vec<Option<i64>>, LoadError> {
        let text = self.text(column)?;
        kept.iter()
            .map(|&row| match text.get(row) {
                None => Ok(None),
                Some(v) => parse_time(v).map(Some).ok_or_else(|| LoadError::BadTime {
                    path: self.path().to_path_buf(),
                    column: column.to_string(),
                    row: self.row_number(row),
                    value: v.to_string(),
                }),
            })
            .collect()
    }

    /// Confidence per kept row (NaN where empty, with a warning); NaN, text or values outside
    /// [0, 1] in the file are errors.
    /// The model's class probabilities from the `prob_<class>` columns, one per class in
    /// code order. A column for no known class is left out and a class without a column
    /// counts as 0, each with a warning; rows not summing to 1 are renormalised (warned).
    fn probabilities(
        &self,
        columns: &[String],
        classes: &[String],
        kept: &[usize],
        normalize: bool,
        warnings: &mut Vec<String>,
    ) -> Result<Option<ClassProbabilities>, LoadError> {
        let k = classes.len();
        let mut values = vec![0.0; kept.len() * k];
        let mut covered = vec![false; k];
        let mut unknown = Vec::new();
        for column in columns {
            let class = super::mapping::probability_class(column);
            let class = if normalize {
                normalize_label(class)
            } else {
                class.to_string()
            };
            let Some(c) = classes.iter().position(|name| *name == class) else {
                unknown.push(column.as_str());
                continue;
            };
            covered[c] = true;
            let bad = |row: usize, value: String, problem| LoadError::BadProbability {
                path: self.path().to_path_buf(),
                column: column.clone(),
                row: self.row_number(row),
                value,
                problem,
            };
            let numbers = self
                .numbers(column, kept)?
                .map_err(|nan| bad(nan.row, nan.text, "is not a number"))?;
            for (i, (&row, value)) in kept.iter().zip(numbers).enumerate() {
                match value {
                    None => {}
                    Some(x) if !(0.0..=1.0).contains(&x) => {
                        return Err(bad(row, x.to_string(), "is outside [0, 1]"));
                    }
                    Some(x) => values[i * k + c] = x,
                }
            }
        }
        if !unknown.is_empty() {
            warnings.push(format!(
                "probability columns for classes no label or prediction has are left out: {}",
                unknown.join(", ")
            ));
        }
        if covered.iter().all(|c| !c) {
            return Ok(None);
        }
        let uncovered: Vec<&str> = classes
            .iter()
            .zip(&covered)
            .filter(|(_, c)| !**c)
            .map(|(n, _)| n.as_str())
            .collect();
        if !uncovered.is_empty() {
            warnings.push(format!(
                "no probability column for {} of {k} classes ({}{}): their probability is taken as 0 and rows are renormalised; add prob_<class> columns for every class",
                uncovered.len(),
                uncovered.iter().take(EXAMPLES).map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", "),
                if uncovered.len() > EXAMPLES { ", …" } else { "" }
            ));
        }
        let (mut renormalised, mut empty) = (Vec::new(), Vec::new());
        for (i, row) in values.chunks_exact_mut(k).enumerate() {
            let sum: f64 = row.iter().sum();
            if sum <= 0.0 {
                // Nothing known: every class equally likely.
                row.iter_mut().for_each(|v| *v = 1.0 / k as f64);
                empty.push(kept[i]);
            } else if (sum - 1.0).abs() > PROBABILITY_SUM_TOLERANCE {
                row.iter_mut().for_each(|v| *v /= sum);
                renormalised.push(kept[i]);
            }
        }
        if !renormalised.is_empty() {
            warnings.push(format!(
                "{} rows have class probabilities that do not sum to 1 (rows {}); they were renormalised",
                renormalised.len(),
                example_rows(&renormalised)
            ));
        }
        if !empty.is_empty() {
            warnings.push(format!(
                "{} rows have no class probabilities (rows {}); every class is taken as equally likely there",
                empty.len(),
                example_rows(&empty)
            ));
        }
        Ok(Some(ClassProbabilities { classes: k, values }))
    }

    fn confidence(&self, column: &str, kept: &[usize]) -> Result<(Vec<f64>, RowList), LoadError> {
        let bad = |row: usize, value: String, problem| LoadError::BadConfidence {
            path: self.path().to_path_buf(),
            column: column.to_string(),
            row: self.row_number(row),
            value,
            problem,
        };
        let mut out = Vec::with_capacity(kept.len());
        let mut empty = RowList::default();
        let mut accept = |row: usize, value: Option<f64>| match value {
            None => {
                empty.push(self.first_row + row);
                out.push(f64::NAN);
                Ok(())
            }
            Some(x) if x.is_nan() => Err(bad(row, "NaN".into(), "is not a number (NaN)")),
            Some(x) if !(0.0..=1.0).contains(&x) => {
                Err(bad(row, x.to_string(), "is outside [0, 1]"))
            }
            Some(x) => {
                out.push(x);
                Ok(())
            }
        };
        let cells = self.column(column)?;
        if let Column::Typed(series) = &cells
            && series.dtype().is_primitive_numeric()
        {
            // Straight from the typed column: no copy of it, no option per row.
            each_kept_number(series, kept, |at, x| accept(kept[at], x))
                .map_err(|e| self.parse_error(e))??;
        } else {
            let values = self
                .numbers_of(&cells, kept)?
                .map_err(|nan| bad(nan.row, nan.text, "is not a number"))?;
            for (&row, value) in kept.iter().zip(values) {
                accept(row, value)?;
            }
        }
        Ok((out, empty))
    }

    /// Checks every media path of the kept rows: refuses paths leaving the dataset folder,
    /// counts missing files.
    fn media(
        &self,
        column: &str,
        raw: &TextColumn,
        kept: &[usize],
    ) -> Result<MediaColumn, LoadError> {
        let root = self
            .table
            .root
            .canonicalize()
            .map_err(|source| LoadError::Io {
                path: self.table.root.clone(),
                source,
            })?;
        let refused = |row: usize, value: &str, problem| LoadError::MediaOutsideDataset {
            path: self.path().to_path_buf(),
            column: column.to_string(),
            row: self.row_number(row),
            value: value.to_string(),
            problem,
            root: self.table.root.clone(),
        };
        for &row in kept {
            if let Some(v) = raw.get(row) {
                media::check_relative(v.trim()).map_err(|problem| refused(row, v, problem))?;
            }
        }
        // One file-system lookup per row: run them in parallel, keep the first refusal in row order.
        let found: Vec<Result<bool, media::Refusal>> = kept
            .par_iter()
            .map(|&row| match raw.get(row) {
                Some(v) => media::resolve(&root, v.trim()).map(|p| p.is_some_and(|p| p.is_file())),
                None => Ok(false),
            })
            .collect();
        let mut missing = RowList::default();
        for (&row, result) in kept.iter().zip(&found) {
            match result {
                Err(problem) => return Err(refused(row, raw.get(row).unwrap_or(""), problem)),
                Ok(false) => missing.push_with(|| {
                    let path = raw.get(row).unwrap_or("(empty)").to_string();
                    (self.first_row + row, path)
                }),
                Ok(true) => {}
            }
        }
        let paths = kept
            .iter()
            .map(|&r| raw.get(r).map(|v| v.trim().to_string()))
            .collect();
        Ok(MediaColumn { paths, missing })
    }

    /// The slice columns, built in parallel. A column that cannot be a slice is skipped with
    /// a note, or is an error when the user named it with `--slice`.
    fn slices(
        &self,
        names: &[String],
        kept: &[usize],
        explicit: bool,
    ) -> Result<(Vec<SliceColumn>, Vec<String>), LoadError> {
        match self.part_slices {
            Some(PartSlices::ByRule(rules)) => {
                let slices = rules
                    .par_iter()
                    .map(|(name, rule)| self.slice_by_rule(name, rule, kept))
                    .collect::<Result<_, _>>()?;
                return Ok((slices, Vec::new()));
            }
            Some(PartSlices::ByValue) => {
                let slices = names
                    .par_iter()
                    .map(|name| self.slice_by_value(name, kept))
                    .collect::<Result<_, _>>()?;
                return Ok((slices, Vec::new()));
            }
            None => {}
        }
        let built: Vec<Result<Result<SliceColumn, String>, LoadError>> = names
            .par_iter()
            .map(|name| {
                let column = self.column(name)?;
                if let Column::Typed(series) = &column
                    && series.dtype().is_primitive_numeric()
                {
                    // Straight to a number per row, NaN where empty: at ten million rows a
                    // column of options would take twice the memory.
                    let numbers = kept_numbers(series, kept).map_err(|e| self.parse_error(e))?;
                    Ok(numbers
                        .and_then(|numbers| slice_column(name, SliceSource::Numbers(numbers))))
                } else {
                    let column = column.text().map_err(|e| self.parse_error(e))?;
                    let decimal_comma = self.decimal_comma;
                    let source = match &*column {
                        TextColumn::Distinct { codes, values } => SliceSource::Coded {
                            codes,
                            kept,
                            values,
                            decimal_comma,
                        },
                        text => SliceSource::Text {
                            values: select(text.iter(), kept),
                            decimal_comma,
                        },
                    };
                    Ok(slice_column(name, source))
                }
            })
            .collect();
        let (mut slices, mut notes) = (Vec::new(), Vec::new());
        for (name, result) in names.iter().zip(built) {
            match result? {
                Ok(slice) => slices.push(slice),
                Err(problem) if explicit => {
                    return Err(LoadError::BadSlice {
                        path: self.path().to_path_buf(),
                        column: name.clone(),
                        problem,
                    });
                }
                Err(problem) => {
                    notes.push(format!("column {name:?} is not used as a slice: {problem}"))
                }
            }
        }
        Ok((slices, notes))
    }
}

impl Loader<'_> {
    /// The slice of a part of a table, by the rule decided from every row.
    fn slice_by_rule(
        &self,
        name: &str,
        rule: &SliceRule,
        kept: &[usize],
    ) -> Result<SliceColumn, LoadError> {
        let column = self.column(name)?;
        if let Column::Typed(series) = &column
            && series.dtype().is_primitive_numeric()
        {
            // The plan refuses a column holding NaN or infinities, so every number is finite.
            let numbers = kept_numbers(series, kept)
                .map_err(|e| self.parse_error(e))?
                .map_err(|problem| LoadError::BadSlice {
                    path: self.path().to_path_buf(),
                    column: name.to_string(),
                    problem,
                })?;
            return Ok(rule.of_numbers(name, numbers));
        }
        let text = column.text().map_err(|e| self.parse_error(e))?;
        let decimal_comma = self.decimal_comma;
        let as_number = |v: &str| parse_number(v, decimal_comma).filter(|x| x.is_finite());
        if let TextColumn::Distinct { codes, values } = &*text {
            let codes = kept_items(codes.iter(), kept).map(|&c| match c {
                NO_VALUE => None,
                c => Some(c as usize),
            });
            return Ok(rule.of_distinct(name, codes, values, as_number));
        }
        let cells = kept_items(text.iter(), kept);
        if rule.numeric() {
            let numbers = cells
                .map(|cell| cell.and_then(as_number).unwrap_or(f64::NAN))
                .collect();
            return Ok(rule.of_numbers(name, numbers));
        }
        Ok(rule.of_texts(name, cells))
    }
}

impl Loader<'_> {
    /// The slice of a part of a table, by cell value (see [`by_value`]).
    fn slice_by_value(&self, name: &str, kept: &[usize]) -> Result<SliceColumn, LoadError> {
        let column = self.column(name)?;
        if let Column::Typed(series) = &column
            && series.dtype().is_primitive_numeric()
        {
            let mut numbers = by_value::Numbers::default();
            let Ok(()) = each_kept_number(series, kept, |_, x| {
                numbers.push(x);
                Ok::<_, std::convert::Infallible>(())
            })
            .map_err(|e| self.parse_error(e))?;
            return Ok(numbers.finish(name));
        }
        let text = column.text().map_err(|e| self.parse_error(e))?;
        if let TextColumn::Distinct { codes, values } = &*text {
            let codes = kept_items(codes.iter(), kept).map(|&c| match c {
                NO_VALUE => None,
                c => Some(c as usize),
            });
            return Ok(by_value::of_distinct(name, codes, values));
        }
        Ok(by_value::of_texts(name, kept_items(text.iter(), kept)))
    }
}

/// The evaluation set of the kept rows from their encoded labels and the columns read
/// beside them; the annotators' codes come back apart, as the set takes them later.
fn evaluation_set(
    task: Task,
    encoded: Encoded,
    ids: Ids,
    confidence: Option<Vec<f64>>,
    slices: Vec<SliceColumn>,
) -> (EvalSet, Vec<Vec<u32>>) {
    let set = EvalSet::new(EvalSetParts {
        task,
        ids,
        vocab: encoded.names,
        n_classes: encoded.n_classes,
        labels: encoded.labels,
        predictions: encoded.predictions,
        confidence,
        human: encoded.human,
        baseline: encoded.baseline,
        slices,
    });
    (set, encoded.annotators)
}

/// The tags of a `;`-separated cell, trimmed, empty ones skipped.
fn split_tags(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|t| !t.is_empty())
}

/// A tag book holding the tags column's assignments; tags are defined in name order.
/// Per-annotator columns as one row-major array.
fn row_major(columns: &[Vec<u32>], rows: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(columns.len() * rows);
    for row in 0..rows {
        out.extend(columns.iter().map(|c| c[row]));
    }
    out
}

/// The codes of an annotations file's labels per annotator and kept row, matched by id; an
/// id that is no row of the dataset refuses the file, naming the line.
fn annotation_codes(
    file: &AnnotationsFile,
    dictionary: &mut super::encode::Dictionary,
    ids: &Ids,
) -> Result<Vec<Vec<u32>>, LoadError> {
    let mut codes = vec![vec![MISSING; ids.len()]; file.annotators.len()];
    for a in &file.lines {
        let row = ids.row(&a.id).ok_or_else(|| LoadError::BadAnnotations {
            path: file.path.clone(),
            problem: format!(
                "line {}: id {:?} is not a row of the dataset (or its row has no ground truth)",
                a.line, a.id
            ),
        })?;
        let annotator = file
            .annotators
            .binary_search(&a.annotator)
            .unwrap_or_default();
        codes[annotator][row] = dictionary.code(&a.label);
    }
    Ok(codes)
}

fn tag_book(set: &EvalSet, column: Option<&TextColumn>, kept: &[usize]) -> TagBook {
    let mut book = TagBook::new(set.len());
    let Some(column) = column else { return book };
    if let TextColumn::Distinct { codes, values } = column {
        // Each distinct cell split once.
        let mut used = vec![false; values.len()];
        for &row in kept {
            if let Some(u) = used.get_mut(codes[row] as usize) {
                *u = true;
            }
        }
        let mut names: Vec<&str> = values
            .iter()
            .zip(&used)
            .filter(|(_, u)| **u)
            .flat_map(|(cell, _)| split_tags(cell))
            .collect::<PlHashSet<_>>()
            .into_iter()
            .collect();
        names.sort_unstable();
        let ids: PlHashMap<&str, usize> = names.iter().map(|&n| (n, book.define(n))).collect();
        let tags_of: Vec<Vec<usize>> = values
            .iter()
            .zip(&used)
            .map(|(cell, u)| match u {
                true => split_tags(cell).map(|tag| ids[tag]).collect(),
                false => Vec::new(),
            })
            .collect();
        for (row, &r) in kept.iter().enumerate() {
            for &tag in tags_of.get(codes[r] as usize).into_iter().flatten() {
                book.assign(set, tag, row);
            }
        }
        return book;
    }
    let lists = select(column.iter(), kept);
    let mut names: Vec<&str> = lists
        .iter()
        .flatten()
        .flat_map(|cell| split_tags(cell))
        .collect::<PlHashSet<_>>()
        .into_iter()
        .collect();
    names.sort_unstable();
    let ids: PlHashMap<&str, usize> = names.iter().map(|&n| (n, book.define(n))).collect();
    for (row, cell) in lists.iter().enumerate() {
        for tag in cell.iter().flat_map(|cell| split_tags(cell)) {
            book.assign(set, ids[tag], row);
        }
    }
    book
}

/// The ids as the id column holds them, moved instead of copied, when every row is kept
/// and every cell is already an id (not empty, nothing to trim); else the column back.
fn moved_ids(cells: TextRef, rows: usize) -> Result<Ids, TextRef> {
    let TextRef::Shared(shared) = cells else {
        return Err(cells);
    };
    let clean = |text: &str, ends: &[usize]| {
        ends.len() == rows
            && (0..rows).into_par_iter().all(|row| {
                let cell = &text[if row == 0 { 0 } else { ends[row - 1] }..ends[row]];
                !cell.is_empty() && cell.trim().len() == cell.len()
            })
    };
    match Arc::try_unwrap(shared) {
        Ok(TextColumn::Plain { text, ends }) if clean(&text, &ends) => {
            Ok(Ids::from_parts(text, ends))
        }
        Ok(column) => Err(TextRef::Owned(column)),
        Err(shared) => Err(TextRef::Shared(shared)),
    }
}

/// The items of a column at the kept rows (`kept` ascends), in one sequential pass.
fn select<T>(column: impl Iterator<Item = T>, kept: &[usize]) -> Vec<T> {
    let mut out = Vec::with_capacity(kept.len());
    out.extend(kept_items(column, kept));
    out
}

/// The kept rows (ascending) of a numeric column as numbers, NaN where empty, or why they
/// cannot be.
fn kept_numbers(series: &Series, kept: &[usize]) -> PolarsResult<Result<Vec<f64>, String>> {
    let mut numbers = Vec::with_capacity(kept.len());
    let done = each_kept_number(series, kept, |_, x| {
        numbers.push(finite_or_empty(x)?);
        Ok(())
    })?;
    Ok(done.map(|()| numbers))
}

/// Calls `each` with every kept row (ascending) of a numeric column, as its place in `kept`
/// and its number (`None`: empty), until it fails. Cast to floats a window of rows at a
/// time: a cast of the whole column would hold a second copy of it (80 MB at ten million
/// rows).
fn each_kept_number<E>(
    series: &Series,
    kept: &[usize],
    mut each: impl FnMut(usize, Option<f64>) -> Result<(), E>,
) -> PolarsResult<Result<(), E>> {
    const WINDOW: usize = 1 << 16;
    let mut at = 0;
    for start in (0..series.len()).step_by(WINDOW) {
        let in_window = kept[at..].partition_point(|&row| row < start + WINDOW);
        let here = &kept[at..at + in_window];
        if here.is_empty() {
            continue;
        }
        let window = series
            .slice(start as i64, WINDOW)
            .cast(&DataType::Float64)?;
        let window = window.f64()?;
        let result = if here.len() == window.len() {
            // Every row of the window is kept, as in most tables.
            window
                .iter()
                .enumerate()
                .try_for_each(|(i, x)| each(at + i, x))
        } else {
            let rows: Vec<usize> = here.iter().map(|row| row - start).collect();
            kept_items(window.iter(), &rows)
                .enumerate()
                .try_for_each(|(i, x)| each(at + i, x))
        };
        if let Err(e) = result {
            return Ok(Err(e));
        }
        at += in_window;
    }
    Ok(Ok(()))
}

/// [`select`] as an iterator.
fn kept_items<T>(column: impl Iterator<Item = T>, kept: &[usize]) -> impl Iterator<Item = T> {
    let mut next = kept.iter().peekable();
    column
        .enumerate()
        .map_while(move |(row, item)| {
            next.peek()?;
            Some(next.next_if_eq(&&row).map(|_| item))
        })
        .flatten()
}
