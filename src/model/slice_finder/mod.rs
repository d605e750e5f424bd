//! Slice discovery: the slices where the model errs most, found rather than guessed.
//! `sliceline` is the search (as the `sliceline` package's `Slicefinder`), `features` what
//! it searches over (slice columns, tags, true and predicted class) and the error of each
//! row (misclassified, WER, or regressed against a baseline), `grid` two features crossed.

pub mod features;
pub mod grid;
mod sliceline;

use std::borrow::Cow;

use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::model::{EvalSet, SliceCodes, TagBook};

pub use features::{ErrorKind, feature_names, features, row_errors};

/// A categorical feature: `codes.get(row)` indexes `values`. A slice column's codes are
/// borrowed, not copied.
#[derive(Clone, Debug)]
pub struct Feature<'a> {
    pub name: Cow<'a, str>,
    pub values: Cow<'a, [String]>,
    pub codes: Cow<'a, SliceCodes>,
}

/// The smallest slice worth reporting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MinSupport {
    /// 1 % of the rows, and at least 10 (or every row of a smaller set).
    #[default]
    Default,
    Rows(u64),
    /// A share of the rows in (0, 1), rounded down as the package does.
    Share(f64),
}

impl MinSupport {
    /// The minimum support in rows for a set of `n` rows.
    pub fn rows(self, n: usize) -> Result<u64, FinderError> {
        let n64 = n as u64;
        match self {
            MinSupport::Default => Ok((n64 / 100).max(10).min(n64)),
            MinSupport::Rows(r) if r > n64 => Err(FinderError::SupportTooLarge {
                support: r,
                rows: n,
            }),
            MinSupport::Rows(r) => Ok(r),
            MinSupport::Share(s) if !(s > 0.0 && s < 1.0) => Err(FinderError::BadShare(s)),
            MinSupport::Share(s) => Ok((s * n as f64) as u64),
        }
    }

    /// Reads "N" (rows), "0.05" (a share) or "5%".
    pub fn parse(text: &str) -> Result<MinSupport, FinderError> {
        let t = text.trim();
        let bad = || FinderError::BadSupport(text.to_string());
        if let Some(p) = t.strip_suffix('%') {
            let p: f64 = p.trim().parse().map_err(|_| bad())?;
            return Ok(MinSupport::Share(p / 100.0));
        }
        if let Ok(r) = t.parse::<u64>() {
            return Ok(MinSupport::Rows(r));
        }
        match t.parse::<f64>() {
            Ok(s) if s > 0.0 && s < 1.0 => Ok(MinSupport::Share(s)),
            _ => Err(bad()),
        }
    }
}

/// The finder's parameters, as the package names them: `alpha` weighs the slice's error
/// rate against its size, `k` slices are kept (and all tied with the k-th), slices have at
/// most `max_level` predicates and at least the minimum support in rows.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Params {
    pub alpha: f64,
    pub k: usize,
    pub max_level: usize,
    pub min_support: MinSupport,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            alpha: 0.6,
            k: 10,
            max_level: 3,
            min_support: MinSupport::Default,
        }
    }
}

