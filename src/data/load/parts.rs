//! A Parquet table larger than memory, counted in parts: every figure of a report is a sum
//! of counts (see [`Counts`]), so each part of a million rows is loaded as a table of its
//! own, counted and dropped. What depends on every row — the task, and each slice column's
//! values or quantile bins — is decided after one pass, in which each part counts its
//! slice cells by value ([`count_by_value`]); a slice column of too many values, or a task
//! not given that turns out not to be classification, takes a first pass over the label
//! and slice columns instead ([`count_by_rule`]). Ids that ascend across the parts cannot
//! repeat; others are checked by their hashes. The report is the one the table held whole
//! gives, but for agreement and label issues, which need the rows (they are left out, with
//! a warning).

use std::collections::BTreeMap;
use std::fs::File;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;

use super::{
    EXAMPLES, Loader, PartSlices, RowIssues, RowList, each_kept_number, encode_labels,
    evaluation_set, free_text_warning, kept_columns, look_alike_warning, row_number, tag_book,
};
use crate::data::contain::contain;
use crate::data::error::LoadError;
use crate::data::mapping::{ColumnRoles, MappingRequest, resolve_roles};
use crate::data::progress::{Progress, Step};
use crate::data::slice_plan::{SliceRule, SliceTally, by_value};
use crate::data::slicing::{MAX_SLICE_VALUES, parse_number};
use crate::data::table::{
    self, Column, Fingerprint, FrameColumns, KeptColumns, NO_VALUE, Storage, Table, TableFile,
    TableFormat, TextColumn,
};
use crate::model::counts::Counts;
use crate::model::tags::TagTotals;
use crate::model::{MISSING, Task};

/// Rows counted at a time: a part's columns and set stay within a few hundred megabytes.
pub const PART_ROWS: usize = 1 << 20;

/// Tables of more rows than this are counted in parts even when that leaves out figures
/// that need every row: held whole, they would need more memory than a laptop has to spare.
pub const PARTS_FROM_ROWS: usize = 20_000_000;

/// A table counted in parts: everything a report says of a dataset, without its rows.
#[derive(Debug)]
pub struct CountedDataset {
    pub table: TableFile,
    pub fingerprint: Fingerprint,
    /// The roles as used: `slices` holds only the columns that became slices.
    pub roles: ColumnRoles,
    /// Finished: classes in report order.
    pub counts: Counts,
    pub tags: TagTotals,
    /// The ids of the first rows of each tag (at most [`EXAMPLES`]), by tag name.
    pub tag_examples: BTreeMap<String, Vec<String>>,
    pub excluded_rows: usize,
    pub missing_media: usize,
    pub warnings: Vec<String>,
    /// Slice columns left out, and why.
    pub notes: Vec<String>,
}

/// How a dataset's report is best read when nothing else is asked: `Some(rows per part)`
/// for a Parquet table of more than one part whose report loses nothing counted in parts
/// (no annotators, no class probabilities), or of more than [`PARTS_FROM_ROWS`] rows;
/// `None` to read it whole. Counted in parts, a large table needs less memory and time.
/// `whole_figures`: the caller needs every row at once (audit checks, slice discovery).
pub fn parts_for(path: &Path, request: &MappingRequest, whole_figures: bool) -> Option<usize> {
    let table = table::locate(path, request.table.as_deref()).ok()?;
    if table.format != TableFormat::Parquet {
        return None;
    }
    let parts = Parts::open(&table.path, PART_ROWS).ok()?;
    if parts.rows > PARTS_FROM_ROWS {
        return Some(PART_ROWS);
    }
    let roles = resolve_roles(&table.path, &parts.names, request).ok()?;
    let loses = !roles.annotators.is_empty()
        || !roles.probabilities.is_empty()
        || request.annotations.is_some();
    (parts.rows > PART_ROWS && !loses && !whole_figures).then_some(PART_ROWS)
}

