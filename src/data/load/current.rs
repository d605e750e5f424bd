//! The current set of a drift comparison: production data read with the reference's column
//! roles. Labels are optional (production data rarely has them), so no row is left out;
//! the slice columns and the predictions must be there, and a column numeric in the
//! reference must be numeric here too.

use std::path::Path;

use rayon::prelude::*;

use super::{Dataset, LoadError, Loader, read_table, row_number};
use crate::data::mapping::{ColumnRoles, MappingRequest};
use crate::data::progress::{Progress, Step};
use crate::data::slicing::parse_number;
use crate::data::table::Delimited;
use crate::data::table::{KeptColumns, Storage};
use crate::model::drift::monitored::{MonitoredSet, RoleNames};
use crate::model::text::{EditCounts, edit_counts};
use crate::model::{MISSING, SliceCodes, SliceColumn, SliceKind, Task};

/// What reading a reference again needs of its loaded dataset (owned, for a background
/// thread): the table file, its separator, the roles and the task.
#[derive(Clone, Debug)]
pub struct ReferenceSource {
    pub table: std::path::PathBuf,
    pub separator: Option<u8>,
    pub roles: ColumnRoles,
    pub task: Task,
}

impl ReferenceSource {
    pub fn of(dataset: &Dataset) -> ReferenceSource {
        ReferenceSource {
            table: dataset.table.path.clone(),
            separator: dataset.delimited.map(|d| d.separator),
            roles: dataset.roles.clone(),
            task: dataset.set.task,
        }
    }
}

/// The reference as monitoring sees it, read from its table as the current set is: every
/// row (labelled or not, as Evidently counts them) and every column no role claims (slices
/// over 50 values included), so both sides are measured alike.
pub fn load_reference(
    source: &ReferenceSource,
    shown_path: &Path,
    progress: &Progress,
) -> Result<MonitoredSet, LoadError> {
    let request = MappingRequest {
        separator: source.separator.map(char::from),
        ..MappingRequest::default()
    };
    let (table, read) = read_table(
        &source.table,
        &request,
        &mut every_column(&source.roles, &[]),
        0,
        progress,
    )?;
    progress.enter(Step::Encoding)?;
    let roles = &source.roles;
    let claimed: Vec<&str> = [
        roles.id.as_deref(),
        Some(roles.label.as_str()),
        Some(roles.prediction.as_str()),
        roles.confidence.as_deref(),
        roles.media.as_deref(),
        roles.human.as_deref(),
        roles.baseline.as_deref(),
        roles.tags.as_deref(),
        roles.time.as_deref(),
    ]
    .into_iter()
    .flatten()
    .chain(roles.annotators.iter().map(String::as_str))
    .chain(roles.probabilities.iter().map(String::as_str))
    .collect();
    let compared: Vec<String> = read
        .table
        .names()
        .iter()
        .filter(|c| !claimed.contains(&c.as_str()))
        .cloned()
        .collect();
    let roles = ColumnRoles {
        slices: compared,
        ..roles.clone()
    };
    let mut set = read_monitored(&table, &read, &roles, None, source.task, &request)?;
    set.path = shown_path.display().to_string();
    Ok(set)
}

fn role_names(roles: &ColumnRoles) -> RoleNames {
    RoleNames {
        label: roles.label.clone(),
        prediction: roles.prediction.clone(),
        confidence: roles.confidence.clone(),
    }
}

/// Time columns detected by name when the reference has none and the user named none.
const TIME_NAMES: [&str; 4] = ["timestamp", "time", "date", "created_at"];

