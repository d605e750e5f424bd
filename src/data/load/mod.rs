//! From a dataset path and the user's mapping to an [`EvalSet`]: labels, predictions and
//! slices become integer codes, media paths are checked, problems become messages.
//! Independent columns are processed in parallel.

mod current;

pub use current::{ReferenceSource, load_current, load_reference};

use std::path::Path;
use std::sync::Arc;

use polars::prelude::*;
use rayon::prelude::*;

use super::encode::{Dictionary, Encoded, detect_task};
use super::error::LoadError;
use super::mapping::{ColumnRoles, MappingRequest, resolve_roles};
use super::media;
use super::progress::{Progress, Step};
use super::slicing::{SliceSource, parse_number, slice_column};
use super::table::{self, Delimited, Fingerprint, ReadTable, TableFile};
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
    let (table, read) = read_table(path, request, progress)?;
    build(&table, read, request, progress)
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
    let (table, read) = read_table(path, request, progress)?;
    let frame = &read.frame;
    let columns = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let head = (0..frame.height().min(rows))
        .map(|row| {
            frame
                .columns()
                .iter()
                .map(|column| match column.get(row) {
                    Ok(AnyValue::Null) | Err(_) => String::new(),
                    Ok(AnyValue::String(s)) => s.to_string(),
                    Ok(value) => value.to_string(),
                })
                .collect()
        })
        .collect();
    let delimited = read.delimited;
    let dataset = build(&table, read, request, progress);
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

fn read_table(
    path: &Path,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<(TableFile, ReadTable), LoadError> {
    progress.enter(Step::ReadingTable)?;
    let table = table::locate(path, request.table.as_deref())?;
    let read = table::read(&table, request.separator_byte())?;
    progress.set_rows(read.frame.height());
    Ok((table, read))
}

fn build(
    table: &TableFile,
    read: ReadTable,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<Dataset, LoadError> {
    progress.enter(Step::Encoding)?;
    let loader = Loader {
        table,
        frame: &read.frame,
        decimal_comma: read.delimited.is_some_and(Delimited::decimal_comma),
    };
    let mut dataset = loader.build(request, read.fingerprint)?;
    dataset.delimited = read.delimited;
    Ok(dataset)
}

struct Loader<'a> {
    table: &'a TableFile,
    frame: &'a DataFrame,
    /// Numbers may be written `0,93` (see [`Delimited::decimal_comma`]).
    decimal_comma: bool,
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

/// The values of a text column per table row, `None` for empty (or blank) cells.
fn cell_iter(column: &StringChunked) -> impl Iterator<Item = Option<&str>> {
    column
        .iter()
        .map(|v| v.filter(|s| !s.bytes().all(|b| b.is_ascii_whitespace())))
}

fn cells(column: &StringChunked) -> Vec<Option<&str>> {
    cell_iter(column).collect()
}

/// A cell of a numeric column that does not parse as a number.
struct NotANumber {
    row: usize,
    text: String,
}

struct MediaColumn {
    paths: Vec<Option<String>>,
    missing: usize,
    warning: Option<String>,
}

/// Labels, predictions, human labels and baseline predictions of every row, as codes into
/// one vocabulary, and the task.
struct LabelCodes<'a> {
    dictionary: Dictionary<'a>,
    labels: Vec<u32>,
    predictions: Vec<u32>,
    human: Option<Vec<u32>>,
    baseline: Option<Vec<u32>>,
    /// Per annotator column, the codes of every table row.
    annotators: Vec<Vec<u32>>,
    task: Task,
}

impl LabelCodes<'_> {
    /// The final vocabulary and the codes of the kept rows; a missing transcript
    /// hypothesis is the empty text. `from_file` holds annotators' codes already per kept
    /// row (an annotations file).
    fn finish(&mut self, kept: &[usize], from_file: &[Vec<u32>]) -> Encoded {
        let empty_text = self.dictionary.code("");
        let pick = |codes: &[u32]| -> Vec<u32> { kept.iter().map(|&r| codes[r]).collect() };
        let predictions: Vec<u32> = kept
            .iter()
            .map(|&r| match self.predictions[r] {
                MISSING => empty_text,
                code => code,
            })
            .collect();
        let (human, baseline) = (
            self.human.as_deref().map(pick),
            self.baseline.as_deref().map(pick),
        );
        let mut annotators: Vec<Vec<u32>> = self.annotators.iter().map(|c| pick(c)).collect();
        annotators.extend(from_file.iter().cloned());
        self.dictionary.finish(
            [&pick(&self.labels), &predictions],
            [human.as_deref(), baseline.as_deref()],
            &annotators,
        )
    }
}

