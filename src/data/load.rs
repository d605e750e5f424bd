//! From a dataset path and the user's mapping to an [`EvalSet`]: labels, predictions and
//! slices become integer codes, media paths are checked, problems become messages.

use std::path::Path;

use polars::prelude::*;
use rayon::prelude::*;

use super::error::LoadError;
use super::mapping::{ColumnRoles, MappingRequest, resolve_roles};
use super::media;
use super::table::{self, Fingerprint, TableFile};
use crate::model::dataset::sort_categories;
use crate::model::{EvalSet, EvalSetParts, MISSING, SliceColumn, SliceKind, TagBook, Task};

/// A categorical slice has at most this many values.
pub const MAX_SLICE_VALUES: usize = 50;
/// Numeric columns with more distinct values than this are cut into quantile bins.
pub const MAX_NUMERIC_CATEGORIES: usize = 10;
pub const QUANTILE_BINS: usize = 5;
/// The value name given to rows where a slice column is empty.
pub const MISSING_VALUE: &str = "(missing)";
/// How many examples a warning or error lists.
const EXAMPLES: usize = 5;

/// A loaded evaluation set with everything known about where it came from.
#[derive(Debug)]
pub struct Dataset {
    pub table: TableFile,
    pub fingerprint: Fingerprint,
    /// The roles as used: `slices` holds only the columns that became slices.
    pub roles: ColumnRoles,
    pub set: EvalSet,
    /// Tags read from the tags column.
    pub tags: TagBook,
    /// Media path per row, relative to `table.root`.
    pub media: Option<Vec<Option<String>>>,
    /// Rows of the table left out (empty label), with the reason in `warnings`.
    pub excluded_rows: usize,
    pub missing_media: usize,
    /// Problems that did not stop loading; each is also reflected in the report.
    pub warnings: Vec<String>,
    /// Information about choices made (for example, a column not used as a slice).
    pub notes: Vec<String>,
}

pub fn load(path: &Path, request: &MappingRequest) -> Result<Dataset, LoadError> {
    let table = table::locate(path, request.table.as_deref())?;
    let (frame, fingerprint) = table::read(&table)?;
    Loader {
        table: &table,
        frame: &frame,
        warnings: Vec::new(),
        notes: Vec::new(),
    }
    .build(request, fingerprint)
}

