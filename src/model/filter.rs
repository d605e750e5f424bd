//! Which rows the review table shows: a combination of conditions, evaluated over integer
//! codes so that filtering a million rows takes milliseconds.

use rayon::prelude::*;

use super::comparison::{Change, change};
use super::dataset::EvalSet;
use super::tags::{TagBook, TagId};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Outcome {
    #[default]
    All,
    Errors,
    Correct,
}

/// Conditions a row must all meet; the default shows every row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowFilter {
    pub outcome: Outcome,
    pub unreviewed_only: bool,
    /// Rows carrying this tag.
    pub tag: Option<TagId>,
    /// Rows carrying no tag at all.
    pub untagged: bool,
    /// (index into `EvalSet::slices`, value code).
    pub slice: Option<(usize, u32)>,
    /// Ground-truth code.
    pub truth: Option<u32>,
    /// Predicted code.
    pub predicted: Option<u32>,
    /// Inclusive confidence range; rows without a confidence never match it.
    pub confidence: Option<(f64, f64)>,
    /// Rows that regressed (or were fixed) against the baseline.
    pub change: Option<Change>,
    /// Case-insensitive text found in the id, the label or the prediction.
    pub search: String,
    /// Rows whose annotators gave different labels.
    pub annotators_disagree: bool,
    /// Only the rows of a list the dashboard links to (the suspected label errors).
    pub listed: Option<RowList>,
}

/// A named list of rows (sorted row numbers).
#[derive(Clone, Debug, PartialEq)]
pub struct RowList {
    pub name: String,
    pub rows: std::sync::Arc<[u32]>,
}

impl RowList {
    pub fn new(name: impl Into<String>, mut rows: Vec<u32>) -> Self {
        rows.sort_unstable();
        RowList {
            name: name.into(),
            rows: rows.into(),
        }
    }
}

impl RowFilter {
    pub fn is_empty(&self) -> bool {
        *self == RowFilter::default()
    }

    /// Whether `row` meets every condition; `needle` is the search text, trimmed and
    /// lowercased.
    pub fn matches(&self, set: &EvalSet, book: &TagBook, row: usize, needle: &str) -> bool {
        self.meets_conditions(set, book, row)
            && (needle.is_empty()
                || contains_folded(set.ids.get(row), needle)
                || contains_folded(set.label_text(row), needle)
                || contains_folded(set.prediction_text(row), needle))
    }

    /// Every condition but the search.
    fn meets_conditions(&self, set: &EvalSet, book: &TagBook, row: usize) -> bool {
        let outcome = match self.outcome {
            Outcome::All => true,
            Outcome::Errors => !set.correct[row],
            Outcome::Correct => set.correct[row],
        };
        outcome
            && (!self.unreviewed_only || !book.is_reviewed(row))
            && self.tag.is_none_or(|t| book.has(t, row))
            && (!self.untagged || book.tag_count(row) == 0)
            && self
                .slice
                .is_none_or(|(column, value)| set.slices[column].codes.get(row) == value)
            && self.truth.is_none_or(|c| set.labels[row] == c)
            && self.predicted.is_none_or(|c| set.predictions[row] == c)
            && self.confidence.is_none_or(|(lo, hi)| {
                set.confidence
                    .as_ref()
                    .is_some_and(|c| (lo..=hi).contains(&c[row]))
            })
            && self.change.is_none_or(|c| change(set, row) == Some(c))
            && (!self.annotators_disagree
                || set
                    .annotators
                    .as_ref()
                    .is_some_and(|a| super::labels::annotators_disagree(a, row)))
            && self
                .listed
                .as_ref()
                .is_none_or(|l| l.rows.binary_search(&(row as u32)).is_ok())
    }

    /// The matching rows, in row order.
    pub fn rows(&self, set: &EvalSet, book: &TagBook) -> Vec<u32> {
        if self.is_empty() {
            // Every row, as the project opens: no row tested and no pieces gathered from
            // threads (a third of a second at 10 million rows while the figures compute).
            return (0..set.len() as u32).collect();
        }
        let needle = self.search.trim().to_lowercase();
        // Labels and predictions are codes into the vocabulary: search each entry once, not
        // once per row.
        let in_vocab: Vec<bool> = if needle.is_empty() {
            Vec::new()
        } else {
            set.vocab
                .par_iter()
                .map(|text| contains_folded(text, &needle))
                .collect()
        };
        (0..set.len() as u32)
            .into_par_iter()
            .filter(|&row| {
                let row = row as usize;
                self.meets_conditions(set, book, row)
                    && (needle.is_empty()
                        || in_vocab[set.labels[row] as usize]
                        || in_vocab[set.predictions[row] as usize]
                        || contains_folded(set.ids.get(row), &needle))
            })
            .collect()
    }
}