/// Counts the Parquet table of `path` `part_rows` rows at a time.
pub fn count_in_parts(
    path: &Path,
    request: &MappingRequest,
    part_rows: usize,
    progress: &Progress,
) -> Result<CountedDataset, LoadError> {
    progress.enter(Step::ReadingTable)?;
    let table = table::locate(path, request.table.as_deref())?;
    if table.format != TableFormat::Parquet {
        return Err(LoadError::Parse {
            path: table.path.clone(),
            message: "only Parquet tables can be counted in parts; convert the table to Parquet, or leave out --part-rows to read it whole".into(),
        });
    }
    let reader = Parts::open(&table.path, part_rows.max(1))?;
    let mut roles = resolve_roles(&table.path, &reader.names, request)?;
    let fingerprint = table::fingerprint_of_file(&table.path)?;
    let counted = match count_by_value(&reader, &table, &roles, request, progress)? {
        Some(counted) => counted,
        None => count_by_rule(&reader, &table, &roles, request, progress)?,
    };
    let Counted {
        task,
        total,
        slices,
        notes,
    } = counted;
    roles.slices = slices;
    let Total {
        counts,
        tags,
        tag_examples,
        issues,
        id_hashes,
        ascending_ids,
        unhashed_before,
    } = total;
    let counts = match counts {
        Some(counts) if counts.overall.n > 0 => counts.finish(),
        _ => {
            let column = if issues.no_label.count == 0 {
                &roles.prediction
            } else {
                &roles.label
            };
            return Err(LoadError::NoRowsLeft {
                path: table.path.clone(),
                column: column.clone(),
            });
        }
    };
    if !matches!(ascending_ids, Ascending::Since(_)) {
        let counted_roles = counted_roles(&roles);
        let counted_request = counted_request(request, task);
        check_unique_ids(
            &reader,
            &table,
            &counted_roles,
            &counted_request,
            id_hashes,
            unhashed_before,
            progress,
        )?;
    }

    let mut warnings = issues.warnings(&roles);
    let rows = counts.overall.n as usize;
    if request.task.is_none() {
        warnings.extend(free_text_warning(
            task,
            counts.classes.len(),
            rows,
            &roles.label,
        ));
    }
    warnings.extend(look_alike_warning(task, &counts.classes, &roles.label));
    let mut left_out = Vec::new();
    if !roles.annotators.is_empty() || request.annotations.is_some() {
        left_out.push("agreement between annotators");
    }
    if !roles.probabilities.is_empty() {
        left_out.push("suspected label errors");
    }
    if !left_out.is_empty() {
        warnings.push(format!(
            "the table was counted in parts of {part_rows} rows, so {} (which need every row held at once) are left out; a table read whole has them",
            left_out.join(" and ")
        ));
    }
    Ok(CountedDataset {
        table,
        fingerprint,
        roles,
        excluded_rows: issues.excluded(),
        missing_media: issues.missing_media.count,
        counts,
        tags,
        tag_examples,
        warnings,
        notes,
    })
}

/// Every part counted, before the checks across parts.
struct Counted {
    task: Task,
    total: Total,
    /// The slice columns counted (those that can be slices), in the roles' order.
    slices: Vec<String>,
    /// Slice columns left out, and why.
    notes: Vec<String>,
}

/// What a part is loaded with: the task, and no label sources that need every row.
fn counted_roles(roles: &ColumnRoles) -> ColumnRoles {
    ColumnRoles {
        annotators: Vec::new(),
        probabilities: Vec::new(),
        ..roles.clone()
    }
}

fn counted_request(request: &MappingRequest, task: Task) -> MappingRequest {
    MappingRequest {
        task: Some(task),
        annotations: None,
        ..request.clone()
    }
}