struct Loader<'a> {
    table: &'a TableFile,
    frame: &'a DataFrame,
    warnings: Vec<String>,
    notes: Vec<String>,
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

    fn series(&self, name: &str) -> Result<Series, LoadError> {
        Ok(self
            .frame
            .column(name)
            .map_err(|e| self.parse_error(e))?
            .as_materialized_series()
            .clone())
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

    /// The column as numbers, or the first cell that is not a number.
    fn numbers(&self, name: &str) -> Result<Result<Vec<Option<f64>>, NotANumber>, LoadError> {
        let series = self.series(name)?;
        if series.dtype().is_primitive_numeric() {
            let floats = series
                .cast(&DataType::Float64)
                .map_err(|e| self.parse_error(e))?;
            return Ok(Ok(floats
                .f64()
                .map_err(|e| self.parse_error(e))?
                .iter()
                .collect()));
        }
        let text = self.text(name)?;
        let mut out = Vec::with_capacity(text.len());
        for (row, value) in cells(&text).into_iter().enumerate() {
            match value {
                None => out.push(None),
                Some(v) => match v.trim().parse::<f64>() {
                    Ok(x) => out.push(Some(x)),
                    Err(_) => {
                        return Ok(Err(NotANumber {
                            row,
                            text: v.to_string(),
                        }));
                    }
                },
            }
        }
        Ok(Ok(out))
    }

    fn build(
        mut self,
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
        let (label_column, prediction_column) =
            (self.text(&roles.label)?, self.text(&roles.prediction)?);
        let (labels, predictions) = (cells(&label_column), cells(&prediction_column));
        let task = request
            .task
            .unwrap_or_else(|| detect_task(&labels, &predictions));

        // Rows without ground truth cannot be scored; a classifier's empty prediction neither.
        // An empty transcript hypothesis is a real (all-deletions) answer.
        let mut kept = Vec::with_capacity(labels.len());
        let mut no_label = Vec::new();
        let mut no_prediction = Vec::new();
        for row in 0..labels.len() {
            if labels[row].is_none() {
                no_label.push(row);
            } else if predictions[row].is_none() && task == Task::Classification {
                no_prediction.push(row);
            } else {
                kept.push(row);
            }
        }
        for (rows, column) in [
            (&no_label, &roles.label),
            (&no_prediction, &roles.prediction),
        ] {
            if !rows.is_empty() {
                self.warnings.push(format!(
                    "{} rows excluded: empty {column:?} (rows {})",
                    rows.len(),
                    example_rows(rows)
                ));
            }
        }
        if kept.is_empty() {
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

        let mut vocabulary =
            Vocabulary::from_values(kept.iter().flat_map(|&r| [labels[r], predictions[r]]));
        let label_codes = vocabulary.codes(&labels, &kept, "");
        let prediction_codes = vocabulary.codes(&predictions, &kept, "");
        let n_classes = vocabulary.names.len();
        let human = match &roles.human {
            Some(c) => Some(vocabulary.codes_or_missing(&cells(&self.text(c)?), &kept)),
            None => None,
        };
        let baseline = match &roles.baseline {
            Some(c) => Some(vocabulary.codes_or_missing(&cells(&self.text(c)?), &kept)),
            None => None,
        };

        let media_column = match &roles.media {
            Some(c) => Some(self.text(c)?),
            None => None,
        };
        let media_cells = media_column.as_ref().map(cells);
        let media = match (&roles.media, &media_cells) {
            (Some(c), Some(values)) => Some(self.media(c, values, &kept)?),
            _ => None,
        };
        let ids = self.ids(&roles, &kept, media_cells.as_deref())?;
        let confidence = match &roles.confidence {
            Some(c) => Some(self.confidence(c, &kept)?),
            None => None,
        };
        let mut slices = Vec::new();
        for column in &roles.slices {
            if let Some(slice) = self.slice(column, &kept, !request.slices.is_empty())? {
                slices.push(slice);
            }
        }
        roles.slices = slices.iter().map(|s| s.name.clone()).collect();
        let tag_column = match &roles.tags {
            Some(c) => Some(self.text(c)?),
            None => None,
        };
        let tag_lists = tag_column.as_ref().map(cells);

        let set = EvalSet::new(EvalSetParts {
            task,
            ids,
            vocab: vocabulary.names,
            n_classes,
            labels: label_codes,
            predictions: prediction_codes,
            confidence,
            human,
            baseline,
            slices,
        });
        let tags = tag_book(&set, tag_lists.as_deref(), &kept);
        let missing_media = media.as_ref().map_or(0, |m| m.missing);
        Ok(Dataset {
            table: self.table.clone(),
            fingerprint,
            roles,
            set,
            tags,
            media: media.map(|m| m.paths),
            excluded_rows: no_label.len() + no_prediction.len(),
            missing_media,
            warnings: self.warnings,
            notes: self.notes,
        })
    }

    fn ids(
        &mut self,
        roles: &ColumnRoles,
        kept: &[usize],
        media: Option<&[Option<&str>]>,
    ) -> Result<Vec<String>, LoadError> {
        let id_column;
        let (column, values): (String, Vec<Option<&str>>) = match (&roles.id, media, &roles.media)
        {
            (Some(c), _, _) => {
                id_column = self.text(c)?;
                (c.clone(), cells(&id_column))
            }
            (None, Some(m), Some(c)) => (c.clone(), m.to_vec()),
            _ => {
                self.warnings.push(
                    "no id or media column: rows are identified by their row number, so tags depend on the row order; add an id column".into(),
                );
                return Ok(kept.iter().map(|&r| row_number(r).to_string()).collect());
            }
        };
        let mut ids = Vec::with_capacity(kept.len());
        for &row in kept {
            match &values[row] {
                Some(v) => ids.push(v.trim().to_string()),
                None => {
                    return Err(LoadError::EmptyId {
                        path: self.path().to_path_buf(),
                        column,
                        row: row_number(row),
                    });
                }
            }
        }
        let mut duplicates = Vec::new();
        {
            let mut first_seen: PlHashMap<&str, usize> = PlHashMap::with_capacity(ids.len());
            for (i, id) in ids.iter().enumerate() {
                if let Some(&first) = first_seen.get(id.as_str()) {
                    duplicates.push(format!(
                        "{id:?} (rows {} and {})",
                        row_number(kept[first]),
                        row_number(kept[i])
                    ));
                } else {
                    first_seen.insert(id, i);
                }
            }
        }
        if !duplicates.is_empty() {
            let count = duplicates.len();
            duplicates.truncate(EXAMPLES);
            return Err(LoadError::DuplicateIds {
                path: self.path().to_path_buf(),
                column,
                count,
                examples: duplicates,
            });
        }
        Ok(ids)
    }

    fn confidence(&mut self, column: &str, kept: &[usize]) -> Result<Vec<f64>, LoadError> {
        let bad = |row: usize, value: String, problem| LoadError::BadConfidence {
            path: self.path().to_path_buf(),
            column: column.to_string(),
            row: row_number(row),
            value,
            problem,
        };
        let values = self
            .numbers(column)?
            .map_err(|nan| bad(nan.row, nan.text, "is not a number"))?;
        let mut out = Vec::with_capacity(kept.len());
        let mut empty = Vec::new();
        for &row in kept {
            match values[row] {
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
        if !empty.is_empty() {
            self.warnings.push(format!(
                "{} rows have no {column:?} value and are left out of the confidence curves (rows {})",
                empty.len(),
                example_rows(&empty)
            ));
        }
        Ok(out)
    }

    fn media(
        &mut self,
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
                Err(problem) => {
                    return Err(refused(row, raw[row].unwrap_or(""), problem));
                }
                Ok(false) => missing.push(row),
                Ok(true) => {}
            }
        }
        if !missing.is_empty() {
            let names: Vec<String> = missing
                .iter()
                .take(EXAMPLES)
                .map(|&r| {
                    format!(
                        "{} (row {})",
                        raw[r].unwrap_or("(empty)"),
                        row_number(r)
                    )
                })
                .collect();
            self.warnings.push(format!(
                "{} media files are missing: {}",
                missing.len(),
                names.join(", ")
            ));
        }
        let paths = kept
            .iter()
            .map(|&r| raw[r].map(|v| v.trim().to_string()))
            .collect();
        Ok(MediaColumn {
            paths,
            missing: missing.len(),
        })
    }

    /// A slice column, or `None` (with a note) when the column cannot be sliced and the user
    /// did not ask for it explicitly; when they did, that is an error.
    fn slice(
        &mut self,
        name: &str,
        kept: &[usize],
        explicit: bool,
    ) -> Result<Option<SliceColumn>, LoadError> {
        let column = self.text(name)?;
        let text = cells(&column);
        let mut distinct: PlHashMap<&str, u32> = PlHashMap::new();
        for &row in kept {
            if let Some(v) = text[row] {
                let next = distinct.len() as u32;
                distinct.entry(v).or_insert(next);
            }
        }
        let refuse = |this: &mut Self, problem: String| {
            if explicit {
                Err(LoadError::BadSlice {
                    path: this.path().to_path_buf(),
                    column: name.to_string(),
                    problem,
                })
            } else {
                this.notes
                    .push(format!("column {name:?} is not used as a slice: {problem}"));
                Ok(None)
            }
        };
        if distinct.is_empty() {
            return refuse(self, "every value is empty".into());
        }
        if distinct.len() > MAX_NUMERIC_CATEGORIES {
            if let Ok(numbers) = self.numbers(name)? {
                let values: Vec<Option<f64>> = kept.iter().map(|&r| numbers[r]).collect();
                if values.iter().flatten().all(|x| x.is_finite()) {
                    return Ok(Some(quantile_slice(name, &values)));
                }
            }
        }
        if distinct.len() > MAX_SLICE_VALUES {
            return refuse(
                self,
                format!(
                    "{} distinct text values (a slice has at most {MAX_SLICE_VALUES})",
                    distinct.len()
                ),
            );
        }
        let mut values: Vec<String> = distinct.keys().map(|s| s.to_string()).collect();
        sort_slice_values(&mut values);
        let mut remap = vec![0u32; values.len()];
        for (final_code, v) in values.iter().enumerate() {
            remap[distinct[v.as_str()] as usize] = final_code as u32;
        }
        let missing_code = values.len() as u32;
        let codes: Vec<u32> = kept
            .iter()
            .map(|&r| {
                text[r].map_or(missing_code, |v| remap[distinct[v] as usize])
            })
            .collect();
        if codes.contains(&missing_code) {
            values.push(MISSING_VALUE.to_string());
        }
        Ok(Some(SliceColumn {
            name: name.to_string(),
            kind: SliceKind::Categorical,
            values,
            codes,
        }))
    }
}

/// A cell of a numeric column that does not parse as a number.
struct NotANumber {
    row: usize,
    text: String,
}

/// The values of a text column per table row, `None` for empty (or blank) cells.
fn cells(column: &StringChunked) -> Vec<Option<&str>> {
    column
        .iter()
        .map(|v| v.filter(|s| !s.bytes().all(|b| b.is_ascii_whitespace())))
        .collect()
}

struct MediaColumn {
    paths: Vec<Option<String>>,
    missing: usize,
}

/// Transcription when most labels are sentences and they are varied (many distinct labels,
/// or predictions that are often none of the labels, as a recogniser's are); otherwise the
/// labels are class names.
pub fn detect_task(labels: &[Option<&str>], predictions: &[Option<&str>]) -> Task {
    let present: Vec<&str> = labels.iter().flatten().copied().collect();
    let multi_word = present
        .iter()
        .filter(|l| l.split_whitespace().nth(1).is_some())
        .count();
    let distinct: PlHashSet<&str> = present.iter().copied().collect();
    let novel = predictions
        .iter()
        .flatten()
        .filter(|p| !distinct.contains(*p))
        .count();
    let sentences = !present.is_empty() && multi_word * 2 >= present.len();
    let varied = distinct.len() > MAX_SLICE_VALUES
        || distinct.len() * 10 >= present.len() * 3
        || novel * 10 >= present.len();
    if sentences && varied {
        Task::Transcription
    } else {
        Task::Classification
    }
}

/// Label and prediction names with their codes; codes follow the report order.
struct Vocabulary {
    names: Vec<String>,
    codes: PlHashMap<String, u32>,
}

impl Vocabulary {
    fn from_values<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Self {
        let mut seen: PlHashSet<&str> = PlHashSet::new();
        for v in values.flatten() {
            seen.insert(v);
        }
        let mut names: Vec<String> = seen.into_iter().map(str::to_string).collect();
        sort_categories(&mut names);
        let codes = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        Vocabulary { names, codes }
    }

    fn code(&mut self, value: &str) -> u32 {
        if let Some(&c) = self.codes.get(value) {
            return c;
        }
        let c = self.names.len() as u32;
        self.names.push(value.to_string());
        self.codes.insert(value.to_string(), c);
        c
    }

    /// Codes of the kept rows; empty cells take the code of `empty`.
    fn codes(&mut self, values: &[Option<&str>], kept: &[usize], empty: &str) -> Vec<u32> {
        kept.iter()
            .map(|&r| self.code(values[r].unwrap_or(empty)))
            .collect()
    }

    /// Codes of the kept rows; empty cells are [`MISSING`].
    fn codes_or_missing(&mut self, values: &[Option<&str>], kept: &[usize]) -> Vec<u32> {
        kept.iter()
            .map(|&r| values[r].map_or(MISSING, |v| self.code(v)))
            .collect()
    }
}

/// Slice values in a readable order: numerically when they are all numbers.
fn sort_slice_values(values: &mut [String]) {
    if values
        .iter()
        .all(|v| v.parse::<f64>().is_ok_and(f64::is_finite))
    {
        values.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    } else {
        sort_categories(values);
    }
}

/// Cuts a numeric column into quantile bins named like `[0.8, 2.4)`; the last bin is closed.
pub fn quantile_slice(name: &str, values: &[Option<f64>]) -> SliceColumn {
    let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
    sorted.par_sort_unstable_by(f64::total_cmp);
    let quantile = |q: f64| {
        // Linear interpolation between order statistics, as numpy's default.
        let pos = q * (sorted.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    };
    let mut edges: Vec<f64> = (0..=QUANTILE_BINS)
        .map(|k| quantile(k as f64 / QUANTILE_BINS as f64))
        .collect();
    edges.dedup();
    if edges.len() == 1 {
        edges.push(edges[0]);
    }
    let labels = format_edges(&edges);
    let bins = edges.len() - 1;
    let mut names: Vec<String> = (0..bins)
        .map(|i| {
            let close = if i + 1 == bins { ']' } else { ')' };
            format!("[{}, {}{close}", labels[i], labels[i + 1])
        })
        .collect();
    let interior = &edges[1..bins];
    let missing_code = bins as u32;
    let codes: Vec<u32> = values
        .iter()
        .map(|v| {
            v.map_or(missing_code, |x| {
                interior.partition_point(|&e| e <= x) as u32
            })
        })
        .collect();
    if codes.contains(&missing_code) {
        names.push(MISSING_VALUE.to_string());
    }
    SliceColumn {
        name: name.to_string(),
        kind: SliceKind::Binned,
        values: names,
        codes,
    }
}

/// Shortest readable labels for bin edges: three significant digits, more where needed to
/// keep neighbouring edges apart.
fn format_edges(edges: &[f64]) -> Vec<String> {
    (3..=17)
        .map(|digits| {
            edges
                .iter()
                .map(|&x| significant(x, digits))
                .collect::<Vec<_>>()
        })
        .find(|labels| labels.windows(2).all(|w| w[0] != w[1]))
        .unwrap_or_else(|| edges.iter().map(|x| x.to_string()).collect())
}

fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The tags of a `;`-separated cell, trimmed, empty ones skipped.
fn split_tags(cell: &str) -> Vec<&str> {
    cell.split(';').map(str::trim).filter(|t| !t.is_empty()).collect()
}

fn tag_book(set: &EvalSet, lists: Option<&[Option<&str>]>, kept: &[usize]) -> TagBook {
    let mut book = TagBook::new(set.len());
    let Some(lists) = lists else { return book };
    let per_row: Vec<Vec<&str>> = kept
        .iter()
        .map(|&r| lists[r].map(split_tags).unwrap_or_default())
        .collect();
    let mut names: Vec<&str> = per_row
        .iter()
        .flatten()
        .copied()
        .collect::<PlHashSet<_>>()
        .into_iter()
        .collect();
    names.sort_unstable();
    let ids: PlHashMap<&str, usize> = names.iter().map(|&n| (n, book.define(n))).collect();
    for (row, tags) in per_row.iter().enumerate() {
        for t in tags {
            book.assign(set, ids[t], row);
        }
    }
    book
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_bins_have_readable_names_and_cover_all_values() {
        let values: Vec<Option<f64>> = (1..=100)
            .map(|i| Some(i as f64 / 10.0))
            .chain([None])
            .collect();
        let s = quantile_slice("duration_s", &values);
        assert_eq!(s.kind, SliceKind::Binned);
        assert_eq!(
            s.values,
            [
                "[0.1, 2.08)",
                "[2.08, 4.06)",
                "[4.06, 6.04)",
                "[6.04, 8.02)",
                "[8.02, 10]",
                "(missing)"
            ]
        );
        assert_eq!(s.codes[0], 0);
        assert_eq!(s.codes[99], 4, "the maximum falls in the last, closed bin");
        assert_eq!(s.codes[100], 5);
        let per_bin: Vec<usize> = (0..5)
            .map(|b| s.codes.iter().filter(|&&c| c == b).count())
            .collect();
        assert_eq!(per_bin, [20, 20, 20, 20, 20]);
    }

    #[test]
    fn edges_get_more_digits_when_needed() {
        assert_eq!(format_edges(&[1.0001, 1.0002]), ["1.0001", "1.0002"]);
        assert_eq!(format_edges(&[1234.6, 99999.0]), ["1235", "99999"]);
    }

    #[test]
    fn task_detection() {
        fn words<'a>(v: &[&'a str]) -> Vec<Option<&'a str>> {
            v.iter().map(|&s| Some(s)).collect()
        }
        let same = |v: &[&str]| detect_task(&words(v), &words(v));
        assert_eq!(same(&["cat", "dog", "cat"]), Task::Classification);
        let defects: Vec<&str> = ["no defect", "scratch", "light dent", "no defect"].repeat(5);
        assert_eq!(same(&defects), Task::Classification);
        assert_eq!(
            same(&["turn on the light", "stop the music", "call mom"]),
            Task::Transcription
        );
        // Few distinct sentences, but the predictions are free text: a recogniser.
        let refs = words(&["call mom"; 10]);
        let mut hyps = words(&["call mom"; 10]);
        hyps[3] = Some("call mum");
        assert_eq!(detect_task(&refs, &hyps), Task::Transcription);
    }
}
