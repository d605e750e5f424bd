//! Suspected label errors. With the model's class probabilities: confident learning exactly
//! as cleanlab's `find_label_issues(labels, pred_probs, filter_by="prune_by_noise_rate")`
//! (per-class thresholds, the calibrated confident joint, pruning by noise rate, then
//! rows whose given label is the model's top class kept), ranked by self-confidence.
//! Without probabilities: rows the model is confident about and gets "wrong" while the
//! annotators' majority also disagrees with the ground truth.
//!
//! Ties (equal margins at a pruning cut, equal self-confidences) are broken by row order;
//! numpy's unstable sort may pick other rows among equals.

use serde::Serialize;

use super::agreement::majority;
use super::dataset::{ClassProbabilities, EvalSet};

/// cleanlab's `FLOATING_POINT_COMPARISON`, `CONFIDENT_THRESHOLDS_LOWER_BOUND`, `TINY_VALUE`.
const FLOAT_TOLERANCE: f64 = 1e-6;
const THRESHOLD_FLOOR: f64 = 2e-6;
const TINY: f64 = 1e-100;

/// Model confidence from which a wrong prediction counts as a suspected label error when
/// there are no class probabilities.
pub const CONFIDENT: f64 = 0.9;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelIssue {
    pub row: usize,
    /// The ground truth's code, and the label that seems right instead.
    pub given: u32,
    pub suggested: u32,
    /// The model's probability of the given label (`None` without class probabilities).
    pub self_confidence: Option<f64>,
}

/// How the issues were found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueMethod {
    ConfidentLearning,
    ConfidentAndAnnotatorsDisagree,
}

/// The suspected label errors of a set, most suspect first, or `None` when the set has
/// neither class probabilities nor annotators with a confidence column.
pub fn find(set: &EvalSet) -> Option<(IssueMethod, Vec<LabelIssue>)> {
    if let Some(probabilities) = &set.probabilities {
        return Some((
            IssueMethod::ConfidentLearning,
            confident_learning(&set.labels, probabilities),
        ));
    }
    let annotators = set.annotators.as_ref()?;
    let confidence = set.confidence.as_ref()?;
    let mut scratch = Vec::new();
    let mut issues: Vec<(f64, LabelIssue)> = (0..set.len())
        .filter(|&row| !set.correct[row] && confidence[row] >= CONFIDENT)
        .filter_map(|row| {
            let majority = majority(annotators.row(row).iter().copied(), &mut scratch)?;
            (majority != set.labels[row]).then(|| {
                let issue = LabelIssue {
                    row,
                    given: set.labels[row],
                    suggested: majority,
                    self_confidence: None,
                };
                (confidence[row], issue)
            })
        })
        .collect();
    issues.sort_by(|a, b| b.0.total_cmp(&a.0));
    Some((
        IssueMethod::ConfidentAndAnnotatorsDisagree,
        issues.into_iter().map(|(_, i)| i).collect(),
    ))
}

/// The first index of the largest value (numpy's `argmax`).
fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