/// One pass: each part's slice columns counted by cell value, each column's rule decided
/// once every part is counted (see [`by_value`]). `None` when that cannot be: a slice column
/// has more than [`by_value::MOST_VALUES`] values (or pairs of a value and a class than
/// [`by_value::MOST_VALUE_CLASSES`]), the task, not given, is not classification
/// (found from every row: a pass assuming it is wasted, and the first part shows most), or
/// a part has a problem, which two passes report as they always have (the first problem
/// they meet may be another).
fn count_by_value(
    reader: &Parts,
    table: &TableFile,
    roles: &ColumnRoles,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<Option<Counted>, LoadError> {
    progress.enter(Step::Encoding)?;
    let task = request.task.unwrap_or(Task::Classification);
    let counted_roles = counted_roles(roles);
    let counted_request = counted_request(request, task);
    let mut total = Total::default();
    let mut tally = TaskTally::default();
    let mut countable = true;
    let pass = reader.each(
        &kept_columns(&counted_roles),
        progress,
        |part, first_row| {
            let loader = Loader::part(table, &part, first_row, Some(PartSlices::ByValue));
            let finding = request.task.is_none().then_some(&mut tally);
            let counted = loader.count_part(
                &counted_roles,
                &counted_request,
                finding,
                &total.ascending_ids,
            )?;
            total.absorb(counted);
            let many_values = total
                .counts
                .iter()
                .flat_map(|counts| &counts.slices)
                .any(|slice| {
                    slice.values.len() > by_value::MOST_VALUES
                        || slice.by_class.len() > by_value::MOST_VALUE_CLASSES
                });
            countable = !many_values && (request.task.is_some() || !tally.sentences());
            Ok(match countable {
                true => ControlFlow::Continue(()),
                false => ControlFlow::Break(()),
            })
        },
    );
    match pass {
        Err(LoadError::Cancelled) => return Err(LoadError::Cancelled),
        Err(_) => return Ok(None),
        Ok(()) => {}
    }
    if !countable || (request.task.is_none() && tally.detect() != Some(Task::Classification)) {
        return Ok(None);
    }
    // With no row counted the two passes say which problem comes first.
    let Some(counts) = &mut total.counts else {
        return Ok(None);
    };
    let (mut slices, mut notes, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    for column in std::mem::take(&mut counts.slices) {
        let name = column.name.clone();
        match by_value::decide(&column) {
            Ok(counted) => {
                kept.push(counted);
                slices.push(name);
            }
            Err(problem) if !request.slices.is_empty() => {
                return Err(LoadError::BadSlice {
                    path: table.path.clone(),
                    column: name,
                    problem,
                });
            }
            Err(problem) => {
                notes.push(format!("column {name:?} is not used as a slice: {problem}"))
            }
        }
    }
    counts.slices = kept;
    Ok(Some(Counted {
        task,
        total,
        slices,
        notes,
    }))
}

/// Two passes: the first decides the task and each slice column's rule, the second counts
/// every part coded by them.
fn count_by_rule(
    reader: &Parts,
    table: &TableFile,
    roles: &ColumnRoles,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<Counted, LoadError> {
    progress.enter(Step::ReadingTable)?;
    let plan = plan(reader, table, roles, request, progress)?;
    progress.enter(Step::Encoding)?;
    let counted_roles = ColumnRoles {
        slices: plan.slices.iter().map(|(name, _)| name.clone()).collect(),
        ..counted_roles(roles)
    };
    let counted_request = counted_request(request, plan.task);
    let mut total = Total::default();
    reader.each(
        &kept_columns(&counted_roles),
        progress,
        |part, first_row| {
            let loader = Loader::part(
                table,
                &part,
                first_row,
                Some(PartSlices::ByRule(&plan.slices)),
            );
            let counted =
                loader.count_part(&counted_roles, &counted_request, None, &total.ascending_ids)?;
            total.absorb(counted);
            Ok(ControlFlow::Continue(()))
        },
    )?;
    Ok(Counted {
        task: plan.task,
        slices: counted_roles.slices,
        total,
        notes: plan.notes,
    })
}

/// A Parquet file read a part at a time, only the columns asked for.
struct Parts {
    path: PathBuf,
    names: Vec<String>,
    rows: usize,
    /// (first row, rows) of each part: about `part_rows` rows, cut at row-group ends.
    parts: Vec<(usize, usize)>,
}

impl Parts {
    fn open(path: &Path, part_rows: usize) -> Result<Parts, LoadError> {
        let parse_error = |message: String| LoadError::Parse {
            path: path.to_path_buf(),
            message,
        };
        let file = File::open(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let (names, rows, groups) = contain(|| -> PolarsResult<_> {
            let mut reader = ParquetReader::new(file);
            let names: Vec<String> = reader
                .schema()?
                .iter_names()
                .map(|n| n.to_string())
                .collect();
            let groups = table::row_groups(&mut reader)?;
            Ok((names, reader.num_rows()?, groups))
        })
        .map_err(parse_error)?
        .map_err(|e| parse_error(e.to_string()))?;
        if rows == 0 {
            return Err(LoadError::HeaderOnly(path.to_path_buf()));
        }
        Ok(Parts {
            path: path.to_path_buf(),
            names,
            rows,
            parts: table::row_group_batches(&groups, part_rows),
        })
    }

    /// Calls `each` with every part of the `kept` columns, in row order, and its first row,
    /// until it breaks. The next part is read on another thread while `each` works on this
    /// one.
    fn each(
        &self,
        kept: &KeptColumns,
        progress: &Progress,
        mut each: impl FnMut(Table, usize) -> Result<ControlFlow<()>, LoadError>,
    ) -> Result<(), LoadError> {
        let (parts, received) = std::sync::mpsc::sync_channel(1);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                for &part in &self.parts {
                    if progress.is_cancelled() {
                        break;
                    }
                    let read = self.read(kept, part).map(|table| (table, part.0));
                    // The receiver is gone when `each` failed: stop reading.
                    if parts.send(read).is_err() {
                        break;
                    }
                }
            });
            for part in received {
                let (part, first_row) = part?;
                let read = first_row + part.height();
                // Dropping `received` stops the reading thread.
                if each(part, first_row)?.is_break() {
                    return Ok(());
                }
                progress.set_rows(read.min(self.rows));
            }
            if progress.is_cancelled() {
                return Err(LoadError::Cancelled);
            }
            Ok(())
        })
    }

    /// The `kept` columns of the part (first row, rows).
    fn read(&self, kept: &KeptColumns, part: (usize, usize)) -> Result<Table, LoadError> {
        let parse_error = |message: String| LoadError::Parse {
            path: self.path.clone(),
            message,
        };
        let file = File::open(&self.path).map_err(|source| LoadError::Io {
            path: self.path.clone(),
            source,
        })?;
        let names: Vec<String> = kept.iter().map(|(name, _)| name.clone()).collect();
        contain(|| -> PolarsResult<Table> {
            let frame = ParquetReader::new(file)
                .with_columns(Some(names))
                .with_slice(Some(part))
                .finish()?;
            let mut columns = FrameColumns::new(kept.clone());
            columns.append(&frame)?;
            Ok(columns.finish(self.names.clone(), frame.height()))
        })
        .map_err(parse_error)?
        .map_err(|e| parse_error(e.to_string()))
    }
}

