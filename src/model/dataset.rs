//! The evaluation set as the metrics see it: one entry per row, labels and predictions as
//! integer codes into a shared vocabulary, so every metric is a single pass over arrays.

use std::borrow::Cow;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::ids::Ids;
use super::text::{self, EditCounts};

/// The value name given to rows where a slice column is empty.
pub const MISSING_VALUE: &str = "(missing)";

/// Marks an absent code (no human label, no baseline prediction for that row).
pub const MISSING: u32 = u32::MAX;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    /// Labels are class names; a row is correct when prediction == label.
    Classification,
    /// Labels are text; a row is correct when the normalised texts match, and word/character
    /// error rates are computed.
    Transcription,
}

impl Task {
    pub fn as_str(self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Transcription => "transcription",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SliceKind {
    /// One value per distinct entry of the column.
    Categorical,
    /// A numeric column cut into quantile bins.
    Binned,
}

/// A column used to cut the data into slices. `codes.get(row)` indexes `values`.
#[derive(Clone, Debug)]
pub struct SliceColumn {
    pub name: String,
    pub kind: SliceKind,
    pub values: Vec<String>,
    pub codes: SliceCodes,
    /// A binned column's own numbers (NaN where empty), so that a row's value can be shown
    /// beside its bin; `None` for categorical columns, whose value is the text itself.
    pub numbers: Option<Vec<f64>>,
}

/// Each row's code in a slice column: a byte per row when every code fits one (every slice
/// of an evaluation set does: it has at most 51 values), four bytes otherwise (the
/// categories of a compared column in drift, [`MISSING`] for an empty cell). At ten million
/// rows a column of bytes takes 10 MB instead of 40.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SliceCodes {
    Narrow(Vec<u8>),
    Wide(Vec<u32>),
}

impl Default for SliceCodes {
    fn default() -> Self {
        SliceCodes::Narrow(Vec::new())
    }
}

impl From<Vec<u32>> for SliceCodes {
    /// Narrows the codes when every one fits a byte.
    fn from(codes: Vec<u32>) -> Self {
        if codes.par_iter().all(|&c| c <= u32::from(u8::MAX)) {
            SliceCodes::Narrow(codes.into_par_iter().map(|c| c as u8).collect())
        } else {
            SliceCodes::Wide(codes)
        }
    }
}

impl FromIterator<u32> for SliceCodes {
    fn from_iter<I: IntoIterator<Item = u32>>(codes: I) -> Self {
        codes.into_iter().collect::<Vec<u32>>().into()
    }
}

impl SliceCodes {
    /// Codes below `values` made in parallel, narrow when `values` allows.
    pub fn collect(values: usize, codes: impl IndexedParallelIterator<Item = u32>) -> Self {
        if values <= usize::from(u8::MAX) + 1 {
            SliceCodes::Narrow(codes.map(|c| c as u8).collect())
        } else {
            SliceCodes::Wide(codes.collect())
        }
    }

    pub fn len(&self) -> usize {
        match self {
            SliceCodes::Narrow(codes) => codes.len(),
            SliceCodes::Wide(codes) => codes.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `row`'s code.
    pub fn get(&self, row: usize) -> u32 {
        match self {
            SliceCodes::Narrow(codes) => u32::from(codes[row]),
            SliceCodes::Wide(codes) => codes[row],
        }
    }

    /// Every row's code, in row order.
    pub fn iter(&self) -> SliceCodesIter<'_> {
        match self {
            SliceCodes::Narrow(codes) => SliceCodesIter::Narrow(codes.iter()),
            SliceCodes::Wide(codes) => SliceCodesIter::Wide(codes.iter()),
        }
    }

    /// The codes as four bytes each, copied only when narrow.
    pub fn to_wide(&self) -> Cow<'_, [u32]> {
        match self {
            SliceCodes::Narrow(codes) => {
                Cow::Owned(codes.par_iter().map(|&c| u32::from(c)).collect())
            }
            SliceCodes::Wide(codes) => Cow::Borrowed(codes),
        }
    }