impl Params {
    pub fn check(&self) -> Result<(), FinderError> {
        if !(self.alpha > 0.0 && self.alpha <= 1.0) {
            return Err(FinderError::BadAlpha(self.alpha));
        }
        if self.k < 1 {
            return Err(FinderError::BadK);
        }
        if self.max_level < 1 {
            return Err(FinderError::BadLevel);
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FinderError {
    #[error(
        "alpha must be above 0 and at most 1 (it weighs a slice's error rate against its size); got {0}"
    )]
    BadAlpha(f64),
    #[error("k must be at least 1 (the number of slices to find)")]
    BadK,
    #[error("the maximum level must be at least 1 (the most predicates a slice may combine)")]
    BadLevel,
    #[error(
        "the minimum support of {support} rows is larger than the set ({rows} rows); choose at most {rows}, or a share such as 1%"
    )]
    SupportTooLarge { support: u64, rows: usize },
    #[error("a minimum support given as a share must be above 0 and below 1; got {0}")]
    BadShare(f64),
    #[error(
        "cannot read the minimum support {0:?}: give a number of rows (50), a share (0.01) or a percentage (1%)"
    )]
    BadSupport(String),
    #[error("the set has no rows to search")]
    Empty,
    #[error("row {row} has no usable error value ({value}); errors must be finite numbers")]
    BadError { row: usize, value: f64 },
    #[error("no feature named {name:?}; the features are: {known}")]
    UnknownFeature { name: String, known: String },
    #[error("regressions need a baseline column (`--baseline`)")]
    NoBaseline,
    #[error("WER is the error of transcripts; this set is classification")]
    NotTranscripts,
    #[error("the search was cancelled")]
    Cancelled,
}

/// One found slice: its predicates (feature index, value code) in feature order.
#[derive(Clone, Debug, PartialEq)]
pub struct FoundSlice {
    pub predicates: Vec<(usize, u32)>,
    pub size: u64,
    /// The sum of the rows' errors.
    pub errors: f64,
    pub error_rate: f64,
    pub score: f64,
}

/// A slice as the reader sees it: column → value, in feature order.
#[derive(Clone, Debug, PartialEq)]
pub struct Predicates(pub Vec<(String, String)>);

impl Serialize for Predicates {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Predicates {
    /// "accent = welsh and device = phone".
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|(c, v)| format!("{c} = {v}"))
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedSlice {
    pub predicates: Predicates,
    pub size: u64,
    pub errors: f64,
    pub error_rate: f64,
    pub score: f64,
    /// The rank (from 1) of a better-ranked slice holding exactly the same rows: another
    /// name for it (a predicate every one of its rows meets, such as an unused tag's "no").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_rows_as: Option<usize>,
    /// The rows, for click-through (not in reports).
    #[serde(skip)]
    pub rows: Vec<u32>,
}

/// What the `found_slices` report section and the Find slices section show.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FoundSlices {
    pub alpha: f64,
    pub k: usize,
    pub max_level: usize,
    /// In rows.
    pub min_support: u64,
    pub errors: ErrorKind,
    pub rows: usize,
    /// The mean row error over the set.
    pub average_error: f64,
    pub features: Vec<String>,
    pub slices: Vec<NamedSlice>,
}

/// A search as the user asks for it: the parameters, the error (`None`: the set's natural
/// one, WER for transcripts) and the features (empty: all). Projects keep the last one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Search {
    pub params: Params,
    pub errors: Option<ErrorKind>,
    pub columns: Vec<String>,
}

impl Search {
    pub fn error_kind(&self, set: &EvalSet) -> ErrorKind {
        self.errors.unwrap_or_else(|| ErrorKind::natural(set))
    }

    /// Runs the search over a set and its tags.
    pub fn run(
        &self,
        set: &EvalSet,
        book: &TagBook,
        keep_going: &(dyn Fn(f32) -> bool + Sync),
    ) -> Result<FoundSlices, FinderError> {
        self.params.check()?;
        let kind = self.error_kind(set);
        let errors = row_errors(set, kind)?;
        let only = (!self.columns.is_empty()).then_some(self.columns.as_slice());
        let features = features(set, book, only)?;
        find_named(&features, &errors, kind, &self.params, keep_going)
    }
}

/// An audit check that watches a found slice: its accuracy (WER for transcripts' WER
/// search) at most 5 points worse than the whole set's, judged from the finder's minimum
/// support.
pub fn audit_check(found: &FoundSlices, slice: &NamedSlice) -> crate::model::audit::Check {
    use crate::model::audit::{Check, Metric, Scope, Threshold};
    Check {
        risk: format!("found slice: {}", slice.predicates.describe()),
        metric: match found.errors {
            ErrorKind::Wer => Metric::Wer,
            _ => Metric::Accuracy,
        },
        class: None,
        words: Vec::new(),
        scope: Scope::Where(slice.predicates.0.clone()),
        threshold: Threshold::MaxGap(0.05),
        min_support: found.min_support,
    }
}