/// Labels detected as classes that look like free text: more classes than a table can show
/// and most of them used once. Transcripts are then better read as such.
fn free_text_warning(set: &EvalSet, label_column: &str) -> Option<String> {
    let classes = set.class_names().len();
    if set.task != Task::Classification || classes <= CLASSES_SHOWN || classes * 2 < set.len() {
        return None;
    }
    Some(format!(
        "column {label_column:?} has {classes} distinct labels in {} rows, so most values are \
         unique: if they are sentences, add --task transcription to score them as transcripts \
         (WER and CER)",
        set.len()
    ))
}

/// Classes whose names differ only in case, surrounding spaces or Unicode form ("Dog" and
/// "dog", "café" composed and decomposed): they count apart but read alike, so the warning
/// names them distinguishably.
fn look_alike_warning(set: &EvalSet, label_column: &str) -> Option<String> {
    use unicode_normalization::UnicodeNormalization;
    if set.task != Task::Classification {
        return None;
    }
    let mut groups: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for name in set.class_names() {
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
    label: StringChunked,
    prediction: StringChunked,
    human: Option<StringChunked>,
    baseline: Option<StringChunked>,
    annotators: Vec<StringChunked>,
    annotations: Option<AnnotationsFile>,
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
    let read = table::read(&table, None)?;
    let frame = read.frame;
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let column = |wanted: &str| -> Result<StringChunked, LoadError> {
        let name = names
            .iter()
            .find(|c| c.trim().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                bad(format!(
                    "no {wanted:?} column (columns found: {})",
                    names.join(", ")
                ))
            })?;
        let text = frame
            .column(name)
            .and_then(|c| c.as_materialized_series().cast(&DataType::String))
            .map_err(|e| bad(e.to_string()))?;
        Ok(text.str().map_err(|e| bad(e.to_string()))?.clone())
    };
    let (ids, annotators, labels) = (column("id")?, column("annotator")?, column("label")?);
    let mut lines = Vec::with_capacity(frame.height());
    let mut seen: PlHashMap<(String, String), usize> = PlHashMap::default();
    // Data rows start on the second line, after the header.
    for (i, ((id, annotator), label)) in cell_iter(&ids)
        .zip(cell_iter(&annotators))
        .zip(cell_iter(&labels))
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
fn encode_labels<'a>(columns: &'a LabelColumns, request: &MappingRequest) -> LabelCodes<'a> {
    let mut dictionary = Dictionary::default();
    let labels = dictionary.encode(cell_iter(&columns.label), |_| true);
    let predictions =
        dictionary.encode(cell_iter(&columns.prediction), |row| labels[row] != MISSING);
    // Detected before human labels and baselines join the vocabulary.
    let task = request
        .task
        .unwrap_or_else(|| detect_task(dictionary.names(), &labels, &predictions));
    let human = columns
        .human
        .as_ref()
        .map(|c| dictionary.encode(cell_iter(c), |_| true));
    let baseline = columns
        .baseline
        .as_ref()
        .map(|c| dictionary.encode(cell_iter(c), |_| true));
    let annotators = columns
        .annotators
        .iter()
        .map(|c| dictionary.encode(cell_iter(c), |_| true))
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

/// The rows that can be scored, and how many were left out.
struct KeptRows {
    rows: Vec<usize>,
    excluded: usize,
}

/// The columns read for the kept rows besides labels and predictions.
struct OtherColumns {
    ids: Ids,
    media: Option<MediaColumn>,
    confidence: Option<Vec<f64>>,
    slices: Vec<SliceColumn>,
    /// Notes about slice columns (those left out, and why).
    notes: Vec<String>,
    tags: Option<StringChunked>,
    warnings: Vec<String>,
}

