//! A set as monitoring sees it: what the model was given (slice columns, input metrics of the
//! media) and what it answered (predictions, confidence), labels when they came back, and
//! each row's time. The reference (an evaluation set) and the current set (production data,
//! usually without labels) are both this, so every comparison is symmetric.

use std::collections::HashMap;

use super::ColumnSample;
use super::monitor::RowMetric;
use crate::model::Ids;
use crate::model::dataset::{MISSING, SliceColumn, Task};
use crate::model::text::EditCounts;

/// The names of the columns holding each role (the reference's; the current set uses the
/// same ones).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoleNames {
    pub label: String,
    pub prediction: String,
    pub confidence: Option<String>,
}

#[derive(Clone, Debug)]
pub struct MonitoredSet {
    /// Where the set was read from, as the user named it.
    pub path: String,
    pub task: Task,
    pub names: RoleNames,
    pub ids: Ids,
    /// Codes into `vocab`; [`MISSING`] for an empty prediction.
    pub predictions: Vec<u32>,
    /// Ground truth when the set has it (codes into `vocab`, [`MISSING`] where empty).
    pub labels: Option<Vec<u32>>,
    pub vocab: Vec<String>,
    pub confidence: Option<Vec<f64>>,
    pub slices: Vec<SliceColumn>,
    /// Seconds since the epoch per row, when the set has a time column.
    pub times: Option<Vec<Option<i64>>>,
    /// Input metrics of the media (name, value per row, NaN where unknown).
    pub inputs: Vec<(String, Vec<f64>)>,
    /// Word and character edit counts per labelled row (transcription).
    pub edits: Option<Vec<EditCounts>>,
    /// Media path per row, relative to `media_root`.
    pub media: Option<Vec<Option<String>>>,
    pub media_root: Option<std::path::PathBuf>,
}

impl MonitoredSet {
    pub fn len(&self) -> usize {
        self.predictions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.predictions.is_empty()
    }

    /// Whether a row's prediction is right; `None` without a label.
    pub fn correct(&self, row: usize) -> Option<bool> {
        let label = *self.labels.as_ref()?.get(row)?;
        if label == MISSING {
            return None;
        }
        Some(match (&self.edits, self.task) {
            (Some(edits), Task::Transcription) => edits[row].word_errors == 0,
            _ => self.predictions[row] == label,
        })
    }

    pub fn has_labels(&self) -> bool {
        self.labels
            .as_ref()
            .is_some_and(|l| l.iter().any(|&c| c != MISSING))
    }

    /// The number of words of each prediction (transcription's output length).
    fn prediction_words(&self) -> Vec<f64> {
        let words: Vec<f64> = self
            .vocab
            .iter()
            .map(|v| v.split_whitespace().count() as f64)
            .collect();
        self.predictions
            .iter()
            .map(|&c| if c == MISSING { 0.0 } else { words[c as usize] })
            .collect()
    }
}

/// A coded column's numbers per row (NaN where missing), when every value it uses is a
/// finite number: Evidently takes such a column as numeric, whatever its role.
fn coded_numbers(codes: &[u32], vocab: &[String]) -> Option<Vec<f64>> {
    let mut used = vec![false; vocab.len()];
    for &c in codes {
        if c != MISSING {
            used[c as usize] = true;
        }
    }
    let parsed: Vec<Option<f64>> = vocab
        .iter()
        .zip(&used)
        .map(|(v, &u)| {
            if u {
                v.trim().parse::<f64>().ok().filter(|x| x.is_finite())
            } else {
                Some(f64::NAN)
            }
        })
        .collect();
    if parsed.iter().any(Option::is_none) || !used.iter().any(|&u| u) {
        return None;
    }
    Some(
        codes
            .iter()
            .map(|&c| {
                if c == MISSING {
                    f64::NAN
                } else {
                    parsed[c as usize].unwrap_or(f64::NAN)
                }
            })
            .collect(),
    )
}

/// Numbers on both sides when both are numeric, else counts per value.
fn coded_column(reference: (&[u32], &[String]), current: (&[u32], &[String])) -> ColumnSample {
    match (
        coded_numbers(reference.0, reference.1),
        coded_numbers(current.0, current.1),
    ) {
        (Some(r), Some(c)) => ColumnSample::numeric(r, c),
        _ => coded_sample(reference, current),
    }
}

/// Counts per value name of two coded columns, over the union of the names ([`MISSING`]
/// codes left out).
fn coded_sample(reference: (&[u32], &[String]), current: (&[u32], &[String])) -> ColumnSample {
    let count = |codes: &[u32], names: &[String]| {
        let mut counts = vec![0u64; names.len()];
        for &c in codes {
            if c != MISSING && (c as usize) < names.len() {
                counts[c as usize] += 1;
            }
        }
        counts
    };
    let (rc, cc) = (count(reference.0, reference.1), count(current.0, current.1));
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut values: Vec<String> = Vec::new();
    let (mut r, mut c) = (Vec::new(), Vec::new());
    for (side, names, counts) in [(0, reference.1, &rc), (1, current.1, &cc)] {
        for (name, &n) in names.iter().zip(counts.iter()) {
            if n == 0 {
                continue;
            }
            let i = *index.entry(name.as_str()).or_insert_with(|| {
                values.push(name.clone());
                r.push(0);
                c.push(0);
                values.len() - 1
            });
            if side == 0 {
                r[i] += n;
            } else {
                c[i] += n;
            }
        }
    }
    ColumnSample::Categorical {
        values,
        reference: r,
        current: c,
    }
}