/// cleanlab's `find_label_issues(..., filter_by="prune_by_noise_rate")` with its defaults
/// (`frac_noise` 1, `min_examples_per_class` 1), ranked by self-confidence (lowest first).
/// `labels` are class codes below `probabilities.classes`.
pub fn confident_learning(labels: &[u32], probabilities: &ClassProbabilities) -> Vec<LabelIssue> {
    let k = probabilities.classes;
    let n = labels.len();
    if k == 0 || n == 0 {
        return Vec::new();
    }
    let p = |row: usize| probabilities.row(row);
    let mut label_counts = vec![0u64; k];
    let mut self_confidences = vec![Vec::new(); k];
    for (row, &label) in labels.iter().enumerate() {
        label_counts[label as usize] += 1;
        self_confidences[label as usize].push(p(row)[label as usize]);
    }
    // The mean self-confidence of each class; 2 for a class no row is labelled with.
    let thresholds: Vec<f64> = (0..k)
        .map(|c| match label_counts[c] {
            0 => 2.0,
            count => numpy_sum(&self_confidences[c]) / count as f64,
        })
        .map(|t: f64| t.max(THRESHOLD_FLOOR))
        .collect();
    // The confident joint, [given][guessed true class].
    let mut joint = vec![vec![0.0f64; k]; k];
    for (row, &label) in labels.iter().enumerate() {
        let probs = p(row);
        let confident: Vec<usize> = (0..k)
            .filter(|&c| probs[c] >= thresholds[c] - FLOAT_TOLERANCE)
            .collect();
        let guess = match confident.len() {
            0 => continue,
            1 => confident[0],
            _ => argmax(probs),
        };
        joint[label as usize][guess] += 1.0;
    }
    for (c, row) in joint.iter_mut().enumerate() {
        row[c] = row[c].max(1.0);
    }
    let joint = calibrate(joint, &label_counts);
    let prune = keep_at_least_one_per_class(transpose(&joint));
    let mut issue = vec![false; n];
    let rows_of: Vec<Vec<usize>> = {
        let mut rows = vec![Vec::new(); k];
        for (row, &label) in labels.iter().enumerate() {
            rows[label as usize].push(row);
        }
        rows
    };
    for (given, rows) in rows_of.iter().enumerate() {
        // A class with a single row is not pruned (`min_examples_per_class`).
        if rows.len() <= 1 {
            continue;
        }
        for (truth, prune_row) in prune.iter().enumerate() {
            let count = prune_row[given];
            if truth == given || count <= 0.0 {
                continue;
            }
            let mut by_margin: Vec<(f64, usize)> = rows
                .iter()
                .map(|&row| (p(row)[truth] - p(row)[given], row))
                .collect();
            by_margin.sort_by(|a, b| b.0.total_cmp(&a.0));
            for &(_, row) in by_margin.iter().take(count as usize) {
                issue[row] = true;
            }
        }
    }
    let mut found: Vec<LabelIssue> = (0..n)
        .filter(|&row| issue[row])
        .filter_map(|row| {
            let given = labels[row] as usize;
            let mut nudged = p(row).to_vec();
            nudged[given] += FLOAT_TOLERANCE;
            (argmax(&nudged) != given).then(|| LabelIssue {
                row,
                given: given as u32,
                suggested: argmax(p(row)) as u32,
                self_confidence: Some(p(row)[given]),
            })
        })
        .collect();
    found.sort_by(|a, b| {
        a.self_confidence
            .unwrap_or(0.0)
            .total_cmp(&b.self_confidence.unwrap_or(0.0))
    });
    found
}

/// A sum as numpy computes it (pairwise, eight running sums per block of up to 128), so
/// that counts scaled to exact halves round as cleanlab rounds them.
fn numpy_sum(values: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = values.len();
    if n < 8 {
        return values.iter().fold(0.0, |acc, v| acc + v);
    }
    if n <= BLOCK {
        let mut r = [0.0; 8];
        r.copy_from_slice(&values[..8]);
        let whole = n - n % 8;
        for chunk in values[8..whole].chunks_exact(8) {
            for (acc, v) in r.iter_mut().zip(chunk) {
                *acc += v;
            }
        }
        let mut sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for v in &values[whole..] {
            sum += v;
        }
        return sum;
    }
    let half = n / 2;
    let half = half - half % 8;
    numpy_sum(&values[..half]) + numpy_sum(&values[half..])
}

fn transpose(m: &[Vec<f64>]) -> Vec<Vec<f64>> {
    (0..m.len())
        .map(|j| m.iter().map(|row| row[j]).collect())
        .collect()
}