impl Loader<'_> {
    fn path(&self) -> &Path {
        &self.table.path
    }

    fn parse_error(&self, e: PolarsError) -> LoadError {
        LoadError::Parse {
            path: self.path().to_path_buf(),
            message: e.to_string(),
        }
    }

    fn series(&self, name: &str) -> Result<&Series, LoadError> {
        Ok(self
            .frame
            .column(name)
            .map_err(|e| self.parse_error(e))?
            .as_materialized_series())
    }

    /// The column as text (see [`cells`] for the values). Lists (JSON arrays) are joined
    /// with `;`, the tags separator.
    fn text(&self, name: &str) -> Result<StringChunked, LoadError> {
        let series = self.series(name)?;
        if let DataType::List(_) = series.dtype() {
            let lists = series.list().map_err(|e| self.parse_error(e))?;
            let joined: Vec<Option<String>> = (0..lists.len())
                .map(|i| match lists.get_as_series(i) {
                    None => Ok(None),
                    Some(inner) => {
                        let inner = inner
                            .cast(&DataType::String)
                            .map_err(|e| self.parse_error(e))?;
                        let parts: Vec<&str> = inner
                            .str()
                            .map_err(|e| self.parse_error(e))?
                            .iter()
                            .flatten()
                            .collect();
                        Ok(Some(parts.join(";")))
                    }
                })
                .collect::<Result<_, LoadError>>()?;
            return Ok(StringChunked::from_iter_options(
                name.into(),
                joined.into_iter(),
            ));
        }
        let text = series
            .cast(&DataType::String)
            .map_err(|e| self.parse_error(e))?;
        Ok(text.str().map_err(|e| self.parse_error(e))?.clone())
    }

    fn is_numeric(&self, name: &str) -> Result<bool, LoadError> {
        Ok(self.series(name)?.dtype().is_primitive_numeric())
    }

    /// The kept rows of a column as numbers, or the first cell that is not a number.
    fn numbers(
        &self,
        name: &str,
        kept: &[usize],
    ) -> Result<Result<Vec<Option<f64>>, NotANumber>, LoadError> {
        if self.is_numeric(name)? {
            let floats = self
                .series(name)?
                .cast(&DataType::Float64)
                .map_err(|e| self.parse_error(e))?;
            let floats = floats.f64().map_err(|e| self.parse_error(e))?;
            return Ok(Ok(select(floats.iter(), kept)));
        }
        let column = self.text(name)?;
        let text = cells(&column);
        let parsed: Vec<Result<Option<f64>, usize>> = kept
            .par_iter()
            .map(|&row| match text[row] {
                None => Ok(None),
                Some(v) => parse_number(v, self.decimal_comma).map(Some).ok_or(row),
            })
            .collect();
        match parsed.iter().find_map(|p| p.err()) {
            Some(row) => Ok(Err(NotANumber {
                row,
                text: text[row].unwrap_or_default().to_string(),
            })),
            None => Ok(Ok(parsed.into_iter().map(|p| p.unwrap_or(None)).collect())),
        }
    }

    /// The dataset from the table under `request`'s roles, in named steps: labels and
    /// predictions encoded, the rows that can be scored kept, the other columns read.
    fn build(
        &self,
        request: &MappingRequest,
        fingerprint: Fingerprint,
    ) -> Result<Dataset, LoadError> {
        let columns: Vec<String> = self
            .frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let mut roles = resolve_roles(self.path(), &columns, request)?;
        let mut warnings = Vec::new();
        let label_columns = self.label_columns(
            &roles,
            request.normalize_labels,
            request.annotations.as_deref(),
        )?;
        let mut labels = encode_labels(&label_columns, request);
        let kept = self.kept_rows(&labels, &roles, &mut warnings)?;
        let read = self.read_other_columns(&roles, &kept.rows, request)?;
        warnings.extend(read.warnings);
        roles.slices = read.slices.iter().map(|s| s.name.clone()).collect();
        let from_file = match &label_columns.annotations {
            Some(file) => annotation_codes(file, &mut labels.dictionary, &read.ids)?,
            None => Vec::new(),
        };
        let encoded = labels.finish(&kept.rows, &from_file);
        let mut annotator_names = roles.annotators.clone();
        annotator_names.extend(
            label_columns
                .annotations
                .iter()
                .flat_map(|f| f.annotators.iter().cloned()),
        );
        let annotators = (!annotator_names.is_empty()).then(|| Annotators {
            labels: row_major(&encoded.annotators, kept.rows.len()),
            names: annotator_names,
        });
        let set = EvalSet::new(EvalSetParts {
            task: labels.task,
            ids: read.ids,
            vocab: encoded.names,
            n_classes: encoded.n_classes,
            labels: encoded.labels,
            predictions: encoded.predictions,
            confidence: read.confidence,
            human: encoded.human,
            baseline: encoded.baseline,
            slices: read.slices,
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
            warnings.extend(free_text_warning(&set, &roles.label));
        }
        warnings.extend(look_alike_warning(&set, &roles.label));
        let tags = tag_book(&set, read.tags.as_ref(), &kept.rows);
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
            missing_media: read.media.as_ref().map_or(0, |m| m.missing),
            media: read.media.map(|m| m.paths),
            times,
            excluded_rows: kept.excluded,
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
        annotations: Option<&Path>,
    ) -> Result<LabelColumns, LoadError> {
        let read = |column: &str| -> Result<StringChunked, LoadError> {
            let text = self.text(column)?;
            Ok(if normalize {
                text.iter().map(|cell| cell.map(normalize_label)).collect()
            } else {
                text
            })
        };
        let optional = |column: &Option<String>| column.as_deref().map(read).transpose();
        Ok(LabelColumns {
            label: read(&roles.label)?,
            prediction: read(&roles.prediction)?,
            human: optional(&roles.human)?,
            baseline: optional(&roles.baseline)?,
            annotators: roles
                .annotators
                .iter()
                .map(|c| read(c))
                .collect::<Result<_, _>>()?,
            annotations: annotations
                .map(|path| read_annotations(path, normalize))
                .transpose()?,
        })
    }
    /// The rows that can be scored: rows without ground truth cannot, nor a classifier's
    /// empty prediction (an empty transcript hypothesis is a real, all-deletions answer).
    /// Excluded rows are counted and named in a warning; with none left, loading fails.
    fn kept_rows(
        &self,
        codes: &LabelCodes<'_>,
        roles: &ColumnRoles,
        warnings: &mut Vec<String>,
    ) -> Result<KeptRows, LoadError> {
        let mut rows = Vec::with_capacity(codes.labels.len());
        let (mut no_label, mut no_prediction) = (Vec::new(), Vec::new());
        for row in 0..codes.labels.len() {
            if codes.labels[row] == MISSING {
                no_label.push(row);
            } else if codes.predictions[row] == MISSING && codes.task == Task::Classification {
                no_prediction.push(row);
            } else {
                rows.push(row);
            }
        }
        for (excluded, column) in [
            (&no_label, &roles.label),
            (&no_prediction, &roles.prediction),
        ] {
            if !excluded.is_empty() {
                warnings.push(format!(
                    "{} rows excluded: empty {column:?} (rows {})",
                    excluded.len(),
                    example_rows(excluded)
                ));
            }
        }
        if rows.is_empty() {
            let column = if no_label.is_empty() {
                &roles.prediction
            } else {
                &roles.label
            };
            return Err(LoadError::NoRowsLeft {
                path: self.path().to_path_buf(),
                column: column.clone(),
            });
        }
        Ok(KeptRows {
            rows,
            excluded: no_label.len() + no_prediction.len(),
        })
    }

    /// Ids, media paths, confidences and slices of the kept rows: independent of each
    /// other, so read in parallel.
    fn read_other_columns(
        &self,
        roles: &ColumnRoles,
        kept: &[usize],
        request: &MappingRequest,
    ) -> Result<OtherColumns, LoadError> {
        let media_column = roles.media.as_deref().map(|c| self.text(c)).transpose()?;
        let media_cells = media_column.as_ref().map(cells);
        let tags = roles.tags.as_deref().map(|c| self.text(c)).transpose()?;
        let explicit_slices = !request.slices.is_empty();
        let ((ids, media), (confidence, slices)) = rayon::join(
            || {
                rayon::join(
                    || self.ids(roles, kept, media_cells.as_deref()),
                    || match (&roles.media, &media_cells) {
                        (Some(c), Some(values)) => self.media(c, values, kept).map(Some),
                        _ => Ok(None),
                    },
                )
            },
            || {
                rayon::join(
                    || {
                        roles
                            .confidence
                            .as_deref()
                            .map(|c| self.confidence(c, kept))
                            .transpose()
                    },
                    || self.slices(&roles.slices, kept, explicit_slices),
                )
            },
        );
        let (ids, id_warning) = ids?;
        let media = media?;
        let (slices, notes) = slices?;
        let mut warnings: Vec<String> = id_warning.into_iter().collect();
        warnings.extend(media.as_ref().and_then(|m| m.warning.clone()));
        let confidence = confidence?.map(|(values, warning)| {
            warnings.extend(warning);
            values
        });
        Ok(OtherColumns {
            ids,
            media,
            confidence,
            slices,
            notes,
            tags,
            warnings,
        })
    }

    /// Row ids from the id column, else the media path, else the row number (with a
    /// warning). Ids must be present and unique.
    fn ids(
        &self,
        roles: &ColumnRoles,
        kept: &[usize],
        media: Option<&[Option<&str>]>,
    ) -> Result<(Ids, Option<String>), LoadError> {
        let id_column = roles.id.as_deref().map(|c| self.text(c)).transpose()?;
        let id_cells = id_column.as_ref().map(cells);
        let (column, values) = match (&roles.id, id_cells.as_deref(), &roles.media, media) {
            (Some(c), Some(v), _, _) => (c, v),
            (None, _, Some(c), Some(m)) => (c, m),
            _ => {
                let warning = "no id or media column: rows are identified by their row number, so tags depend on the row order; add an id column";
                return Ok((
                    kept.iter().map(|&r| row_number(r).to_string()).collect(),
                    Some(warning.into()),
                ));
            }
        };
        let mut trimmed = Vec::with_capacity(kept.len());
        for &row in kept {
            match values[row] {
                Some(v) => trimmed.push(v.trim()),
                None => {
                    return Err(LoadError::EmptyId {
                        path: self.path().to_path_buf(),
                        column: column.clone(),
                        row: row_number(row),
                    });
                }
            }
        }
        let pairs = duplicate_pairs(&trimmed);
        let duplicates: Vec<String> = pairs
            .iter()
            .take(EXAMPLES)
            .map(|&(first, later)| {
                format!(
                    "{:?} (rows {} and {})",
                    trimmed[later],
                    row_number(kept[first]),
                    row_number(kept[later])
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
        let bytes = trimmed.iter().map(|id| id.len()).sum();
        let mut ids = Ids::with_capacity(trimmed.len(), bytes);
        for id in trimmed {
            ids.push(id);
        }
        Ok((ids, None))
    }

    /// Each kept row's time (`None` where empty); a value that is not a date, a time or a
    /// number of seconds is an error naming its row.
    fn times(&self, column: &str, kept: &[usize]) -> Result<Vec<Option<i64>>, LoadError> {
        let text = self.text(column)?;
        let all = cells(&text);
        kept.iter()
            .map(|&row| match all[row] {
                None => Ok(None),
                Some(v) => parse_time(v).map(Some).ok_or_else(|| LoadError::BadTime {
                    path: self.path().to_path_buf(),
                    column: column.to_string(),
                    row: row_number(row),
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
                row: row_number(row),
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

    fn confidence(
        &self,
        column: &str,
        kept: &[usize],
    ) -> Result<(Vec<f64>, Option<String>), LoadError> {
        let bad = |row: usize, value: String, problem| LoadError::BadConfidence {
            path: self.path().to_path_buf(),
            column: column.to_string(),
            row: row_number(row),
            value,
            problem,
        };
        let values = self
            .numbers(column, kept)?
            .map_err(|nan| bad(nan.row, nan.text, "is not a number"))?;
        let mut out = Vec::with_capacity(kept.len());
        let mut empty = Vec::new();
        for (&row, value) in kept.iter().zip(values) {
            match value {
                None => {
                    empty.push(row);
                    out.push(f64::NAN);
                }
                Some(x) if x.is_nan() => {
                    return Err(bad(row, "NaN".into(), "is not a number (NaN)"));
                }
                Some(x) if !(0.0..=1.0).contains(&x) => {
                    return Err(bad(row, x.to_string(), "is outside [0, 1]"));
                }
                Some(x) => out.push(x),
            }
        }
        let warning = (!empty.is_empty()).then(|| {
            format!(
                "{} rows have no {column:?} value and are left out of the confidence curves (rows {})",
                empty.len(),
                example_rows(&empty)
            )
        });
        Ok((out, warning))
    }

    /// Checks every media path of the kept rows: refuses paths leaving the dataset folder,
    /// counts missing files.
    fn media(
        &self,
        column: &str,
        raw: &[Option<&str>],
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
            row: row_number(row),
            value: value.to_string(),
            problem,
            root: self.table.root.clone(),
        };
        for &row in kept {
            if let Some(v) = raw[row] {
                media::check_relative(v.trim()).map_err(|problem| refused(row, v, problem))?;
            }
        }
        // One file-system lookup per row: run them in parallel, keep the first refusal in row order.
        let found: Vec<Result<bool, media::Refusal>> = kept
            .par_iter()
            .map(|&row| match raw[row] {
                Some(v) => media::resolve(&root, v.trim()).map(|p| p.is_some_and(|p| p.is_file())),
                None => Ok(false),
            })
            .collect();
        let mut missing = Vec::new();
        for (&row, result) in kept.iter().zip(&found) {
            match result {
                Err(problem) => return Err(refused(row, raw[row].unwrap_or(""), problem)),
                Ok(false) => missing.push(row),
                Ok(true) => {}
            }
        }
        let warning = (!missing.is_empty()).then(|| {
            let names: Vec<String> = missing
                .iter()
                .take(EXAMPLES)
                .map(|&r| format!("{} (row {})", raw[r].unwrap_or("(empty)"), row_number(r)))
                .collect();
            format!(
                "{} media files are missing: {}",
                missing.len(),
                names.join(", ")
            )
        });
        let paths = kept
            .iter()
            .map(|&r| raw[r].map(|v| v.trim().to_string()))
            .collect();
        Ok(MediaColumn {
            paths,
            missing: missing.len(),
            warning,
        })
    }

    /// The slice columns, built in parallel. A column that cannot be a slice is skipped with
    /// a note, or is an error when the user named it with `--slice`.
    fn slices(
        &self,
        names: &[String],
        kept: &[usize],
        explicit: bool,
    ) -> Result<(Vec<SliceColumn>, Vec<String>), LoadError> {
        let built: Vec<Result<Result<SliceColumn, String>, LoadError>> = names
            .par_iter()
            .map(|name| {
                if self.is_numeric(name)? {
                    let Ok(numbers) = self.numbers(name, kept)? else {
                        unreachable!("numeric columns always parse")
                    };
                    Ok(slice_column(name, SliceSource::Numbers(numbers)))
                } else {
                    let column = self.text(name)?;
                    let all = cells(&column);
                    Ok(slice_column(
                        name,
                        SliceSource::Text {
                            values: select(all.into_iter(), kept),
                            decimal_comma: self.decimal_comma,
                        },
                    ))
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
fn annotation_codes<'a>(
    file: &'a AnnotationsFile,
    dictionary: &mut super::encode::Dictionary<'a>,
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

fn tag_book(set: &EvalSet, column: Option<&StringChunked>, kept: &[usize]) -> TagBook {
    let mut book = TagBook::new(set.len());
    let Some(column) = column else { return book };
    let lists = select(cell_iter(column), kept);
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

/// Pairs (first, later) of equal ids, in the order the later ones appear. Hashes are sorted
/// in parallel and only equal hashes are compared as text: at a million ids this is several
/// times faster than inserting every id into a hash map.
fn duplicate_pairs(ids: &[&str]) -> Vec<(usize, usize)> {
    let mut hashed: Vec<(u64, u32)> = ids
        .par_iter()
        .enumerate()
        .map(|(i, id)| (xxhash_rust::xxh3::xxh3_64(id.as_bytes()), i as u32))
        .collect();
    hashed.par_sort_unstable();
    let mut pairs = Vec::new();
    for group in hashed.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1) {
        for (k, &(_, later)) in group.iter().enumerate().skip(1) {
            let same = group[..k]
                .iter()
                .find(|(_, first)| ids[*first as usize] == ids[later as usize]);
            if let Some(&(_, first)) = same {
                pairs.push((first as usize, later as usize));
            }
        }
    }
    pairs.sort_unstable_by_key(|p| p.1);
    pairs
}

/// The items of a column at the kept rows (`kept` ascends), in one sequential pass.
fn select<T>(column: impl Iterator<Item = T>, kept: &[usize]) -> Vec<T> {
    let mut out = Vec::with_capacity(kept.len());
    let mut next = kept.iter().peekable();
    for (row, item) in column.enumerate() {
        if next.peek() == Some(&&row) {
            out.push(item);
            next.next();
        }
    }
    out
}