    pub fn contains(&self, code: u32) -> bool {
        self.iter().any(|c| c == code)
    }
}

/// The iterator of [`SliceCodes::iter`]; folds (`for_each`, `sum`, ...) run one loop per
/// width, without a branch per row.
#[derive(Clone)]
pub enum SliceCodesIter<'a> {
    Narrow(std::slice::Iter<'a, u8>),
    Wide(std::slice::Iter<'a, u32>),
}

impl Iterator for SliceCodesIter<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            SliceCodesIter::Narrow(codes) => codes.next().map(|&c| u32::from(c)),
            SliceCodesIter::Wide(codes) => codes.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            SliceCodesIter::Narrow(codes) => codes.size_hint(),
            SliceCodesIter::Wide(codes) => codes.size_hint(),
        }
    }

    fn fold<B, F: FnMut(B, u32) -> B>(self, init: B, mut f: F) -> B {
        match self {
            SliceCodesIter::Narrow(codes) => codes.fold(init, |acc, &c| f(acc, u32::from(c))),
            SliceCodesIter::Wide(codes) => codes.fold(init, |acc, &c| f(acc, c)),
        }
    }
}

impl ExactSizeIterator for SliceCodesIter<'_> {}

/// Everything needed to build an [`EvalSet`]; the derived per-row facts are computed by
/// [`EvalSet::new`] so they can never disagree with the codes.
#[derive(Clone, Debug)]
pub struct EvalSetParts {
    pub task: Task,
    pub ids: Ids,
    /// Names of all codes. Codes `0..n_classes` are the values seen as label or prediction,
    /// in the report's order; later codes occur only in the human or baseline columns.
    pub vocab: Vec<String>,
    pub n_classes: usize,
    pub labels: Vec<u32>,
    pub predictions: Vec<u32>,
    /// Model confidence per row; NaN where the row has none.
    pub confidence: Option<Vec<f64>>,
    /// Human label per row ([`MISSING`] where absent).
    pub human: Option<Vec<u32>>,
    /// Baseline model prediction per row ([`MISSING`] where absent).
    pub baseline: Option<Vec<u32>>,
    pub slices: Vec<SliceColumn>,
}

#[derive(Clone, Debug)]
pub struct EvalSet {
    pub task: Task,
    pub ids: Ids,
    pub vocab: Vec<String>,
    pub n_classes: usize,
    pub labels: Vec<u32>,
    pub predictions: Vec<u32>,
    pub confidence: Option<Vec<f64>>,
    pub human: Option<Vec<u32>>,
    pub baseline: Option<Vec<u32>>,
    pub slices: Vec<SliceColumn>,
    /// Whether the model is right on each row.
    pub correct: Vec<bool>,
    /// Whether the human label is right on each row (`None`: no human label).
    pub human_correct: Option<Vec<Option<bool>>>,
    /// Whether the baseline is right on each row (`None`: no baseline prediction).
    pub baseline_correct: Option<Vec<Option<bool>>>,
    /// Word and character edit counts per row (transcription only).
    pub edits: Option<Vec<EditCounts>>,
    /// Labels from several annotators, when the table or an annotations file has them.
    pub annotators: Option<Annotators>,
    /// The model's probability of every class per row, when the table has `prob_<class>`.
    pub probabilities: Option<ClassProbabilities>,
}

/// Labels given by several annotators, as codes into the set's vocabulary, row-major:
/// `labels[row * count + annotator]`, [`MISSING`] where that annotator gave none.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotators {
    pub names: Vec<String>,
    pub labels: Vec<u32>,
}

impl Annotators {
    pub fn count(&self) -> usize {
        self.names.len()
    }