/// cleanlab's `calibrate_confident_joint`: each row scaled to its class's label count, the
/// whole to the number of rows, then rounded keeping row totals.
fn calibrate(joint: Vec<Vec<f64>>, label_counts: &[u64]) -> Vec<Vec<f64>> {
    let scaled: Vec<Vec<f64>> = joint
        .iter()
        .zip(label_counts)
        .map(|(row, &count)| {
            let total = numpy_sum(row).max(TINY);
            row.iter().map(|v| v / total * count as f64).collect()
        })
        .collect();
    let flat: Vec<f64> = scaled.iter().flatten().copied().collect();
    let sum: f64 = numpy_sum(&flat).max(TINY);
    let rows: f64 = label_counts.iter().sum::<u64>() as f64;
    scaled
        .into_iter()
        .map(|row| round_preserving_sum(row.iter().map(|v| v / sum * rows).collect()))
        .collect()
}

/// cleanlab's `round_preserving_sum`: numpy rounding (half to even), then the entries
/// furthest from their rounding moved by one until the rounded sum is the original's.
fn round_preserving_sum(floats: Vec<f64>) -> Vec<f64> {
    let mut ints: Vec<f64> = floats.iter().map(|v| v.round_ties_even()).collect();
    let target = numpy_sum(&floats).round_ties_even();
    let mut sum = ints.iter().sum::<f64>().round_ties_even();
    while (sum - target).abs() > FLOAT_TOLERANCE {
        let diff = (target - sum).round_ties_even();
        let up = diff >= 0.0;
        let changes = (diff.abs() as usize).min(ints.len());
        let mut order: Vec<usize> = (0..ints.len()).collect();
        order.sort_by(|&a, &b| (floats[a] - ints[a]).total_cmp(&(floats[b] - ints[b])));
        if up {
            order.reverse();
        }
        for &i in order.iter().take(changes) {
            ints[i] += if up { 1.0 } else { -1.0 };
        }
        sum = ints.iter().sum::<f64>().round_ties_even();
    }
    ints
}

/// cleanlab's `_keep_at_least_n_per_class` with n = 1 and `frac_noise` 1 on the prune
/// count matrix ([true class][given]): a zero diagonal becomes 1, taken evenly from the
/// column's other non-zero counts, and the result truncated to whole counts.
fn keep_at_least_one_per_class(mut m: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    let k = m.len();
    for c in 0..k {
        let diagonal = m[c][c];
        let raised = diagonal.max(1.0);
        let diff = raised - diagonal;
        let nonzero = (0..k).filter(|&r| m[r][c] != 0.0).count() as f64;
        let spread = (nonzero - 1.0).max(1.0);
        for row in m.iter_mut() {
            row[c] = (row[c] - diff / spread).max(0.0);
        }
        m[c][c] = raised;
    }
    for row in m.iter_mut() {
        for v in row.iter_mut() {
            *v = v.trunc();
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confident_contradiction_is_found_and_a_model_agreeing_row_is_not() {
        // Class 0 rows, one of which the model is sure is class 1.
        let labels = [0, 0, 0, 0, 1, 1, 1, 1];
        let values = vec![
            0.9, 0.1, 0.8, 0.2, 0.85, 0.15, 0.05, 0.95, // row 3: given 0, model says 1
            0.1, 0.9, 0.2, 0.8, 0.15, 0.85, 0.3, 0.7,
        ];
        let probabilities = ClassProbabilities { classes: 2, values };
        let issues = confident_learning(&labels, &probabilities);
        assert_eq!(issues.len(), 1);
        assert_eq!(
            (issues[0].row, issues[0].given, issues[0].suggested),
            (3, 0, 1)
        );
        assert_eq!(issues[0].self_confidence, Some(0.05));
    }

    #[test]
    fn rounding_keeps_the_sum() {
        assert_eq!(
            round_preserving_sum(vec![0.5, 0.5, 1.0]),
            vec![0.0, 1.0, 1.0]
        );
        assert_eq!(round_preserving_sum(vec![2.5, 1.5]), vec![2.0, 2.0]);
    }
}