/// The top slices by SliceLine's score over `features` for the row `errors`. `keep_going`
/// hears the share done and stops the search when it returns false.
pub fn find(
    features: &[Feature],
    errors: &[f64],
    params: &Params,
    keep_going: &(dyn Fn(f32) -> bool + Sync),
) -> Result<(Vec<FoundSlice>, f64, u64), FinderError> {
    params.check()?;
    if errors.is_empty() {
        return Err(FinderError::Empty);
    }
    if let Some((row, &value)) = errors.iter().enumerate().find(|(_, e)| !e.is_finite()) {
        return Err(FinderError::BadError {
            row: row + 1,
            value,
        });
    }
    let outcome = sliceline::search(features, errors, params, keep_going)?;
    let found = outcome
        .top
        .iter()
        .map(|s| {
            let predicates = s
                .columns
                .iter()
                .map(|&c| outcome.columns[c as usize])
                .collect();
            FoundSlice {
                predicates,
                size: s.stats.size as u64,
                errors: s.stats.errors,
                error_rate: s.stats.errors / s.stats.size,
                score: s.stats.score,
            }
        })
        .collect();
    Ok((found, outcome.average_error, outcome.min_support))
}

/// The rows a slice holds, in row order.
pub fn rows_of(features: &[Feature], predicates: &[(usize, u32)], n: usize) -> Vec<u32> {
    (0..n as u32)
        .filter(|&row| {
            predicates
                .iter()
                .all(|&(f, v)| features[f].codes.get(row as usize) == v)
        })
        .collect()
}