    /// Every annotator's label of one row.
    pub fn row(&self, row: usize) -> &[u32] {
        let a = self.count();
        &self.labels[row * a..(row + 1) * a]
    }

    pub fn label(&self, row: usize, annotator: usize) -> u32 {
        self.labels[row * self.count() + annotator]
    }
}

/// The model's probability of each class per row, row-major over the classes in code order
/// (`values[row * classes + class]`); every row sums to 1.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassProbabilities {
    pub classes: usize,
    pub values: Vec<f64>,
}

impl ClassProbabilities {
    pub fn row(&self, row: usize) -> &[f64] {
        &self.values[row * self.classes..(row + 1) * self.classes]
    }
}

impl EvalSet {
    pub fn new(parts: EvalSetParts) -> Self {
        let EvalSetParts {
            task,
            ids,
            vocab,
            n_classes,
            labels,
            predictions,
            confidence,
            human,
            baseline,
            slices,
        } = parts;
        // Correctness is decided once per vocabulary entry, then per row by comparing
        // integers: for transcripts two codes are "equal" when their normalised texts are.
        let canonical = match task {
            Task::Classification => (0..vocab.len() as u32).collect::<Vec<_>>(),
            Task::Transcription => text::canonical_codes(&vocab),
        };
        let same = |a: u32, b: u32| canonical[a as usize] == canonical[b as usize];
        let correct = labels
            .iter()
            .zip(&predictions)
            .map(|(&l, &p)| same(l, p))
            .collect();
        let judge = |other: &Vec<u32>| -> Vec<Option<bool>> {
            labels
                .iter()
                .zip(other)
                .map(|(&l, &o)| (o != MISSING).then(|| same(l, o)))
                .collect()
        };
        let human_correct = human.as_ref().map(judge);
        let baseline_correct = baseline.as_ref().map(judge);
        let edits =
            (task == Task::Transcription).then(|| text::row_edits(&vocab, &labels, &predictions));
        EvalSet {
            task,
            ids,
            vocab,
            n_classes,
            labels,
            predictions,
            confidence,
            human,
            baseline,
            slices,
            correct,
            human_correct,
            baseline_correct,
            edits,
            annotators: None,
            probabilities: None,
        }
    }

