//! Drift between a reference set and a current set, column by column, with the rules of
//! Evidently's data-drift preset (docs/drift.md): the test is chosen from the number of
//! reference values and of distinct values, a column drifts when its score passes the test's
//! threshold, and the data set drifts when at least half of its columns do.

pub mod analysis;
pub mod inputs;
pub mod ks;
pub mod measures;
pub mod monitor;
pub mod monitored;

use rayon::prelude::*;
use serde::Serialize;

/// A column's values in both sets, missing and infinite values already left out.
#[derive(Clone, Debug)]
pub enum ColumnSample {
    /// Numbers, each side sorted ascending.
    Numeric {
        reference: Vec<f64>,
        current: Vec<f64>,
    },
    /// Counts per value (the same keys on both sides; a value may count 0 on one side).
    Categorical {
        values: Vec<String>,
        reference: Vec<u64>,
        current: Vec<u64>,
    },
}

impl ColumnSample {
    /// Numbers in any order; sorted here.
    pub fn numeric(mut reference: Vec<f64>, mut current: Vec<f64>) -> ColumnSample {
        reference.retain(|v| v.is_finite());
        current.retain(|v| v.is_finite());
        reference.sort_unstable_by(f64::total_cmp);
        current.sort_unstable_by(f64::total_cmp);
        ColumnSample::Numeric { reference, current }
    }

    pub fn kind(&self) -> ColumnKind {
        match self {
            ColumnSample::Numeric { .. } => ColumnKind::Numeric,
            ColumnSample::Categorical { .. } => ColumnKind::Categorical,
        }
    }

    /// The number of values on each side.
    pub fn sizes(&self) -> (u64, u64) {
        match self {
            ColumnSample::Numeric { reference, current } => {
                (reference.len() as u64, current.len() as u64)
            }
            ColumnSample::Categorical {
                reference, current, ..
            } => (reference.iter().sum(), current.iter().sum()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Numeric,
    Categorical,
}

impl ColumnKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
        }
    }
}

/// A drift test, named as in Evidently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftTest {
    /// Two-sample Kolmogorov–Smirnov p-value (numeric only).
    Ks,
    /// Chi-square goodness-of-fit p-value.
    #[serde(rename = "chisquare")]
    ChiSquare,
    /// Two-proportion z-test p-value.
    Z,
    /// Wasserstein distance normed by the reference's standard deviation (numeric only).
    Wasserstein,
    /// Jensen–Shannon distance of the value shares (natural logarithm).
    #[serde(rename = "jensenshannon")]
    JensenShannon,
    /// Population stability index.
    Psi,
}

impl DriftTest {
    pub const ALL: [DriftTest; 6] = [
        DriftTest::Ks,
        DriftTest::ChiSquare,
        DriftTest::Z,
        DriftTest::Wasserstein,
        DriftTest::JensenShannon,
        DriftTest::Psi,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DriftTest::Ks => "ks",
            DriftTest::ChiSquare => "chisquare",
            DriftTest::Z => "z",
            DriftTest::Wasserstein => "wasserstein",
            DriftTest::JensenShannon => "jensenshannon",
            DriftTest::Psi => "psi",
        }
    }

    pub fn from_name(name: &str) -> Option<DriftTest> {
        DriftTest::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name.trim()))
    }

    /// What the score is, for a reader.
    pub fn describe(self) -> &'static str {
        match self {
            DriftTest::Ks => "K-S p-value",
            DriftTest::ChiSquare => "chi-square p-value",
            DriftTest::Z => "z-test p-value",
            DriftTest::Wasserstein => "Wasserstein distance (normed)",
            DriftTest::JensenShannon => "Jensen-Shannon distance",
            DriftTest::Psi => "PSI",
        }
    }

    pub fn default_threshold(self) -> f64 {
        if self.is_p_value() { 0.05 } else { 0.1 }
    }

    /// p-values drift when small; distances when large.
    pub fn is_p_value(self) -> bool {
        matches!(self, DriftTest::Ks | DriftTest::ChiSquare | DriftTest::Z)
    }

    /// Whether the test applies to a column of this kind.
    pub fn applies_to(self, kind: ColumnKind) -> bool {
        match self {
            DriftTest::Ks | DriftTest::Wasserstein => kind == ColumnKind::Numeric,
            _ => true,
        }
    }

    /// Evidently's decision: K-S drifts at p ≤ threshold, chi-square and z at p < threshold,
    /// the distances at score ≥ threshold.
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            DriftTest::Ks => score <= threshold,
            DriftTest::ChiSquare | DriftTest::Z => score < threshold,
            _ => score >= threshold,
        }
    }
}

