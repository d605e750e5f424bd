//! Agreement between annotators, as the reference libraries define it: Cohen's kappa
//! (scikit-learn `cohen_kappa_score`, unweighted), Fleiss' kappa (statsmodels
//! `fleiss_kappa`, method "fleiss", over the rows every annotator labelled) and
//! Krippendorff's alpha for nominal data (the `krippendorff` package, missing values
//! allowed). Labels are integer codes; [`MISSING`] is a missing annotation. Checked against
//! fixtures those libraries produced (tests/oracle/make_agreement_fixtures.py).
//!
//! Percent agreement is the share of agreeing pairs of annotations, averaged over the rows
//! with at least two: statsmodels' mean P_i, extended to rows with missing annotations.
//! Sums run in label order, so that a figure is the same to the last digit on every run.

use std::collections::BTreeMap;

use serde::Serialize;

use super::dataset::MISSING;

/// The labels of `annotators` annotators on each row, row-major.
#[derive(Clone, Copy, Debug)]
pub struct Ratings<'a> {
    pub annotators: usize,
    pub labels: &'a [u32],
}

impl<'a> Ratings<'a> {
    pub fn rows(&self) -> impl Iterator<Item = &'a [u32]> + 'a {
        self.labels.chunks_exact(self.annotators.max(1))
    }

    pub fn row(&self, row: usize) -> &'a [u32] {
        &self.labels[row * self.annotators..(row + 1) * self.annotators]
    }
}

/// Two annotators compared on the rows both labelled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairAgreement {
    pub a: String,
    pub b: String,
    pub n: u64,
    pub percent_agreement: Option<f64>,
    pub cohen_kappa: Option<f64>,
}

/// Cohen's kappa of annotators `a` and `b` over the rows both labelled:
/// (p_o − p_e) / (1 − p_e), p_e from each one's label shares. Also returns the number of
/// such rows and the share on which they agree. The kappa is `None` without such rows, or
/// when chance agreement is certain (p_e = 1: one and the same label throughout), where
/// scikit-learn returns NaN.
pub fn cohen_kappa(ratings: Ratings, a: usize, b: usize) -> (Option<f64>, Option<f64>, u64) {
    let mut n = 0u64;
    let mut agreed = 0u64;
    let mut shares: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
    for row in ratings.rows() {
        let (x, y) = (row[a], row[b]);
        if x == MISSING || y == MISSING {
            continue;
        }
        n += 1;
        agreed += u64::from(x == y);
        shares.entry(x).or_default().0 += 1.0;
        shares.entry(y).or_default().1 += 1.0;
    }
    if n == 0 {
        return (None, None, 0);
    }
    let total = n as f64;
    let expected = shares.values().map(|(p, q)| p * q).sum::<f64>() / (total * total);
    let observed = agreed as f64 / total;
    let kappa = (expected < 1.0).then(|| (observed - expected) / (1.0 - expected));
    (kappa, Some(observed), n)
}

/// Running sums over a group of rows from which percent agreement, Fleiss' kappa and
/// Krippendorff's alpha follow; groups merge, so rows can be counted in parallel.
#[derive(Clone, Debug, Default)]
pub struct AgreementCounts {
    /// Rows counted, whatever their number of annotations.
    pub rows: u64,
    /// Rows with at least two annotations, and the sum of their agreeing-pair shares.
    pub pairable: u64,
    pair_shares: f64,
    /// Rows every annotator labelled (Fleiss' kappa), their shares, their label totals.
    pub complete: u64,
    complete_shares: f64,
    complete_totals: BTreeMap<u32, f64>,
    /// Krippendorff: disagreeing ordered pairs weighted by 1/(m − 1), pairable value totals.
    disagreement: f64,
    pairable_totals: BTreeMap<u32, f64>,
}

impl AgreementCounts {
    /// Counts one row's annotations (`row` holds one entry per annotator, [`MISSING`] for
    /// none); `scratch` is reused between calls to avoid allocating.
    pub fn add(&mut self, row: &[u32], scratch: &mut Vec<(u32, f64)>) {
        self.rows += 1;
        label_counts(row, scratch);
        let m: f64 = scratch.iter().map(|(_, c)| c).sum();
        if m < 2.0 {
            return;
        }
        let squares: f64 = scratch.iter().map(|(_, c)| c * c).sum();
        let share = (squares - m) / (m * (m - 1.0));
        self.pairable += 1;
        self.pair_shares += share;
        self.disagreement += (m * m - squares) / (m - 1.0);
        for &(label, count) in scratch.iter() {
            *self.pairable_totals.entry(label).or_default() += count;
        }
        if m as usize == row.len() {
            self.complete += 1;
            self.complete_shares += share;
            for &(label, count) in scratch.iter() {
                *self.complete_totals.entry(label).or_default() += count;
            }
        }
    }

    pub fn merge(mut self, other: AgreementCounts) -> AgreementCounts {
        self.rows += other.rows;
        self.pairable += other.pairable;
        self.pair_shares += other.pair_shares;
        self.complete += other.complete;
        self.complete_shares += other.complete_shares;
        self.disagreement += other.disagreement;
        for (label, count) in other.complete_totals {
            *self.complete_totals.entry(label).or_default() += count;
        }
        for (label, count) in other.pairable_totals {
            *self.pairable_totals.entry(label).or_default() += count;
        }
        self
    }