    /// The set with several annotators' labels and the model's class probabilities. For
    /// transcripts, annotator texts that normalise alike get one code, so that agreement
    /// counts them as the same answer.
    pub fn with_label_sources(
        mut self,
        annotators: Option<Annotators>,
        probabilities: Option<ClassProbabilities>,
    ) -> Self {
        self.annotators = annotators.map(|mut a| {
            if self.task == Task::Transcription {
                // The first vocabulary entry of each normalised text stands for all of them.
                let canonical = text::canonical_codes(&self.vocab);
                let mut first = vec![MISSING; self.vocab.len()];
                for (code, &c) in canonical.iter().enumerate() {
                    if first[c as usize] == MISSING {
                        first[c as usize] = code as u32;
                    }
                }
                for code in a.labels.iter_mut().filter(|c| **c != MISSING) {
                    *code = first[canonical[*code as usize] as usize];
                }
            }
            a
        });
        self.probabilities = probabilities.filter(|p| p.classes == self.n_classes);
        self
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// The set with the analyst's corrected labels in place of the given ones: `corrections`
    /// holds (row, corrected class code; `None` for a confirmed label). Codes outside the
    /// classes are left out (a correction must name a class). Everything derived from the
    /// labels (correctness, edit counts) is computed again.
    pub fn with_corrected_labels(&self, corrections: &[(usize, Option<u32>)]) -> EvalSet {
        let mut labels = self.labels.clone();
        for &(row, code) in corrections {
            if let Some(code) = code.filter(|&c| (c as usize) < self.n_classes) {
                labels[row] = code;
            }
        }
        EvalSet::new(EvalSetParts {
            task: self.task,
            ids: self.ids.clone(),
            vocab: self.vocab.clone(),
            n_classes: self.n_classes,
            labels,
            predictions: self.predictions.clone(),
            confidence: self.confidence.clone(),
            human: self.human.clone(),
            baseline: self.baseline.clone(),
            slices: self.slices.clone(),
        })
        .with_label_sources(self.annotators.clone(), self.probabilities.clone())
    }

    /// The same set with more slice columns (the media's input metrics); a column of the
    /// same name is replaced. The per-row facts do not depend on slices, so they are kept.
    pub fn with_slices(&self, extra: Vec<SliceColumn>) -> EvalSet {
        let mut set = self.clone();
        for column in extra {
            match set.slices.iter_mut().find(|s| s.name == column.name) {
                Some(existing) => *existing = column,
                None => set.slices.push(column),
            }
        }
        set
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    pub fn label_text(&self, row: usize) -> &str {
        &self.vocab[self.labels[row] as usize]
    }

    pub fn prediction_text(&self, row: usize) -> &str {
        &self.vocab[self.predictions[row] as usize]
    }

    /// The class names of a classification task, in report order.
    pub fn class_names(&self) -> &[String] {
        &self.vocab[..self.n_classes]
    }

    pub fn slice(&self, column: &str) -> Option<&SliceColumn> {
        self.slices.iter().find(|s| s.name == column)
    }
}

/// Orders category names as the report shows them: numerically when every name is an
/// integer, otherwise as strings (byte order, the same as scikit-learn's `np.unique`).
pub fn sort_categories(names: &mut [String]) {
    if !names.is_empty() && names.iter().all(|n| n.parse::<i64>().is_ok()) {
        names.sort_by_key(|n| n.parse::<i64>().unwrap_or_default());
    } else {
        names.sort();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A classification set from string labels, for tests.
    pub fn classification(labels: &[&str], predictions: &[&str]) -> EvalSet {
        let mut vocab: Vec<String> = labels
            .iter()
            .chain(predictions)
            .map(|s| s.to_string())
            .collect();
        sort_categories(&mut vocab);
        vocab.dedup();
        let code = |s: &&str| vocab.iter().position(|v| v == s).unwrap() as u32;
        EvalSet::new(EvalSetParts {
            task: Task::Classification,
            ids: (1..=labels.len()).map(|i| i.to_string()).collect(),
            n_classes: vocab.len(),
            labels: labels.iter().map(code).collect(),
            predictions: predictions.iter().map(code).collect(),
            vocab,
            confidence: None,
            human: None,
            baseline: None,
            slices: Vec::new(),
        })
    }

    #[test]
    fn integer_names_sort_numerically() {
        let mut names = vec!["10".to_string(), "9".into(), "-1".into()];
        sort_categories(&mut names);
        assert_eq!(names, ["-1", "9", "10"]);
        let mut names = vec!["b".to_string(), "B".into(), "a".into(), "10".into()];
        sort_categories(&mut names);
        assert_eq!(names, ["10", "B", "a", "b"]);
    }

    #[test]
    fn correctness_and_human_judgements() {
        let mut set = classification(&["a", "b", "b"], &["a", "a", "b"]);
        assert_eq!(set.correct, [true, false, true]);
        set = EvalSet::new(EvalSetParts {
            human: Some(vec![0, MISSING, 0]),
            ..parts_of(&set)
        });
        assert_eq!(set.human_correct.unwrap(), [Some(true), None, Some(false)]);
    }

    pub fn parts_of(set: &EvalSet) -> EvalSetParts {
        EvalSetParts {
            task: set.task,
            ids: set.ids.clone(),
            vocab: set.vocab.clone(),
            n_classes: set.n_classes,
            labels: set.labels.clone(),
            predictions: set.predictions.clone(),
            confidence: set.confidence.clone(),
            human: set.human.clone(),
            baseline: set.baseline.clone(),
            slices: set.slices.clone(),
        }
    }
}
