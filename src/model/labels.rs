//! Label consistency: how far several annotators agree overall, per pair, per annotator,
//! per class, per slice value and per tag, the HLP their labels measure, and the corrected
//! labels' effect on accuracy. The coefficients are those of [`super::agreement`].

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use super::agreement::{AgreementCounts, PairAgreement, Ratings, cohen_kappa, majority};
use super::dataset::{Annotators, EvalSet, MISSING, Task};
use super::stats::ratio;
use super::text;

/// A group whose agreement is this far below the overall one is flagged: 10 points of
/// percent agreement, or 0.2 of Fleiss' kappa (one band of Landis and Koch's scale).
pub const FLAG_AGREEMENT: f64 = 0.10;
pub const FLAG_KAPPA: f64 = 0.20;
/// Groups smaller than this are never flagged: their agreement is too noisy to read.
pub const FLAG_MIN_ROWS: u64 = 10;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnnotatorStats {
    pub annotator: String,
    /// Rows this annotator labelled.
    pub n: u64,
    /// Share of those labels equal to the ground truth.
    pub accuracy: Option<f64>,
    /// Share of this annotator's labels equal to the majority of the others' labels, over
    /// the rows where the others have a majority (`majority_n`).
    pub agreement_with_majority: Option<f64>,
    pub majority_n: u64,
    /// The classes this annotator mixes up: (truth, given, count), most frequent first.
    pub mixups: Vec<Mixup>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mixup {
    pub truth: String,
    pub given: String,
    pub count: u64,
}

/// Agreement within one group of rows: a class, a slice value or a tag.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupAgreement {
    /// The slice column (`None` for classes and tags).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub value: String,
    /// Rows of the group with at least two annotations.
    pub n: u64,
    pub fleiss_kappa: Option<f64>,
    pub percent_agreement: Option<f64>,
    /// The annotators' accuracy against the ground truth, averaged over annotators.
    pub annotator_accuracy: Option<f64>,
    /// Well below the overall agreement (see [`FLAG_AGREEMENT`], [`FLAG_KAPPA`]).
    pub flagged: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgreementFigures {
    pub annotators: Vec<String>,
    /// Rows with at least two annotations.
    pub n: u64,
    pub percent_agreement: Option<f64>,
    pub fleiss_kappa: Option<f64>,
    /// Rows left out of Fleiss' kappa for missing an annotation.
    pub fleiss_excluded: u64,
    pub krippendorff_alpha: Option<f64>,
    /// HLP from the annotators: each one's accuracy against the ground truth, averaged.
    pub annotator_accuracy: Option<f64>,
    pub pairs: Vec<PairAgreement>,
    pub per_annotator: Vec<AnnotatorStats>,
    /// How often annotators agree on rows whose ground truth is each class.
    pub per_class: Vec<GroupAgreement>,
    pub by_slice: Vec<GroupAgreement>,
    /// Per tag; brought up to date with the tags ([`AgreementFigures::refresh_tags`]).
    pub by_tag: Vec<GroupAgreement>,
}

/// Whether an annotator's label is the ground truth, for each (row, annotator): decided on
/// the codes (for transcripts, after normalisation).
struct Judge {
    canonical: Option<Vec<u32>>,
}

impl Judge {
    fn new(set: &EvalSet) -> Self {
        Judge {
            canonical: (set.task == Task::Transcription).then(|| text::canonical_codes(&set.vocab)),
        }
    }

    fn same(&self, a: u32, b: u32) -> bool {
        match &self.canonical {
            None => a == b,
            Some(c) => c[a as usize] == c[b as usize],
        }
    }
}

/// Per-annotator (labelled, right) counts over a group of rows.
#[derive(Clone, Debug)]
struct AccuracyCounts(Vec<[u64; 2]>);

impl AccuracyCounts {
    fn new(annotators: usize) -> Self {
        AccuracyCounts(vec![[0, 0]; annotators])
    }

    fn add(&mut self, set: &EvalSet, judge: &Judge, annotators: &Annotators, row: usize) {
        for (a, &label) in annotators.row(row).iter().enumerate() {
            if label != MISSING {
                self.0[a][0] += 1;
                self.0[a][1] += u64::from(judge.same(label, set.labels[row]));
            }
        }
    }

    fn merge(mut self, other: AccuracyCounts) -> Self {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            a[0] += b[0];
            a[1] += b[1];
        }
        self
    }

    /// Each annotator's accuracy, averaged over those who labelled a row of the group.
    fn mean(&self) -> Option<f64> {
        let accuracies: Vec<f64> = self.0.iter().filter_map(|[n, r]| ratio(*r, *n)).collect();
        (!accuracies.is_empty()).then(|| accuracies.iter().sum::<f64>() / accuracies.len() as f64)
    }
}