/// The columns drift is measured on, in a stable order: ground truth (when both sets have
/// it; classification), the predictions (their number of words for transcripts), the
/// confidence, every slice column of the reference, and the media's input metrics.
pub fn drift_columns(
    reference: &MonitoredSet,
    current: &MonitoredSet,
) -> Vec<(String, ColumnSample)> {
    use rayon::prelude::*;
    // Each column's sample on its own (numeric ones sort both sides), in parallel.
    type Build<'a> = Box<dyn Fn() -> ColumnSample + Send + Sync + 'a>;
    let mut builds: Vec<(String, Build<'_>)> = Vec::new();
    let names = &reference.names;
    if reference.task == Task::Classification {
        if let (Some(rl), Some(cl)) = (&reference.labels, &current.labels)
            && current.has_labels()
        {
            builds.push((
                names.label.clone(),
                Box::new(move || coded_column((rl, &reference.vocab), (cl, &current.vocab))),
            ));
        }
        builds.push((
            names.prediction.clone(),
            Box::new(|| {
                coded_column(
                    (&reference.predictions, &reference.vocab),
                    (&current.predictions, &current.vocab),
                )
            }),
        ));
    } else {
        builds.push((
            format!("{} (words)", names.prediction),
            Box::new(|| {
                ColumnSample::numeric(reference.prediction_words(), current.prediction_words())
            }),
        ));
    }
    if let (Some(name), Some(r), Some(c)) = (
        &names.confidence,
        &reference.confidence,
        &current.confidence,
    ) {
        builds.push((
            name.clone(),
            Box::new(move || ColumnSample::numeric(r.clone(), c.clone())),
        ));
    }
    for slice in &reference.slices {
        let Some(other) = current.slices.iter().find(|s| s.name == slice.name) else {
            continue;
        };
        builds.push((
            slice.name.clone(),
            Box::new(
                move || match (slice.numbers.clone(), other.numbers.clone()) {
                    (Some(r), Some(c)) => ColumnSample::numeric(r, c),
                    _ => coded_sample(
                        (&slice.codes.to_wide(), &slice.values),
                        (&other.codes.to_wide(), &other.values),
                    ),
                },
            ),
        ));
    }
    for (name, values) in &reference.inputs {
        if let Some((_, other)) = current.inputs.iter().find(|(n, _)| n == name) {
            builds.push((
                name.clone(),
                Box::new(move || ColumnSample::numeric(values.clone(), other.clone())),
            ));
        }
    }
    builds
        .into_par_iter()
        .map(|(name, build)| (name, build()))
        .collect()
}

/// The per-row metrics followed over time: output metrics (share of empty predictions,
/// mean confidence, the share of each of the most frequent predicted classes), accuracy or
/// word error rate where labels exist, and the mean of every numeric input.
pub fn row_metrics(set: &MonitoredSet, classes: &[String]) -> Vec<RowMetric> {
    let n = set.len();
    let mut out = Vec::new();
    let empty: Vec<f64> = set
        .predictions
        .iter()
        .map(|&c| {
            let blank = c == MISSING || set.vocab[c as usize].trim().is_empty();
            f64::from(u8::from(blank))
        })
        .collect();
    out.push(RowMetric::mean(EMPTY_PREDICTIONS, empty));
    if let Some(conf) = &set.confidence {
        out.push(RowMetric::mean(MEAN_CONFIDENCE, conf.clone()));
    }
    if set.has_labels() {
        match (set.task, &set.edits) {
            (Task::Transcription, Some(edits)) => {
                let labelled = set.labels.as_ref().expect("has labels");
                let num = (0..n)
                    .map(|r| {
                        if labelled[r] == MISSING {
                            f64::NAN
                        } else {
                            f64::from(edits[r].word_errors)
                        }
                    })
                    .collect();
                let den = edits.iter().map(|e| f64::from(e.ref_words)).collect();
                out.push(RowMetric {
                    name: WER.into(),
                    numerator: num,
                    denominator: Some(den),
                });
            }
            _ => {
                let acc = (0..n)
                    .map(|r| set.correct(r).map_or(f64::NAN, |c| f64::from(u8::from(c))))
                    .collect();
                out.push(RowMetric::mean(ACCURACY, acc));
            }
        }
    }
    if set.task == Task::Classification {
        for class in classes {
            let code = set.vocab.iter().position(|v| v == class);
            let share = set
                .predictions
                .iter()
                .map(|&c| f64::from(u8::from(code.is_some_and(|k| c as usize == k))))
                .collect();
            out.push(RowMetric::mean(format!("{PREDICTED_SHARE}{class}"), share));
        }
    } else {
        out.push(RowMetric::mean(
            format!("{} (words)", set.names.prediction),
            set.prediction_words(),
        ));
    }
    for slice in &set.slices {
        if let Some(numbers) = slice.numbers.clone() {
            out.push(RowMetric::mean(slice.name.clone(), numbers));
        }
    }
    for (name, values) in &set.inputs {
        out.push(RowMetric::mean(name.clone(), values.clone()));
    }
    out
}

pub const EMPTY_PREDICTIONS: &str = "empty predictions";
pub const MEAN_CONFIDENCE: &str = "mean confidence";
pub const ACCURACY: &str = "accuracy";
pub const WER: &str = "wer";
/// Prefix of the metrics giving one predicted class's share.
pub const PREDICTED_SHARE: &str = "predicted ";

/// The most frequently predicted classes of the reference (at most `k`), whose shares are
/// followed over time.
pub fn top_classes(set: &MonitoredSet, k: usize) -> Vec<String> {
    let mut counts = vec![0u64; set.vocab.len()];
    for &c in &set.predictions {
        if c != MISSING {
            counts[c as usize] += 1;
        }
    }
    let mut order: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]).then(a.cmp(&b)));
    order
        .into_iter()
        .take(k)
        .map(|i| set.vocab[i].clone())
        .collect()
}