/// Reads the current set at `path` with the reference's roles and compared columns
/// (`reference` is the reference as [`load_reference`] gives it). `request` gives the
/// table, the separator and the time column, when the user named them.
pub fn load_current(
    path: &Path,
    roles: &ColumnRoles,
    reference: &MonitoredSet,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<MonitoredSet, LoadError> {
    let (table, read) = read_table(
        path,
        request,
        &mut every_column(roles, &TIME_NAMES),
        0,
        progress,
    )?;
    progress.enter(Step::Encoding)?;
    let columns: Vec<String> = read.table.names().to_vec();
    let has = |c: &str| columns.iter().any(|x| x == c);
    let missing = |column: &str, role: &'static str| LoadError::MissingLikeReference {
        path: table.path.clone(),
        column: column.to_string(),
        role,
        found: columns.clone(),
    };
    if !has(&roles.prediction) {
        return Err(missing(&roles.prediction, "prediction column"));
    }
    for slice in &reference.slices {
        if !has(&slice.name) {
            return Err(missing(&slice.name, "slice column"));
        }
    }
    let present = |c: &Option<String>| c.clone().filter(|c| has(c));
    let time = match &request.time {
        Some(t) if !has(t) => return Err(missing(t, "time column (--time)")),
        Some(t) => Some(t.clone()),
        None => present(&roles.time).or_else(|| {
            TIME_NAMES
                .iter()
                .find_map(|n| columns.iter().find(|c| c.eq_ignore_ascii_case(n)).cloned())
        }),
    };
    let roles = ColumnRoles {
        id: present(&roles.id),
        label: roles.label.clone(),
        prediction: roles.prediction.clone(),
        confidence: present(&roles.confidence),
        media: present(&roles.media),
        time,
        slices: reference.slices.iter().map(|s| s.name.clone()).collect(),
        ..ColumnRoles::default()
    };
    let mut set = read_monitored(
        &table,
        &read,
        &roles,
        Some(reference),
        reference.task,
        request,
    )?;
    set.path = path.display().to_string();
    set.names = reference.names.clone();
    Ok(set)
}

/// Keeps every column: those of `roles` whose values rarely repeat (ids, media, confidence,
/// time) and columns named like `times` in one buffer, the others a value per distinct value.
fn every_column<'a>(
    roles: &'a ColumnRoles,
    times: &'a [&'a str],
) -> impl FnMut(&Path, &[String]) -> KeptColumns + 'a {
    move |_, names| {
        let plain = [&roles.id, &roles.media, &roles.confidence, &roles.time];
        names
            .iter()
            .map(|name| {
                let is_plain = plain.iter().any(|c| c.as_deref() == Some(name.as_str()))
                    || times.iter().any(|t| name.eq_ignore_ascii_case(t));
                let storage = if is_plain {
                    Storage::Plain
                } else {
                    Storage::Distinct
                };
                (name.clone(), storage)
            })
            .collect()
    }
}