#[derive(Clone, Debug)]
struct Group {
    agreement: AgreementCounts,
    accuracy: AccuracyCounts,
}

impl Group {
    fn new(annotators: usize) -> Self {
        Group {
            agreement: AgreementCounts::default(),
            accuracy: AccuracyCounts::new(annotators),
        }
    }

    fn merge(self, other: Group) -> Group {
        Group {
            agreement: self.agreement.merge(other.agreement),
            accuracy: self.accuracy.merge(other.accuracy),
        }
    }

    fn figures(&self, column: Option<&str>, value: &str) -> GroupAgreement {
        GroupAgreement {
            column: column.map(str::to_string),
            value: value.to_string(),
            n: self.agreement.pairable,
            fleiss_kappa: self.agreement.fleiss_kappa(),
            percent_agreement: self.agreement.percent_agreement(),
            annotator_accuracy: self.accuracy.mean(),
            flagged: false,
        }
    }
}

/// Rows counted per parallel task.
const CHUNK: usize = 1 << 16;

/// Counts for the groups of `group_of` (a group index per row, `None`: in none).
fn group_counts(
    set: &EvalSet,
    annotators: &Annotators,
    groups: usize,
    group_of: impl Fn(usize) -> Option<usize> + Sync,
) -> Vec<Group> {
    let judge = Judge::new(set);
    let a = annotators.count();
    // Fixed chunks merged in order: the sums, and so the figures, are the same on every run.
    let starts: Vec<usize> = (0..set.len()).step_by(CHUNK).collect();
    let chunks: Vec<Vec<Group>> = starts
        .par_iter()
        .map(|&start| {
            let mut acc = vec![Group::new(a); groups];
            let mut scratch = Vec::new();
            for row in start..(start + CHUNK).min(set.len()) {
                if let Some(g) = group_of(row) {
                    acc[g].agreement.add(annotators.row(row), &mut scratch);
                    acc[g].accuracy.add(set, &judge, annotators, row);
                }
            }
            acc
        })
        .collect();
    chunks
        .into_iter()
        .reduce(|x, y| x.into_iter().zip(y).map(|(p, q)| p.merge(q)).collect())
        .unwrap_or_else(|| vec![Group::new(a); groups])
}

impl AgreementFigures {
    /// Every agreement figure of a set with annotators; `None` without them.
    pub fn compute(set: &EvalSet) -> Option<Self> {
        let annotators = set.annotators.as_ref()?;
        let a = annotators.count();
        let ratings = Ratings {
            annotators: a,
            labels: &annotators.labels,
        };
        let overall = group_counts(set, annotators, 1, |_| Some(0)).remove(0);
        let pairs: Vec<(usize, usize)> = (0..a)
            .flat_map(|i| (i + 1..a).map(move |j| (i, j)))
            .collect();
        let pairs = pairs
            .par_iter()
            .map(|&(i, j)| {
                let (kappa, percent, n) = cohen_kappa(ratings, i, j);
                PairAgreement {
                    a: annotators.names[i].clone(),
                    b: annotators.names[j].clone(),
                    n,
                    percent_agreement: percent,
                    cohen_kappa: kappa,
                }
            })
            .collect();
        let per_annotator = (0..a)
            .into_par_iter()
            .map(|i| annotator_stats(set, annotators, i, &overall.accuracy))
            .collect();
        let per_class = match set.task {
            Task::Classification => {
                let classes = group_counts(set, annotators, set.n_classes, |row| {
                    Some(set.labels[row] as usize)
                });
                set.class_names()
                    .iter()
                    .zip(&classes)
                    .filter(|(_, g)| g.agreement.rows > 0)
                    .map(|(name, g)| g.figures(None, name))
                    .collect()
            }
            Task::Transcription => Vec::new(),
        };
        let mut by_slice = Vec::new();
        for column in &set.slices {
            let groups = group_counts(set, annotators, column.values.len(), |row| {
                Some(column.codes.get(row) as usize)
            });
            by_slice.extend(
                column
                    .values
                    .iter()
                    .zip(&groups)
                    .filter(|(_, g)| g.agreement.rows > 0)
                    .map(|(value, g)| g.figures(Some(&column.name), value)),
            );
        }
        let mut figures = AgreementFigures {
            annotators: annotators.names.clone(),
            n: overall.agreement.pairable,
            percent_agreement: overall.agreement.percent_agreement(),
            fleiss_kappa: overall.agreement.fleiss_kappa(),
            fleiss_excluded: overall.agreement.fleiss_excluded(),
            krippendorff_alpha: overall.agreement.krippendorff_alpha(),
            annotator_accuracy: overall.accuracy.mean(),
            pairs,
            per_annotator,
            per_class,
            by_slice,
            by_tag: Vec::new(),
        };
        let (percent, kappa) = (figures.percent_agreement, figures.fleiss_kappa);
        // Within one true class chance agreement is high and kappa near 0 by construction,
        // so classes are flagged on percent agreement alone.
        for g in &mut figures.per_class {
            g.flagged = is_flagged(g, percent, None);
        }
        for g in &mut figures.by_slice {
            g.flagged = is_flagged(g, percent, kappa);
        }
        Some(figures)
    }