/// Runs the finder and names what it found, for reports and the app.
pub fn find_named(
    features: &[Feature],
    errors: &[f64],
    kind: ErrorKind,
    params: &Params,
    keep_going: &(dyn Fn(f32) -> bool + Sync),
) -> Result<FoundSlices, FinderError> {
    let (found, average_error, min_support) = find(features, errors, params, keep_going)?;
    let mut slices: Vec<NamedSlice> = found
        .into_iter()
        .map(|s| NamedSlice {
            rows: rows_of(features, &s.predicates, errors.len()),
            predicates: Predicates(
                s.predicates
                    .iter()
                    .map(|&(f, v)| {
                        (
                            features[f].name.to_string(),
                            features[f].values[v as usize].clone(),
                        )
                    })
                    .collect(),
            ),
            size: s.size,
            errors: s.errors,
            error_rate: s.error_rate,
            score: s.score,
            same_rows_as: None,
        })
        .collect();
    for i in 1..slices.len() {
        slices[i].same_rows_as = (0..i)
            .find(|&j| slices[j].size == slices[i].size && slices[j].rows == slices[i].rows)
            .map(|j| slices[j].same_rows_as.unwrap_or(j + 1));
    }
    Ok(FoundSlices {
        alpha: params.alpha,
        k: params.k,
        max_level: params.max_level,
        min_support,
        errors: kind,
        rows: errors.len(),
        average_error,
        features: features.iter().map(|f| f.name.to_string()).collect(),
        slices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(name: &str, codes: Vec<u32>, values: &[&str]) -> Feature<'static> {
        Feature {
            name: Cow::Owned(name.into()),
            values: Cow::Owned(values.iter().map(|v| v.to_string()).collect()),
            codes: Cow::Owned(codes.into()),
        }
    }

    #[test]
    fn finds_a_planted_conjunction() {
        // Errors where a = x and b = y; each alone is only half bad.
        let n = 400;
        let a: Vec<u32> = (0..n).map(|i| (i % 2) as u32).collect();
        let b: Vec<u32> = (0..n).map(|i| ((i / 2) % 2) as u32).collect();
        let c: Vec<u32> = (0..n).map(|i| ((i / 4) % 3) as u32).collect();
        let errors: Vec<f64> = (0..n as usize)
            .map(|i| if a[i] == 1 && b[i] == 0 { 1.0 } else { 0.0 })
            .collect();
        let features = [
            feature("a", a, &["w", "x"]),
            feature("b", b, &["y", "z"]),
            feature("c", c, &["p", "q", "r"]),
        ];
        let params = Params {
            k: 1,
            ..Params::default()
        };
        let (found, average, support) = find(&features, &errors, &params, &|_| true).unwrap();
        assert_eq!(average, 0.25);
        assert_eq!(support, 10);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].predicates, vec![(0, 1), (1, 0)]);
        assert_eq!(found[0].size, 100);
        assert_eq!(found[0].error_rate, 1.0);
        assert_eq!(
            rows_of(&features, &found[0].predicates, n as usize).len(),
            100
        );
    }

    #[test]
    fn a_slice_with_the_rows_of_a_better_one_says_so() {
        // `d` has one value: adding it to a slice changes nothing.
        let n = 200;
        let a: Vec<u32> = (0..n).map(|i| (i % 4 == 0) as u32).collect();
        let errors: Vec<f64> = a.iter().map(|&v| v as f64).collect();
        let features = [
            feature("a", a, &["no", "yes"]),
            feature("d", vec![0; n as usize], &["all"]),
        ];
        let params = Params {
            alpha: 0.95,
            k: 2,
            ..Params::default()
        };
        let found = find_named(
            &features,
            &errors,
            ErrorKind::Misclassified,
            &params,
            &|_| true,
        )
        .unwrap();
        let names: Vec<String> = found
            .slices
            .iter()
            .map(|s| s.predicates.describe())
            .collect();
        assert_eq!(names, ["a = yes", "a = yes and d = all"]);
        assert_eq!(found.slices[0].same_rows_as, None);
        assert_eq!(found.slices[1].same_rows_as, Some(1));
    }

    #[test]
    fn bad_parameters_say_what_is_allowed() {
        let f = [feature("a", vec![0; 20], &["x"])];
        let e = vec![1.0; 20];
        let run = |p: Params| find(&f, &e, &p, &|_| true).unwrap_err();
        assert_eq!(
            run(Params {
                alpha: 0.0,
                ..Params::default()
            }),
            FinderError::BadAlpha(0.0)
        );
        assert_eq!(
            run(Params {
                alpha: 1.5,
                ..Params::default()
            }),
            FinderError::BadAlpha(1.5)
        );
        assert_eq!(
            run(Params {
                k: 0,
                ..Params::default()
            }),
            FinderError::BadK
        );
        assert_eq!(
            run(Params {
                max_level: 0,
                ..Params::default()
            }),
            FinderError::BadLevel
        );
        let big = run(Params {
            min_support: MinSupport::Rows(21),
            ..Params::default()
        });
        assert!(
            big.to_string().contains("larger than the set (20 rows)"),
            "{big}"
        );
        assert!(MinSupport::parse("ten").is_err());
        assert_eq!(MinSupport::parse("5%").unwrap(), MinSupport::Share(0.05));
        assert_eq!(MinSupport::parse("0.2").unwrap(), MinSupport::Share(0.2));
        assert_eq!(MinSupport::parse("50").unwrap(), MinSupport::Rows(50));
        let mut nan = e.clone();
        nan[3] = f64::NAN;
        assert!(matches!(
            find(&f, &nan, &Params::default(), &|_| true),
            Err(FinderError::BadError { row: 4, .. })
        ));
    }

    #[test]
    fn no_errors_find_nothing() {
        let f = [feature("a", vec![0; 20], &["x"])];
        let (found, _, _) = find(&f, &[0.0; 20], &Params::default(), &|_| true).unwrap();
        assert!(found.is_empty());
    }
}