/// What must be known of every row before a part can be coded.
struct Plan {
    task: Task,
    /// The slice columns and their rules, in the roles' order.
    slices: Vec<(String, SliceRule)>,
    notes: Vec<String>,
}

/// The first pass: labels and predictions for the task, slice columns for their rules.
fn plan(
    reader: &Parts,
    table: &TableFile,
    roles: &ColumnRoles,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<Plan, LoadError> {
    let label_roles = label_roles(roles);
    let mut kept: KeptColumns = kept_columns(&label_roles);
    kept.extend(roles.slices.iter().map(|c| (c.clone(), Storage::Distinct)));
    // Any task: detection needs the codes before the task is known.
    let encoding = MappingRequest {
        task: Some(Task::Classification),
        ..request.clone()
    };
    let mut task = TaskTally::default();
    // Per slice column: rows with a prediction, and rows with a label only (kept for
    // transcripts, whose empty hypothesis is an answer).
    let mut tallies: Vec<[SliceTally; 2]> = Vec::new();
    reader.each(&kept, progress, |part, first_row| {
        let loader = Loader::part(table, &part, first_row, None);
        let codes = encode_labels(
            &loader.label_columns(&label_roles, request.normalize_labels)?,
            &encoding,
        );
        task.add(codes.dictionary.names(), &codes.labels, &codes.predictions);
        // 0: a prediction, 1: a label only, 2: no label (not a slice's row).
        let group: Vec<u8> = codes
            .labels
            .iter()
            .zip(&codes.predictions)
            .map(|(&l, &p)| match (l, p) {
                (MISSING, _) => 2,
                (_, MISSING) => 1,
                _ => 0,
            })
            .collect();
        let parts: Vec<[SliceTally; 2]> = roles
            .slices
            .par_iter()
            .map(|name| {
                let column = loader.column(name)?;
                tally_column(&loader, &column, &group)
            })
            .collect::<Result<_, _>>()?;
        if tallies.is_empty() {
            tallies = parts;
        } else {
            for (mine, theirs) in tallies.iter_mut().zip(parts) {
                let [a, b] = theirs;
                mine[0].absorb(a);
                mine[1].absorb(b);
            }
        }
        Ok(ControlFlow::Continue(()))
    })?;
    let task = match request.task {
        Some(task) => task,
        None => match task.detect() {
            Some(task) => task,
            None => task.detect_with_novel(novel_predictions(
                reader,
                table,
                &label_roles,
                request,
                &task,
                progress,
            )?),
        },
    };
    let (mut slices, mut notes) = (Vec::new(), Vec::new());
    for (name, [mut scored, label_only]) in roles.slices.iter().zip(tallies) {
        if task == Task::Transcription {
            scored.absorb(label_only);
        }
        match scored.rule() {
            Ok(rule) => slices.push((name.clone(), rule)),
            Err(problem) if !request.slices.is_empty() => {
                return Err(LoadError::BadSlice {
                    path: table.path.clone(),
                    column: name.clone(),
                    problem,
                });
            }
            Err(problem) => {
                notes.push(format!("column {name:?} is not used as a slice: {problem}"))
            }
        }
    }
    Ok(Plan {
        task,
        slices,
        notes,
    })
}

/// The roles with only the label and prediction columns.
fn label_roles(roles: &ColumnRoles) -> ColumnRoles {
    ColumnRoles {
        label: roles.label.clone(),
        prediction: roles.prediction.clone(),
        ..ColumnRoles::default()
    }
}

/// One part of a slice column tallied: rows with a prediction, rows with a label only.
fn tally_column(
    loader: &Loader<'_>,
    column: &Column,
    group: &[u8],
) -> Result<[SliceTally; 2], LoadError> {
    let typed = column.is_numeric();
    let mut tallies = [SliceTally::new(typed), SliceTally::new(typed)];
    if let Column::Typed(series) = column
        && typed
    {
        let rows: Vec<usize> = (0..group.len()).collect();
        let Ok(()) = each_kept_number(series, &rows, |row, x| {
            if let Some(tally) = tallies.get_mut(usize::from(group[row])) {
                tally.add_number(x, 1);
            }
            Ok::<_, std::convert::Infallible>(())
        })
        .map_err(|e| loader.parse_error(e))?;
        return Ok(tallies);
    }
    let text = column.text().map_err(|e| loader.parse_error(e))?;
    let number = |v: &str| parse_number(v, false).filter(|x| x.is_finite());
    match &*text {
        // Each distinct value tallied once, with its rows.
        TextColumn::Distinct { codes, values } => {
            let mut rows = vec![[0usize; 2]; values.len() + 1];
            for (&code, &g) in codes.iter().zip(group) {
                if g < 2 {
                    let at = if code == NO_VALUE {
                        values.len()
                    } else {
                        code as usize
                    };
                    rows[at][usize::from(g)] += 1;
                }
            }
            for (g, tally) in tallies.iter_mut().enumerate() {
                for (value, counts) in values.iter().zip(&rows) {
                    if counts[g] > 0 {
                        tally.add_text(Some(value), number(value), counts[g]);
                    }
                }
                if rows[values.len()][g] > 0 {
                    tally.add_text(None, None, rows[values.len()][g]);
                }
            }
        }
        text => {
            for (cell, &g) in text.iter().zip(group) {
                if let Some(tally) = tallies.get_mut(usize::from(g)) {
                    tally.add_text(cell, cell.and_then(number), 1);
                }
            }
        }
    }
    Ok(tallies)
}

/// What task detection ([`crate::data::encode::detect_task`]) needs of every row, kept
/// small: label names only while there are few of them.
#[derive(Default)]
struct TaskTally {
    labels: PlHashMap<String, usize>,
    many_labels: bool,
    present: usize,
    multi_word: usize,
    /// Predictions of rows with a label, by name, while there are few of them.
    predictions: PlHashMap<String, usize>,
    many_predictions: bool,
}

/// Distinct predictions counted by name before they are counted in a pass of their own.
const COUNTED_PREDICTIONS: usize = 1 << 16;

impl TaskTally {
    fn add(&mut self, names: &[String], labels: &[u32], predictions: &[u32]) {
        let mut label_rows = vec![0usize; names.len()];
        let mut prediction_rows = vec![0usize; names.len()];
        for (&l, &p) in labels.iter().zip(predictions) {
            if l != MISSING {
                label_rows[l as usize] += 1;
                if p != MISSING {
                    prediction_rows[p as usize] += 1;
                }
            }
        }
        for ((name, &l), &p) in names.iter().zip(&label_rows).zip(&prediction_rows) {
            if l > 0 {
                self.present += l;
                if name.split_whitespace().nth(1).is_some() {
                    self.multi_word += l;
                }
                if !self.many_labels {
                    *self.labels.entry(name.clone()).or_default() += l;
                    self.many_labels = self.labels.len() > MAX_SLICE_VALUES;
                }
            }
            if p > 0 && !self.many_predictions {
                *self.predictions.entry(name.clone()).or_default() += p;
                self.many_predictions = self.predictions.len() > COUNTED_PREDICTIONS;
            }
        }
        if self.many_labels {
            self.labels = PlHashMap::default();
        }
        if self.many_predictions {
            self.predictions = PlHashMap::default();
        }
    }

    fn sentences(&self) -> bool {
        self.present > 0 && self.multi_word * 2 >= self.present
    }

    /// The task, unless it depends on how many predictions are none of the labels and
    /// those were too many to count by name.
    fn detect(&self) -> Option<Task> {
        let distinct = self.labels.len();
        if !self.sentences() {
            return Some(Task::Classification);
        }
        if self.many_labels || distinct * 10 >= self.present * 3 {
            return Some(Task::Transcription);
        }
        if self.many_predictions {
            return None;
        }
        let novel = self
            .predictions
            .iter()
            .filter(|(name, _)| !self.labels.contains_key(*name))
            .map(|(_, rows)| rows)
            .sum();
        Some(self.detect_with_novel(novel))
    }

    fn detect_with_novel(&self, novel: usize) -> Task {
        if novel * 10 >= self.present {
            Task::Transcription
        } else {
            Task::Classification
        }
    }
}

/// Rows with a label whose prediction is none of the labels: a pass of its own, when the
/// predictions had too many names to count by name.
fn novel_predictions(
    reader: &Parts,
    table: &TableFile,
    label_roles: &ColumnRoles,
    request: &MappingRequest,
    tally: &TaskTally,
    progress: &Progress,
) -> Result<usize, LoadError> {
    let encoding = MappingRequest {
        task: Some(Task::Classification),
        ..request.clone()
    };
    let mut novel = 0;
    reader.each(&kept_columns(label_roles), progress, |part, first_row| {
        let loader = Loader::part(table, &part, first_row, None);
        let codes = encode_labels(
            &loader.label_columns(label_roles, request.normalize_labels)?,
            &encoding,
        );
        let is_label: Vec<bool> = codes
            .dictionary
            .names()
            .iter()
            .map(|n| tally.labels.contains_key(n))
            .collect();
        novel += codes
            .labels
            .iter()
            .zip(&codes.predictions)
            .filter(|&(&l, &p)| l != MISSING && p != MISSING && !is_label[p as usize])
            .count();
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(novel)
}

/// The counts of one part, and what its rows add to the warnings and the id check.
pub(super) struct PartCounts {
    counts: Option<Counts>,
    tags: TagTotals,
    tag_examples: Vec<(String, Vec<String>)>,
    issues: RowIssues,
    /// The hashes of its ids, unless they and every id before them ascend.
    id_hashes: Vec<u64>,
    /// The first and last ids, when each id is greater than the one before.
    ascending_ids: Option<(String, String)>,
    /// Its first row in the file.
    first_row: usize,
}

impl<'a> Loader<'a> {
    /// The loader of one part of a Parquet table, which starts at the file's `first_row`.
    fn part(
        table: &'a TableFile,
        part: &'a Table,
        first_row: usize,
        part_slices: Option<PartSlices<'a>>,
    ) -> Self {
        Loader {
            table,
            columns: part,
            consume: true,
            decimal_comma: false,
            first_row,
            part_slices,
        }
    }

    /// Loads this part as a table of its own and counts it; its labels and predictions go
    /// to `task` when the task is still to be found. `ids_before`: the order of the ids of
    /// the parts before.
    fn count_part(
        &self,
        roles: &ColumnRoles,
        request: &MappingRequest,
        task: Option<&mut TaskTally>,
        ids_before: &Ascending,
    ) -> Result<PartCounts, LoadError> {
        let labels = encode_labels(
            &self.label_columns(roles, request.normalize_labels)?,
            request,
        );
        if let Some(task) = task {
            task.add(
                labels.dictionary.names(),
                &labels.labels,
                &labels.predictions,
            );
        }
        let kept = self.kept_rows(&labels);
        let mut issues = RowIssues {
            no_label: kept.no_label,
            no_prediction: kept.no_prediction,
            ..RowIssues::default()
        };
        let nothing = |issues| PartCounts {
            counts: None,
            tags: TagTotals::default(),
            tag_examples: Vec::new(),
            issues,
            id_hashes: Vec::new(),
            ascending_ids: None,
            first_row: self.first_row,
        };
        if kept.rows.is_empty() {
            return Ok(nothing(issues));
        }
        let read = self.read_other_columns(roles, &kept.rows, request)?;
        issues.no_ids = read.no_ids;
        issues.no_confidence = read.no_confidence;
        if let Some(media) = read.media {
            issues.missing_media = media.missing;
        }
        let task = labels.task;
        let encoded = labels.finish(&kept.rows, Vec::new());
        let (set, _) = evaluation_set(task, encoded, read.ids, read.confidence, read.slices);
        if let Some(column) = &roles.time {
            // Not in the report, but checked as loading the table whole checks it.
            self.times(column, &kept.rows)?;
        }
        let book = tag_book(&set, read.tags.as_deref(), &kept.rows);
        let tag_examples = book
            .names()
            .iter()
            .enumerate()
            .map(|(tag, name)| {
                let rows = book.rows(tag);
                let ids = rows.iter().take(EXAMPLES);
                (
                    name.clone(),
                    ids.map(|&r| set.ids.get(r as usize).to_string()).collect(),
                )
            })
            .collect();
        let ascending_ids = (!issues.no_ids && set.ids.ascending()).then(|| {
            let last = set.ids.len() - 1;
            (set.ids.get(0).to_string(), set.ids.get(last).to_string())
        });
        let still_ascending = ascending_ids
            .as_ref()
            .is_some_and(|(first, _)| ids_before.continued_by(first));
        let id_hashes = match issues.no_ids || still_ascending {
            true => Vec::new(),
            false => (0..set.len())
                .into_par_iter()
                .map(|row| xxhash_rust::xxh3::xxh3_64(set.ids.get(row).as_bytes()))
                .collect(),
        };
        Ok(PartCounts {
            counts: Some(Counts::of_part(&set)),
            tags: TagTotals::of(&book),
            tag_examples,
            issues,
            id_hashes,
            ascending_ids,
            first_row: self.first_row,
        })
    }
}

/// The parts' counts added up as they come.
#[derive(Default)]
struct Total {
    counts: Option<Counts>,
    tags: TagTotals,
    tag_examples: BTreeMap<String, Vec<String>>,
    issues: RowIssues,
    id_hashes: Vec<u64>,
    /// Whether every kept id so far was greater than the one before: then no id repeats,
    /// and the ids need no hashes.
    ascending_ids: Ascending,
    /// The file's rows before this one have no hashes: their ids ascended, until a later
    /// part's did not.
    unhashed_before: usize,
}

#[derive(Default)]
enum Ascending {
    #[default]
    NoIdYet,
    /// So far, up to this id.
    Since(String),
    No,
}

impl Ascending {
    /// Whether ids that ascend from `first` on keep the order.
    fn continued_by(&self, first: &str) -> bool {
        match self {
            Ascending::NoIdYet => true,
            Ascending::Since(before) => before.as_str() < first,
            Ascending::No => false,
        }
    }
}

impl Total {
    fn absorb(&mut self, part: PartCounts) {
        let before = std::mem::take(&mut self.ascending_ids);
        if matches!(before, Ascending::Since(_)) {
            self.unhashed_before = part.first_row;
        }
        self.ascending_ids = match (before, part.ascending_ids) {
            (Ascending::No, _) => Ascending::No,
            // A part without kept rows.
            (so_far, None) if part.id_hashes.is_empty() => so_far,
            (_, None) => Ascending::No,
            (before, Some((first, last))) if before.continued_by(&first) => Ascending::Since(last),
            (_, Some(_)) => Ascending::No,
        };
        match (&mut self.counts, part.counts) {
            (Some(total), Some(counts)) => total.absorb(&counts),
            (total @ None, counts) => *total = counts,
            _ => {}
        }
        self.tags.absorb(&part.tags);
        for (name, ids) in part.tag_examples {
            let examples = self.tag_examples.entry(name).or_default();
            let room = EXAMPLES - examples.len();
            examples.extend(ids.into_iter().take(room));
        }
        self.issues.absorb(part.issues);
        self.id_hashes.extend(part.id_hashes);
    }
}

/// Fails as loading a table whole does when two kept rows share an id. The ids' hashes
/// are sorted; only when two are equal are the ids read again, to compare them as text.
/// The rows before `unhashed_before` have no hashes yet (their ids ascended): their ids are
/// read again first.
fn check_unique_ids(
    reader: &Parts,
    table: &TableFile,
    roles: &ColumnRoles,
    request: &MappingRequest,
    mut hashes: Vec<u64>,
    unhashed_before: usize,
    progress: &Progress,
) -> Result<(), LoadError> {
    // The id column, or the media paths standing in for it; without either, rows are
    // numbered.
    let Some(column) = roles.id.as_ref().or(roles.media.as_ref()) else {
        return Ok(());
    };
    let hash = |id: &str| xxhash_rust::xxh3::xxh3_64(id.as_bytes());
    let each_id = |each: &mut dyn FnMut(&str, usize) -> ControlFlow<()>| {
        each_kept_id(reader, table, roles, request, column, progress, each)
    };
    if unhashed_before > 0 {
        each_id(&mut |id, row| {
            if row >= unhashed_before {
                return ControlFlow::Break(());
            }
            hashes.push(hash(id));
            ControlFlow::Continue(())
        })?;
    }
    let hashes = crate::model::ids::sorted(hashes);
    let repeated: PlHashSet<u64> = hashes
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    drop(hashes);
    if repeated.is_empty() {
        return Ok(());
    }
    // (id, file row) of every row whose id's hash is repeated, in row order.
    let mut candidates: Vec<(String, usize)> = Vec::new();
    each_id(&mut |id, row| {
        if repeated.contains(&hash(id)) {
            candidates.push((id.to_string(), row));
        }
        ControlFlow::Continue(())
    })?;
    // (first, later) row of each repeated id, in the order the later ones appear.
    let mut first_of: PlHashMap<&str, usize> = PlHashMap::default();
    let mut pairs: Vec<(&str, usize, usize)> = Vec::new();
    for (id, row) in &candidates {
        match first_of.get(id.as_str()) {
            Some(&first) => pairs.push((id, first, *row)),
            None => {
                first_of.insert(id, *row);
            }
        }
    }
    if pairs.is_empty() {
        return Ok(());
    }
    let mut examples = RowList::default();
    for &(id, first, later) in &pairs {
        examples.push(format!(
            "{id:?} (rows {} and {})",
            row_number(first),
            row_number(later)
        ));
    }
    Err(LoadError::DuplicateIds {
        path: table.path.clone(),
        column: column.clone(),
        count: pairs.len(),
        examples: examples.first,
    })
}

/// Calls `each` with the id (or media path) in `column` of every kept row and its row in
/// the file, in row order, until it breaks.
fn each_kept_id(
    reader: &Parts,
    table: &TableFile,
    roles: &ColumnRoles,
    request: &MappingRequest,
    column: &str,
    progress: &Progress,
    mut each: impl FnMut(&str, usize) -> ControlFlow<()>,
) -> Result<(), LoadError> {
    let id_roles = label_roles(roles);
    let mut kept: KeptColumns = kept_columns(&id_roles);
    kept.push((column.to_string(), Storage::Plain));
    reader.each(&kept, progress, |part, first_row| {
        let loader = Loader::part(table, &part, first_row, None);
        let codes = encode_labels(
            &loader.label_columns(&id_roles, request.normalize_labels)?,
            request,
        );
        let rows = loader.kept_rows(&codes).rows;
        let ids = loader.text(column)?;
        for row in rows {
            let id = ids.get(row).map(str::trim).unwrap_or_default();
            if each(id, first_row + row).is_break() {
                return Ok(ControlFlow::Break(()));
            }
        }
        Ok(ControlFlow::Continue(()))
    })
}