    /// Agreement per tag, from the rows each tag holds (`tags`: name and rows). Costs the
    /// tagged rows times the annotators, so it follows every tag edit.
    pub fn refresh_tags(&mut self, set: &EvalSet, tags: &[(String, Vec<u32>)]) {
        let Some(annotators) = set.annotators.as_ref() else {
            return;
        };
        let judge = Judge::new(set);
        let mut scratch = Vec::new();
        self.by_tag = tags
            .iter()
            .map(|(name, rows)| {
                let mut group = Group::new(annotators.count());
                for &row in rows {
                    group
                        .agreement
                        .add(annotators.row(row as usize), &mut scratch);
                    group.accuracy.add(set, &judge, annotators, row as usize);
                }
                let mut figures = group.figures(None, name);
                figures.flagged = is_flagged(&figures, self.percent_agreement, self.fleiss_kappa);
                figures
            })
            .collect();
    }

    /// The annotators' accuracy on a tag, as HLP (from [`Self::by_tag`]).
    pub fn tag_hlp(&self, tag: &str) -> Option<f64> {
        self.by_tag
            .iter()
            .find(|g| g.value == tag)
            .and_then(|g| g.annotator_accuracy)
    }

    /// The annotators' accuracy on a slice value, as HLP.
    pub fn slice_hlp(&self, column: &str, value: &str) -> Option<f64> {
        self.by_slice
            .iter()
            .find(|g| g.column.as_deref() == Some(column) && g.value == value)
            .and_then(|g| g.annotator_accuracy)
    }
}

fn is_flagged(g: &GroupAgreement, percent: Option<f64>, kappa: Option<f64>) -> bool {
    if g.n < FLAG_MIN_ROWS {
        return false;
    }
    let below = |group: Option<f64>, all: Option<f64>, by: f64| matches!((group, all), (Some(g), Some(a)) if g < a - by);
    below(g.percent_agreement, percent, FLAG_AGREEMENT) || below(g.fleiss_kappa, kappa, FLAG_KAPPA)
}

/// How many mix-ups an annotator's figures list.
const MIXUPS_SHOWN: usize = 10;

fn annotator_stats(
    set: &EvalSet,
    annotators: &Annotators,
    i: usize,
    accuracy: &AccuracyCounts,
) -> AnnotatorStats {
    let judge = Judge::new(set);
    let mut scratch = Vec::new();
    let (mut majority_n, mut with_majority) = (0u64, 0u64);
    let mut mixups: HashMap<(u32, u32), u64> = HashMap::new();
    for row in 0..set.len() {
        let labels = annotators.row(row);
        let own = labels[i];
        if own == MISSING {
            continue;
        }
        let others = labels
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, &l)| l);
        if let Some(m) = majority(others, &mut scratch) {
            majority_n += 1;
            with_majority += u64::from(m == own);
        }
        if !judge.same(own, set.labels[row]) {
            *mixups.entry((set.labels[row], own)).or_default() += 1;
        }
    }
    let mut mixups: Vec<Mixup> = mixups
        .into_iter()
        .map(|((truth, given), count)| Mixup {
            truth: set.vocab[truth as usize].clone(),
            given: set.vocab[given as usize].clone(),
            count,
        })
        .collect();
    mixups.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| (&a.truth, &a.given).cmp(&(&b.truth, &b.given)))
    });
    mixups.truncate(MIXUPS_SHOWN);
    let [n, right] = accuracy.0[i];
    AnnotatorStats {
        annotator: annotators.names[i].clone(),
        n,
        accuracy: ratio(right, n),
        agreement_with_majority: ratio(with_majority, majority_n),
        majority_n,
        mixups,
    }
}