/// The user's choice for one column; `None` parts take the defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct TestChoice {
    pub test: Option<DriftTest>,
    pub threshold: Option<f64>,
}

/// Evidently's default test for a column: by the number of reference values (≤ 1000 or
/// more) and of distinct values in both sets together.
pub fn default_test(kind: ColumnKind, reference_rows: u64, distinct: usize) -> DriftTest {
    match (reference_rows <= 1000, kind) {
        (true, ColumnKind::Numeric) if distinct > 5 => DriftTest::Ks,
        (true, _) if distinct > 2 => DriftTest::ChiSquare,
        (true, _) => DriftTest::Z,
        (false, ColumnKind::Numeric) if distinct > 5 => DriftTest::Wasserstein,
        (false, _) => DriftTest::JensenShannon,
    }
}

/// A value present in the current set and never in the reference.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NewValue {
    pub value: String,
    pub count: u64,
    /// Its share of the current set's values.
    pub share: f64,
}

/// One column's drift.
#[derive(Clone, Debug, Serialize)]
pub struct ColumnDrift {
    pub column: String,
    pub kind: ColumnKind,
    pub test: DriftTest,
    /// The test's p-value or distance; `None` when it cannot be computed (say, a chi-square
    /// over a single value).
    pub score: Option<f64>,
    pub threshold: f64,
    pub drift: bool,
    /// Values counted on each side (missing ones left out).
    pub reference_values: u64,
    pub current_values: u64,
    /// Categories seen only in the current set, most frequent first.
    pub new_values: Vec<NewValue>,
}

/// Why a column cannot be tested.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DriftError {
    #[error("column \"{column}\" has no values in the {side} set")]
    Empty { column: String, side: &'static str },
    #[error(
        "the {test} test does not apply to the categorical column \"{column}\"; use chisquare, z, jensenshannon or psi"
    )]
    WrongKind { column: String, test: &'static str },
    #[error("the threshold {threshold} for column \"{column}\" is not a positive number")]
    BadThreshold { column: String, threshold: f64 },
}

