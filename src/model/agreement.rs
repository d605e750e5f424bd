//! Agreement between annotators, as the reference libraries define it: Cohen's kappa
//! (scikit-learn `cohen_kappa_score`, unweighted), Fleiss' kappa (statsmodels
//! `fleiss_kappa`, method "fleiss") and Krippendorff's alpha for nominal data (the
//! `krippendorff` package, missing values allowed). Labels are integer codes; `None` is a
//! missing annotation. Checked against fixtures those libraries produced
//! (tests/oracle/make_agreement_fixtures.py).

use std::collections::HashMap;

/// Cohen's kappa of two annotators over the rows both labelled: (p_o − p_e) / (1 − p_e),
/// with p_e from each annotator's label shares. `None` without such rows, or when chance
/// agreement is certain (p_e = 1: both gave one and the same label throughout), where
/// scikit-learn returns NaN.
pub fn cohen_kappa(a: &[Option<u32>], b: &[Option<u32>]) -> Option<f64> {
    let pairs: Vec<(u32, u32)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let agreed = pairs.iter().filter(|(x, y)| x == y).count() as f64;
    let (mut first, mut second): (HashMap<u32, f64>, HashMap<u32, f64>) = Default::default();
    for &(x, y) in &pairs {
        *first.entry(x).or_default() += 1.0;
        *second.entry(y).or_default() += 1.0;
    }
    let expected: f64 = first
        .iter()
        .map(|(label, count)| count * second.get(label).copied().unwrap_or(0.0))
        .sum::<f64>()
        / (n * n);
    let observed = agreed / n;
    (expected < 1.0).then(|| (observed - expected) / (1.0 - expected))
}

/// Fleiss' kappa over rows labelled by every annotator (statsmodels requires the same number
/// of ratings per subject): `rows[i][j]` is annotator j's label of row i. Returns the kappa
/// (`None` with fewer than two annotators, no complete row, or certain chance agreement) and
/// how many rows were left out for missing a rating.
pub fn fleiss_kappa(rows: &[Vec<Option<u32>>]) -> (Option<f64>, usize) {
    let raters = rows.iter().map(Vec::len).max().unwrap_or(0);
    let complete: Vec<&Vec<Option<u32>>> = rows
        .iter()
        .filter(|r| r.len() == raters && r.iter().all(Option::is_some))
        .collect();
    let excluded = rows.len() - complete.len();
    if raters < 2 || complete.is_empty() {
        return (None, excluded);
    }
    let m = raters as f64;
    let subjects = complete.len() as f64;
    let mut category_totals: HashMap<u32, f64> = HashMap::new();
    let mut mean_agreement = 0.0;
    for row in &complete {
        let mut counts: HashMap<u32, f64> = HashMap::new();
        for label in row.iter().flatten() {
            *counts.entry(*label).or_default() += 1.0;
        }
        let squares: f64 = counts.values().map(|c| c * c).sum();
        mean_agreement += (squares - m) / (m * (m - 1.0));
        for (label, count) in counts {
            *category_totals.entry(label).or_default() += count;
        }
    }
    mean_agreement /= subjects;
    let total = subjects * m;
    let chance: f64 = category_totals
        .values()
        .map(|c| (c / total) * (c / total))
        .sum();
    let kappa = (chance < 1.0).then(|| (mean_agreement - chance) / (1.0 - chance));
    (kappa, excluded)
}

/// Krippendorff's alpha for nominal labels: 1 − D_o / D_e from the coincidence matrix of the
/// pairable values (rows with at least two annotations). `None` when no row is pairable or
/// only one value occurs (the expected disagreement is 0).
pub fn krippendorff_alpha(rows: &[Vec<Option<u32>>]) -> Option<f64> {
    // Coincidences o_ck (c ≠ k summed as disagreement) and the value totals n_c.
    let mut totals: HashMap<u32, f64> = HashMap::new();
    let mut disagreement = 0.0;
    for row in rows {
        let values: Vec<u32> = row.iter().flatten().copied().collect();
        let m = values.len();
        if m < 2 {
            continue;
        }
        let mut counts: HashMap<u32, f64> = HashMap::new();
        for v in &values {
            *counts.entry(*v).or_default() += 1.0;
        }
        let weight = 1.0 / (m as f64 - 1.0);
        // Ordered pairs of different values: m² − Σ count².
        let unequal = (m * m) as f64 - counts.values().map(|c| c * c).sum::<f64>();
        disagreement += unequal * weight;
        for (v, c) in counts {
            *totals.entry(v).or_default() += c;
        }
    }
    let n: f64 = totals.values().sum();
    if n < 2.0 {
        return None;
    }
    let expected_pairs = n * n - totals.values().map(|c| c * c).sum::<f64>();
    (expected_pairs > 0.0).then(|| 1.0 - (n - 1.0) * disagreement / expected_pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_agreement_and_undefined_cases() {
        let a = [Some(0), Some(1), Some(1), Some(2)];
        assert_eq!(cohen_kappa(&a, &a), Some(1.0));
        assert_eq!(cohen_kappa(&[Some(1), Some(1)], &[Some(1), Some(1)]), None);
        assert_eq!(cohen_kappa(&[None], &[Some(1)]), None);
        let rows = vec![
            vec![Some(0), Some(0)],
            vec![Some(1), Some(1)],
            vec![Some(0), None],
        ];
        assert_eq!(fleiss_kappa(&rows), (Some(1.0), 1));
        assert_eq!(krippendorff_alpha(&rows), Some(1.0));
        assert_eq!(krippendorff_alpha(&[vec![Some(3), Some(3)]]), None);
    }
}
