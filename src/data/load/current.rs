//! The current set of a drift comparison: production data read with the reference's column
//! roles. Labels are optional (production data rarely has them), so no row is left out;
//! the slice columns and the predictions must be there, and a column numeric in the
//! reference must be numeric here too.

use std::path::Path;

use rayon::prelude::*;

use super::{Dataset, LoadError, Loader, cells, read_table, row_number};
use crate::data::mapping::{ColumnRoles, MappingRequest};
use crate::data::progress::{Progress, Step};
use crate::data::table::Delimited;
use crate::model::drift::monitored::{MonitoredSet, RoleNames};
use crate::model::text::{EditCounts, edit_counts};
use crate::model::{MISSING, Task};

/// The reference as monitoring sees it.
pub fn monitored_reference(dataset: &Dataset, path: &Path) -> MonitoredSet {
    MonitoredSet::from_eval_set(
        path.display().to_string(),
        &dataset.set,
        role_names(&dataset.roles),
        dataset.times.clone(),
        dataset.media.clone(),
        Some(dataset.table.root.clone()),
    )
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

/// Reads the current set at `path` with the reference's roles (`reference` is the
/// reference as [`monitored_reference`] gives it). `request` gives the table, the separator
/// and the time column, when the user named them.
pub fn load_current(
    path: &Path,
    roles: &ColumnRoles,
    reference: &MonitoredSet,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<MonitoredSet, LoadError> {
    let (table, read) = read_table(path, request, progress)?;
    progress.enter(Step::Encoding)?;
    let loader = Loader {
        table: &table,
        frame: &read.frame,
        decimal_comma: read.delimited.is_some_and(Delimited::decimal_comma),
    };
    let columns: Vec<String> = read
        .frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let has = |c: &str| columns.iter().any(|x| x == c);
    let refs = roles;
    let missing = |column: &str, role: &'static str| LoadError::MissingLikeReference {
        path: table.path.clone(),
        column: column.to_string(),
        role,
        found: columns.clone(),
    };
    if !has(&refs.prediction) {
        return Err(missing(&refs.prediction, "prediction column"));
    }
    for slice in &refs.slices {
        if !has(slice) {
            return Err(missing(slice, "slice column"));
        }
    }
    let present = |c: &Option<String>| c.clone().filter(|c| has(c));
    let time = match &request.time {
        Some(t) if !has(t) => return Err(missing(t, "time column (--time)")),
        Some(t) => Some(t.clone()),
        None => present(&refs.time).or_else(|| {
            TIME_NAMES
                .iter()
                .find_map(|n| columns.iter().find(|c| c.eq_ignore_ascii_case(n)).cloned())
        }),
    };
    let roles = ColumnRoles {
        id: present(&refs.id),
        label: refs.label.clone(),
        prediction: refs.prediction.clone(),
        confidence: present(&refs.confidence),
        media: present(&refs.media),
        time: time.clone(),
        slices: refs.slices.clone(),
        ..ColumnRoles::default()
    };
    let kept: Vec<usize> = (0..read.frame.height()).collect();
    let media_column = roles.media.as_deref().map(|c| loader.text(c)).transpose()?;
    let media_cells = media_column.as_ref().map(cells);
    let (ids, _) = loader.ids(&roles, &kept, media_cells.as_deref())?;
    let media = match (&roles.media, &media_cells) {
        (Some(c), Some(values)) => Some(loader.media(c, values, &kept)?.paths),
        _ => None,
    };
    let confidence = roles
        .confidence
        .as_deref()
        .map(|c| loader.confidence(c, &kept).map(|(v, _)| v))
        .transpose()?;
    let (slices, _) = loader.slices(&roles.slices, &kept, true)?;
    for (theirs, ours) in reference.slices.iter().zip(&slices) {
        let numeric = |s| MonitoredSet::slice_numbers(s).is_some();
        if numeric(theirs) && !numeric(ours) {
            let text = loader.text(&ours.name)?;
            let (row, value) = cells(&text)
                .into_iter()
                .enumerate()
                .find_map(|(row, v)| {
                    v.filter(|v| {
                        crate::data::slicing::parse_number(v, loader.decimal_comma)
                            .is_none_or(|x| !x.is_finite())
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
    let times = time
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
    let predictions: Vec<u32> = cells(&prediction_text).into_iter().map(&mut code).collect();
    let labels: Option<Vec<u32>> = label_text
        .as_ref()
        .map(|t| cells(t).into_iter().map(&mut code).collect());
    let task = reference.task;
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
        path: path.display().to_string(),
        task,
        names: role_names(refs),
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