/// A set's monitored columns under `roles` (every row kept); with `like`, a column numeric
/// there must be numeric here.
fn read_monitored(
    table: &crate::data::table::TableFile,
    read: &crate::data::table::ReadTable,
    roles: &ColumnRoles,
    like: Option<&MonitoredSet>,
    task: Task,
    request: &MappingRequest,
) -> Result<MonitoredSet, LoadError> {
    let loader = Loader {
        table,
        columns: &read.table,
        consume: false,
        decimal_comma: read.delimited.is_some_and(Delimited::decimal_comma),
        first_row: 0,
        part_slices: None,
    };
    let has = |c: &str| read.table.names().iter().any(|x| x == c);
    let kept: Vec<usize> = (0..read.table.height()).collect();
    let media_cells = roles.media.as_deref().map(|c| loader.text(c)).transpose()?;
    let (ids, _) = loader.ids(roles, &kept, media_cells.as_deref())?;
    let media = match (&roles.media, &media_cells) {
        (Some(c), Some(values)) => Some(loader.media(c, values, &kept)?.paths),
        _ => None,
    };
    let confidence = roles
        .confidence
        .as_deref()
        .map(|c| loader.confidence(c, &kept).map(|(v, _)| v))
        .transpose()?;
    let mut slices: Vec<SliceColumn> = roles
        .slices
        .par_iter()
        .map(|name| loader.compared_column(name))
        .collect::<Result<_, _>>()?;
    // A column the reference holds as text stays text here, numbers included.
    if let Some(reference) = like {
        for (theirs, ours) in reference.slices.iter().zip(slices.iter_mut()) {
            if theirs.numbers.is_none() && ours.numbers.is_some() {
                *ours = loader.categories(&ours.name)?;
            }
        }
    }
    if let Some(reference) = like {
        for (theirs, ours) in reference.slices.iter().zip(&slices) {
            if theirs.numbers.is_some() && ours.numbers.is_none() {
                let text = loader.text(&ours.name)?;
                let (row, value) = text
                    .iter()
                    .enumerate()
                    .find_map(|(row, v)| {
                        v.filter(|v| {
                            parse_number(v, loader.decimal_comma).is_none_or(|x| !x.is_finite())
                        })
                        .map(|v| (row, v.to_string()))
                    })
                    .unwrap_or((0, String::new()));
                return Err(LoadError::TypeUnlikeReference {
                    path: table.path.clone(),
                    column: ours.name.clone(),
                    row: row_number(row),
                    value,
                });
            }
        }
    }
    let times = roles
        .time
        .as_deref()
        .map(|c| loader.times(c, &kept))
        .transpose()?;
    // Predictions and (when present) labels, coded into one vocabulary.
    let normalize = |v: &str| {
        if request.normalize_labels {
            super::normalize_label(v)
        } else {
            v.to_string()
        }
    };
    let prediction_text = loader.text(&roles.prediction)?;
    let label_text = has(&roles.label)
        .then(|| loader.text(&roles.label))
        .transpose()?;
    let mut vocab: Vec<String> = Vec::new();
    let mut index: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut code = |v: Option<&str>| -> u32 {
        match v {
            None => MISSING,
            Some(v) => {
                let v = normalize(v);
                *index.entry(v.clone()).or_insert_with(|| {
                    vocab.push(v);
                    (vocab.len() - 1) as u32
                })
            }
        }
    };
    let predictions: Vec<u32> = prediction_text.iter().map(&mut code).collect();
    let labels: Option<Vec<u32>> = label_text
        .as_ref()
        .map(|t| t.iter().map(&mut code).collect());
    let edits = match (&labels, task) {
        (Some(labels), Task::Transcription) => Some(
            (0..labels.len())
                .into_par_iter()
                .map(|r| match labels[r] {
                    MISSING => EditCounts::default(),
                    l => {
                        let hyp = match predictions[r] {
                            MISSING => "",
                            p => vocab[p as usize].as_str(),
                        };
                        edit_counts(&vocab[l as usize], hyp)
                    }
                })
                .collect(),
        ),
        _ => None,
    };
    Ok(MonitoredSet {
        path: table.path.display().to_string(),
        task,
        names: role_names(roles),
        ids,
        predictions,
        labels,
        vocab,
        confidence,
        slices,
        times,
        inputs: Vec::new(),
        edits,
        media,
        media_root: Some(table.root.clone()),
    })
}

impl Loader<'_> {
    /// A compared column: numbers when every value is one (NaN where empty), otherwise its
    /// values as categories (any number of them; empty cells left out).
    fn compared_column(&self, name: &str) -> Result<SliceColumn, LoadError> {
        let all: Vec<usize> = (0..self.columns.height()).collect();
        if let Ok(numbers) = self.numbers(name, &all)?
            && numbers.iter().any(Option::is_some)
            && numbers.iter().flatten().all(|x| x.is_finite())
        {
            return Ok(SliceColumn {
                name: name.to_string(),
                kind: SliceKind::Binned,
                values: Vec::new(),
                codes: SliceCodes::default(),
                numbers: Some(numbers.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect()),
            });
        }
        self.categories(name)
    }

    /// A compared column's values as categories (empty cells left out).
    fn categories(&self, name: &str) -> Result<SliceColumn, LoadError> {
        let text = self.text(name)?;
        let mut values: Vec<String> = Vec::new();
        let mut index: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        let codes: Vec<u32> = text
            .iter()
            .map(|v| match v {
                None => MISSING,
                Some(v) => *index.entry(v).or_insert_with(|| {
                    values.push(v.to_string());
                    (values.len() - 1) as u32
                }),
            })
            .collect();
        Ok(SliceColumn {
            name: name.to_string(),
            kind: SliceKind::Categorical,
            values,
            codes: codes.into(),
            numbers: None,
        })
    }
}