    /// The share of agreeing annotation pairs, averaged over rows with at least two.
    pub fn percent_agreement(&self) -> Option<f64> {
        (self.pairable > 0).then(|| self.pair_shares / self.pairable as f64)
    }

    /// Fleiss' kappa over the rows every annotator labelled; `None` without such rows or
    /// when chance agreement is certain.
    pub fn fleiss_kappa(&self) -> Option<f64> {
        if self.complete == 0 {
            return None;
        }
        let total: f64 = self.complete_totals.values().sum();
        let chance: f64 = self
            .complete_totals
            .values()
            .map(|c| (c / total) * (c / total))
            .sum();
        let observed = self.complete_shares / self.complete as f64;
        (chance < 1.0).then(|| (observed - chance) / (1.0 - chance))
    }

    /// Rows left out of Fleiss' kappa for missing an annotation.
    pub fn fleiss_excluded(&self) -> u64 {
        self.rows - self.complete
    }

    /// Krippendorff's alpha (nominal): 1 − D_o / D_e from the coincidences of the pairable
    /// values. `None` when nothing is pairable or only one value occurs.
    pub fn krippendorff_alpha(&self) -> Option<f64> {
        let n: f64 = self.pairable_totals.values().sum();
        if n < 2.0 {
            return None;
        }
        let squares: f64 = self.pairable_totals.values().map(|c| c * c).sum();
        let expected_pairs = n * n - squares;
        (expected_pairs > 0.0).then(|| 1.0 - (n - 1.0) * self.disagreement / expected_pairs)
    }
}

/// The distinct labels of a row with their counts, into `out`.
pub fn label_counts(row: &[u32], out: &mut Vec<(u32, f64)>) {
    out.clear();
    for &label in row.iter().filter(|&&l| l != MISSING) {
        match out.iter_mut().find(|(l, _)| *l == label) {
            Some((_, c)) => *c += 1.0,
            None => out.push((label, 1.0)),
        }
    }
}

/// The label most annotations of a row agree on, when one label has strictly more than
/// every other.
pub fn majority(row: impl Iterator<Item = u32>, scratch: &mut Vec<(u32, f64)>) -> Option<u32> {
    scratch.clear();
    for label in row.filter(|&l| l != MISSING) {
        match scratch.iter_mut().find(|(l, _)| *l == label) {
            Some((_, c)) => *c += 1.0,
            None => scratch.push((label, 1.0)),
        }
    }
    let best = scratch.iter().map(|(_, c)| *c).fold(0.0, f64::max);
    let mut leaders = scratch.iter().filter(|(_, c)| *c == best);
    match (leaders.next(), leaders.next()) {
        (Some((label, _)), None) => Some(*label),
        _ => None,
    }
}

/// Percent agreement, Fleiss' kappa and Krippendorff's alpha over every row.
pub fn count_all(ratings: Ratings) -> AgreementCounts {
    let mut counts = AgreementCounts::default();
    let mut scratch = Vec::new();
    for row in ratings.rows() {
        counts.add(row, &mut scratch);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: u32 = MISSING;

    #[test]
    fn perfect_agreement_and_undefined_cases() {
        let labels = [0, 0, 1, 1, 1, 1, 2, 2];
        let ratings = Ratings {
            annotators: 2,
            labels: &labels,
        };
        assert_eq!(cohen_kappa(ratings, 0, 1), (Some(1.0), Some(1.0), 4));
        let same = Ratings {
            annotators: 2,
            labels: &[1, 1, 1, 1],
        };
        assert_eq!(cohen_kappa(same, 0, 1).0, None);
        let none = Ratings {
            annotators: 2,
            labels: &[M, 1],
        };
        assert_eq!(cohen_kappa(none, 0, 1), (None, None, 0));
        let counts = count_all(Ratings {
            annotators: 2,
            labels: &[0, 0, 1, 1, 0, M],
        });
        assert_eq!(
            (counts.fleiss_kappa(), counts.fleiss_excluded()),
            (Some(1.0), 1)
        );
        assert_eq!(counts.krippendorff_alpha(), Some(1.0));
        assert_eq!(counts.percent_agreement(), Some(1.0));
        let one_value = count_all(Ratings {
            annotators: 2,
            labels: &[3, 3],
        });
        assert_eq!(one_value.krippendorff_alpha(), None);
    }

    #[test]
    fn percent_agreement_counts_agreeing_pairs() {
        // Three annotators: 2 of 6 ordered pairs agree, then all agree.
        let counts = count_all(Ratings {
            annotators: 3,
            labels: &[0, 0, 1, 2, 2, 2],
        });
        assert!((counts.percent_agreement().unwrap() - (1.0 / 3.0 + 1.0) / 2.0).abs() < 1e-12);
        let mut scratch = Vec::new();
        assert_eq!(majority([0, 0, 1].into_iter(), &mut scratch), Some(0));
        assert_eq!(majority([0, 1, M].into_iter(), &mut scratch), None);
    }
}