fn contains_folded(haystack: &str, needle_lowercase: &str) -> bool {
    if haystack.is_ascii() && needle_lowercase.is_ascii() {
        haystack
            .as_bytes()
            .windows(needle_lowercase.len())
            .any(|w| w.eq_ignore_ascii_case(needle_lowercase.as_bytes()))
    } else {
        haystack.to_lowercase().contains(needle_lowercase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dataset::tests::{classification, parts_of};
    use crate::model::dataset::{EvalSetParts, SliceCodes, SliceColumn, SliceKind};

    fn sample() -> (EvalSet, TagBook) {
        let base = classification(
            &["cat", "cat", "dog", "dog", "cat"],
            &["cat", "dog", "dog", "cat", "cat"],
        );
        let set = EvalSet::new(EvalSetParts {
            confidence: Some(vec![0.9, 0.4, 0.8, f64::NAN, 0.6]),
            slices: vec![SliceColumn {
                name: "site".into(),
                kind: SliceKind::Categorical,
                values: vec!["a".into(), "b".into()],
                codes: SliceCodes::Narrow(vec![0, 1, 1, 0, 1]),
                numbers: None,
            }],
            ..parts_of(&base)
        });
        let mut book = TagBook::new(set.len());
        let blur = book.define("blur");
        book.assign(&set, blur, 1);
        book.assign(&set, blur, 2);
        book.set_marked(&set, 4, true);
        (set, book)
    }

    #[test]
    fn regressions_and_fixes_against_a_baseline() {
        let base = classification(
            &["cat", "cat", "dog", "dog", "cat"],
            &["cat", "dog", "dog", "cat", "cat"],
        );
        let code = |name: &str| base.vocab.iter().position(|v| v == name).unwrap() as u32;
        let set = EvalSet::new(EvalSetParts {
            baseline: Some(["cat", "cat", "cat", "dog", "dog"].map(code).to_vec()),
            ..parts_of(&base)
        });
        let book = TagBook::new(set.len());
        let rows = |change| {
            RowFilter {
                change: Some(change),
                ..Default::default()
            }
            .rows(&set, &book)
        };
        assert_eq!(rows(Change::Regressed), [1, 3]);
        assert_eq!(rows(Change::Fixed), [2, 4]);
        assert_eq!(crate::model::comparison::counts(&set), Some((2, 2)));
        assert_eq!(crate::model::comparison::counts(&base), None);
    }

    #[test]
    fn each_condition_and_their_combination() {
        let (set, book) = sample();
        let rows = |f: RowFilter| f.rows(&set, &book);
        assert_eq!(rows(RowFilter::default()), [0, 1, 2, 3, 4]);
        assert_eq!(
            rows(RowFilter {
                outcome: Outcome::Errors,
                ..Default::default()
            }),
            [1, 3]
        );
        assert_eq!(
            rows(RowFilter {
                outcome: Outcome::Correct,
                ..Default::default()
            }),
            [0, 2, 4]
        );
        assert_eq!(
            rows(RowFilter {
                unreviewed_only: true,
                ..Default::default()
            }),
            [0, 3]
        );
        assert_eq!(
            rows(RowFilter {
                tag: Some(0),
                ..Default::default()
            }),
            [1, 2]
        );
        assert_eq!(
            rows(RowFilter {
                untagged: true,
                ..Default::default()
            }),
            [0, 3, 4]
        );
        assert_eq!(
            rows(RowFilter {
                slice: Some((0, 1)),
                ..Default::default()
            }),
            [1, 2, 4]
        );
        assert_eq!(
            rows(RowFilter {
                truth: Some(1),
                ..Default::default()
            }),
            [2, 3]
        );
        assert_eq!(
            rows(RowFilter {
                predicted: Some(1),
                ..Default::default()
            }),
            [1, 2]
        );
        assert_eq!(
            rows(RowFilter {
                confidence: Some((0.5, 0.85)),
                ..Default::default()
            }),
            [2, 4],
            "NaN never matches"
        );
        assert_eq!(
            rows(RowFilter {
                search: " DOG".into(),
                ..Default::default()
            }),
            [1, 2, 3]
        );
        assert_eq!(
            rows(RowFilter {
                search: "4".into(),
                ..Default::default()
            }),
            [3],
            "ids are searched"
        );
        let combined = RowFilter {
            outcome: Outcome::Errors,
            slice: Some((0, 1)),
            tag: Some(0),
            ..Default::default()
        };
        assert_eq!(rows(combined.clone()), [1]);
        // One row at a time (after an edit) agrees with the pass over all rows.
        for filter in [
            combined,
            RowFilter {
                search: "Do".into(),
                outcome: Outcome::Errors,
                ..Default::default()
            },
        ] {
            let needle = filter.search.trim().to_lowercase();
            let one_by_one: Vec<u32> = (0..5)
                .filter(|&r| filter.matches(&set, &book, r as usize, &needle))
                .collect();
            assert_eq!(filter.rows(&set, &book), one_by_one);
        }
        assert!(RowFilter::default().is_empty());
    }
}