/// Whether the annotators of a row disagree (two annotations or more, not all alike).
pub fn annotators_disagree(annotators: &Annotators, row: usize) -> bool {
    let mut labels = annotators.row(row).iter().filter(|&&l| l != MISSING);
    match labels.next() {
        Some(first) => labels.any(|l| l != first),
        None => false,
    }
}

/// What the corrected labels change: how many rows have one, and the accuracy measured
/// against the given labels and against the corrected ones.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CorrectedLabels {
    pub count: u64,
    /// Rows whose given label was confirmed as right.
    pub confirmed: u64,
    pub accuracy_before: Option<f64>,
    pub accuracy_after: Option<f64>,
}

/// [`CorrectedLabels`] of the set with its given labels, from the corrections (row,
/// corrected label code, [`MISSING`] for a label no row has; `None`: confirmed).
pub fn corrected_labels(
    set: &EvalSet,
    corrections: impl Iterator<Item = (usize, Option<u32>)>,
) -> CorrectedLabels {
    let correct = set.correct.iter().filter(|&&c| c).count() as u64;
    let judge = Judge::new(set);
    let (mut count, mut confirmed) = (0u64, 0u64);
    let mut after = correct as i64;
    for (row, label) in corrections {
        match label {
            None => confirmed += 1,
            Some(label) => {
                count += 1;
                let now = label != MISSING && judge.same(label, set.predictions[row]);
                after += i64::from(now) - i64::from(set.correct[row]);
            }
        }
    }
    let n = set.len() as u64;
    CorrectedLabels {
        count,
        confirmed,
        accuracy_before: ratio(correct, n),
        accuracy_after: ratio(after.max(0) as u64, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dataset::tests::classification;

    fn with_annotators(set: EvalSet, names: &[&str], labels: Vec<u32>) -> EvalSet {
        set.with_label_sources(
            Some(Annotators {
                names: names.iter().map(|s| s.to_string()).collect(),
                labels,
            }),
            None,
        )
    }

    #[test]
    fn per_annotator_accuracy_majority_and_mixups() {
        // Classes a=0, b=1; truth a a b b.
        let set = classification(&["a", "a", "b", "b"], &["a", "b", "b", "a"]);
        let m = MISSING;
        let set = with_annotators(
            set,
            &["x", "y", "z"],
            vec![0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, m],
        );
        let f = AgreementFigures::compute(&set).unwrap();
        let x = &f.per_annotator[0];
        assert_eq!((x.n, x.accuracy), (4, Some(0.75)));
        // x agrees with the others' majority on rows 0 and 2 of 4.
        assert_eq!((x.majority_n, x.agreement_with_majority), (4, Some(0.5)));
        assert_eq!(
            x.mixups,
            vec![Mixup {
                truth: "b".into(),
                given: "a".into(),
                count: 1
            }]
        );
        let z = &f.per_annotator[2];
        assert_eq!((z.n, z.accuracy), (3, Some(2.0 / 3.0)));
        assert_eq!(f.fleiss_excluded, 1);
        assert!(annotators_disagree(set.annotators.as_ref().unwrap(), 1));
        assert!(!annotators_disagree(set.annotators.as_ref().unwrap(), 0));
        // The mean of 3/4, 3/4 and 2/3.
        let y = &f.per_annotator[1];
        assert_eq!(y.accuracy, Some(0.75));
        assert!((f.annotator_accuracy.unwrap() - (0.75 + 0.75 + 2.0 / 3.0) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn corrected_labels_change_accuracy() {
        let set = classification(&["a", "a", "b", "b"], &["a", "b", "b", "a"]);
        // Row 1's truth becomes b (now correct), row 0 confirmed.
        let c = corrected_labels(&set, [(1, Some(1)), (0, None)].into_iter());
        assert_eq!((c.count, c.confirmed), (1, 1));
        assert_eq!(
            (c.accuracy_before, c.accuracy_after),
            (Some(0.5), Some(0.75))
        );
    }
}