/// Distinct values and their counts on both sides of a numeric sample (merging the sorted
/// sides), as the categorical tests see a numeric column.
fn numeric_counts(reference: &[f64], current: &[f64]) -> (Vec<f64>, Vec<u64>, Vec<u64>) {
    let (mut keys, mut r, mut c) = (Vec::new(), Vec::new(), Vec::new());
    let (mut i, mut j) = (0usize, 0usize);
    while i < reference.len() || j < current.len() {
        let x = match (reference.get(i), current.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let (si, sj) = (i, j);
        while i < reference.len() && reference[i] == x {
            i += 1;
        }
        while j < current.len() && current[j] == x {
            j += 1;
        }
        keys.push(x);
        r.push((i - si) as u64);
        c.push((j - sj) as u64);
    }
    (keys, r, c)
}

fn distinct_sorted(values: &[f64]) -> usize {
    if values.is_empty() {
        return 0;
    }
    1 + values.windows(2).filter(|w| w[0] != w[1]).count()
}

fn shares(counts: &[u64], total: u64) -> Vec<f64> {
    counts.iter().map(|&c| c as f64 / total as f64).collect()
}

/// Shares per bin on each side, as Evidently bins a column for Jensen–Shannon and PSI: a
/// numeric column with more than 20 reference values gets Sturges' equal-width bins over
/// both sets together, anything else one bin per value.
fn binned_shares(sample: &ColumnSample) -> (Vec<f64>, Vec<f64>) {
    match sample {
        ColumnSample::Numeric { reference, current } => {
            if distinct_sorted(reference) > 20 {
                let min = reference[0].min(current[0]);
                let max = reference[reference.len() - 1].max(current[current.len() - 1]);
                let edges = measures::sturges_edges(min, max, reference.len() + current.len());
                let r = measures::histogram(reference, &edges);
                let c = measures::histogram(current, &edges);
                (
                    shares(&r, reference.len() as u64),
                    shares(&c, current.len() as u64),
                )
            } else {
                let (_, r, c) = numeric_counts(reference, current);
                (
                    shares(&r, reference.len() as u64),
                    shares(&c, current.len() as u64),
                )
            }
        }
        ColumnSample::Categorical {
            reference, current, ..
        } => {
            let (rn, cn) = (reference.iter().sum(), current.iter().sum());
            (shares(reference, rn), shares(current, cn))
        }
    }
}

/// Tests one column.
pub fn column_drift(
    column: &str,
    sample: &ColumnSample,
    choice: TestChoice,
) -> Result<ColumnDrift, DriftError> {
    let kind = sample.kind();
    let (ref_n, cur_n) = sample.sizes();
    for (n, side) in [(ref_n, "reference"), (cur_n, "current")] {
        if n == 0 {
            return Err(DriftError::Empty {
                column: column.to_string(),
                side,
            });
        }
    }
    // Counts per value, for the categorical tests and the distinct count.
    // Counts per value present on either side, and which of them sorts first (the z-test's
    // key; numeric keys come sorted).
    let (counts, first) = match sample {
        ColumnSample::Numeric { reference, current } => {
            let (_, r, c) = numeric_counts(reference, current);
            ((r, c), 0)
        }
        ColumnSample::Categorical {
            values,
            reference,
            current,
        } => {
            let keep: Vec<usize> = (0..reference.len())
                .filter(|&i| reference[i] + current[i] > 0)
                .collect();
            let first = (0..keep.len())
                .min_by_key(|&k| &values[keep[k]])
                .unwrap_or(0);
            let counts = (
                keep.iter().map(|&i| reference[i]).collect(),
                keep.iter().map(|&i| current[i]).collect(),
            );
            (counts, first)
        }
    };
    let distinct = counts.0.len();
    let test = choice
        .test
        .unwrap_or_else(|| default_test(kind, ref_n, distinct));
    if !test.applies_to(kind) {
        return Err(DriftError::WrongKind {
            column: column.to_string(),
            test: test.name(),
        });
    }
    let threshold = choice.threshold.unwrap_or(test.default_threshold());
    if !(threshold.is_finite() && threshold >= 0.0) {
        return Err(DriftError::BadThreshold {
            column: column.to_string(),
            threshold,
        });
    }
    let score = match test {
        DriftTest::Ks => match sample {
            ColumnSample::Numeric { reference, current } => ks::ks_2samp(reference, current).1,
            ColumnSample::Categorical { .. } => unreachable!("checked by applies_to"),
        },
        DriftTest::ChiSquare => measures::chi_square(&counts.0, &counts.1),
        // The first key in sorted order against the rest.
        DriftTest::Z => measures::z_test(
            counts.0[first],
            ref_n,
            counts.1[first],
            cur_n,
            distinct == 1,
        ),
        DriftTest::Wasserstein => match sample {
            ColumnSample::Numeric { reference, current } => {
                let norm = measures::std_dev(reference).max(0.001);
                measures::wasserstein(reference, current) / norm
            }
            ColumnSample::Categorical { .. } => unreachable!("checked by applies_to"),
        },
        DriftTest::JensenShannon => {
            let (r, c) = binned_shares(sample);
            measures::jensen_shannon(&r, &c)
        }
        DriftTest::Psi => {
            let (r, c) = binned_shares(sample);
            measures::psi(&r, &c)
        }
    };
    let score = score.is_finite().then_some(score);
    let drift = score.is_some_and(|s| test.drifted(s, threshold));
    let new_values = match sample {
        ColumnSample::Categorical {
            values,
            reference,
            current,
        } => {
            let mut new: Vec<NewValue> = (0..values.len())
                .filter(|&i| reference[i] == 0 && current[i] > 0)
                .map(|i| NewValue {
                    value: values[i].clone(),
                    count: current[i],
                    share: current[i] as f64 / cur_n as f64,
                })
                .collect();
            new.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            new
        }
        ColumnSample::Numeric { .. } => Vec::new(),
    };
    Ok(ColumnDrift {
        column: column.to_string(),
        kind,
        test,
        score,
        threshold,
        drift,
        reference_values: ref_n,
        current_values: cur_n,
        new_values,
    })
}

/// Evidently's default share of drifted columns at which the data set drifts.
pub const DEFAULT_DRIFT_SHARE: f64 = 0.5;

/// Every column's drift and the data set's verdict.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetDrift {
    pub columns: Vec<ColumnDrift>,
    /// Columns that could not be tested, with the reason.
    pub skipped: Vec<(String, String)>,
    pub drifted: usize,
    /// Drifted columns over tested columns.
    pub drift_share: f64,
    /// The share at which the data set drifts.
    pub threshold: f64,
    pub dataset_drift: bool,
}

/// Tests every column (in parallel; each column is independent). A column that cannot be
/// tested (empty on one side) is skipped with its reason; a wrong choice is an error.
pub fn dataset_drift(
    columns: &[(String, ColumnSample)],
    choice: impl Fn(&str) -> TestChoice + Sync,
    drift_share: f64,
) -> Result<DatasetDrift, DriftError> {
    let results: Vec<Result<ColumnDrift, DriftError>> = columns
        .par_iter()
        .map(|(name, sample)| column_drift(name, sample, choice(name)))
        .collect();
    let (mut tested, mut skipped) = (Vec::new(), Vec::new());
    for result in results {
        match result {
            Ok(c) => tested.push(c),
            Err(e @ DriftError::Empty { .. }) => {
                let column = match &e {
                    DriftError::Empty { column, .. } => column.clone(),
                    _ => unreachable!(),
                };
                skipped.push((column, e.to_string()));
            }
            Err(e) => return Err(e),
        }
    }
    let drifted = tested.iter().filter(|c| c.drift).count();
    let share = if tested.is_empty() {
        0.0
    } else {
        drifted as f64 / tested.len() as f64
    };
    Ok(DatasetDrift {
        dataset_drift: !tested.is_empty() && share >= drift_share,
        columns: tested,
        skipped,
        drifted,
        drift_share: share,
        threshold: drift_share,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(values: &[&str], r: &[u64], c: &[u64]) -> ColumnSample {
        ColumnSample::Categorical {
            values: values.iter().map(|s| s.to_string()).collect(),
            reference: r.to_vec(),
            current: c.to_vec(),
        }
    }

    #[test]
    fn default_tests_follow_evidently() {
        use ColumnKind::*;
        assert_eq!(default_test(Numeric, 1000, 6), DriftTest::Ks);
        assert_eq!(default_test(Numeric, 1000, 5), DriftTest::ChiSquare);
        assert_eq!(default_test(Numeric, 1000, 2), DriftTest::Z);
        assert_eq!(default_test(Categorical, 10, 3), DriftTest::ChiSquare);
        assert_eq!(default_test(Categorical, 10, 2), DriftTest::Z);
        assert_eq!(default_test(Numeric, 1001, 6), DriftTest::Wasserstein);
        assert_eq!(default_test(Numeric, 1001, 5), DriftTest::JensenShannon);
        assert_eq!(
            default_test(Categorical, 5000, 50),
            DriftTest::JensenShannon
        );
    }

    #[test]
    fn new_categories_are_named_with_their_share() {
        let s = cat(&["phone", "tablet", "watch"], &[50, 50, 0], &[40, 40, 20]);
        let d = column_drift("device", &s, TestChoice::default()).unwrap();
        assert_eq!(d.test, DriftTest::ChiSquare);
        assert!(d.drift);
        assert_eq!(d.new_values.len(), 1);
        assert_eq!(d.new_values[0].value, "watch");
        assert!((d.new_values[0].share - 0.2).abs() < 1e-12);
    }

    #[test]
    fn a_single_shared_value_never_drifts() {
        let s = cat(&["a", "b"], &[30, 0], &[12, 0]);
        let d = column_drift("c", &s, TestChoice::default()).unwrap();
        assert_eq!(d.test, DriftTest::Z);
        assert_eq!(d.score, Some(1.0));
        assert!(!d.drift);
    }

    #[test]
    fn wrong_choices_and_empty_columns_are_refused_or_skipped() {
        let s = cat(&["a", "b"], &[3, 4], &[1, 2]);
        let wrong = TestChoice {
            test: Some(DriftTest::Ks),
            threshold: None,
        };
        assert!(matches!(
            column_drift("c", &s, wrong),
            Err(DriftError::WrongKind { .. })
        ));
        let empty = ColumnSample::numeric(vec![1.0, 2.0], vec![f64::NAN]);
        let cols = vec![("x".to_string(), empty), ("c".to_string(), s)];
        let d = dataset_drift(&cols, |_| TestChoice::default(), DEFAULT_DRIFT_SHARE).unwrap();
        assert_eq!(d.skipped.len(), 1);
        assert_eq!(d.columns.len(), 1);
    }
}
