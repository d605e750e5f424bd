//! Partial automation: if only predictions with confidence ≥ t were automated, how many rows
//! would that cover and how accurate would they be?

use serde::Serialize;

use super::stats::ratio;

/// The thresholds of the report's curve, written out so they compare exactly with values
/// parsed from files (0.5 + 0.05·i would give 0.6000000000000001).
pub const THRESHOLDS: [f64; 11] = [
    0.50, 0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.99,
];

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AutomationPoint {
    pub threshold: f64,
    /// Share of all rows whose confidence is at least the threshold.
    pub coverage: f64,
    /// Accuracy on those rows; `None` when none are covered.
    pub accuracy: Option<f64>,
    pub covered: u64,
}

/// The curve at each of `thresholds` (ascending). Rows without a confidence (NaN) are never covered but
/// still count in the coverage denominator.
pub fn curve(confidence: &[f64], correct: &[bool], thresholds: &[f64]) -> Vec<AutomationPoint> {
    // Bucket each row by how many thresholds it reaches (thresholds ascend), then sum the
    // buckets from the top: one binary search per row instead of one comparison per threshold.
    let mut reached = vec![[0u64; 2]; thresholds.len() + 1];
    for (&c, &ok) in confidence.iter().zip(correct) {
        let bucket = if c.is_nan() {
            0
        } else {
            thresholds.partition_point(|&t| t <= c)
        };
        reached[bucket][0] += 1;
        reached[bucket][1] += u64::from(ok);
    }
    let mut covered = vec![0u64; thresholds.len()];
    let mut right = vec![0u64; thresholds.len()];
    let (mut c, mut r) = (0, 0);
    for i in (0..thresholds.len()).rev() {
        c += reached[i + 1][0];
        r += reached[i + 1][1];
        covered[i] = c;
        right[i] = r;
    }
    let n = confidence.len() as u64;
    thresholds
        .iter()
        .enumerate()
        .map(|(i, &threshold)| AutomationPoint {
            threshold,
            coverage: ratio(covered[i], n).unwrap_or(0.0),
            accuracy: ratio(right[i], covered[i]),
            covered: covered[i],
        })
        .collect()
}

/// The lowest threshold of the curve whose covered rows reach `target` accuracy.
pub fn lowest_threshold_reaching(curve: &[AutomationPoint], target: f64) -> Option<f64> {
    curve
        .iter()
        .find(|p| p.accuracy.is_some_and(|a| a >= target))
        .map(|p| p.threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_and_accuracy_per_threshold() {
        let conf = [0.40, 0.55, 0.70, 0.95, f64::NAN];
        let ok = [false, false, true, true, true];
        let c = curve(&conf, &ok, &THRESHOLDS);
        assert_eq!(c[0].threshold, 0.5);
        assert_eq!((c[0].covered, c[0].coverage), (3, 0.6));
        assert_eq!(c[0].accuracy, Some(2.0 / 3.0));
        assert_eq!(c[1].covered, 3, "0.55 is covered at threshold 0.55");
        assert_eq!(c[2].accuracy, Some(1.0));
        assert_eq!(c[9].covered, 1, "0.95 is covered at threshold 0.95");
        assert_eq!(c[10].accuracy, None);
        assert_eq!(lowest_threshold_reaching(&c, 0.99), Some(0.60));
        assert_eq!(lowest_threshold_reaching(&c, 0.5), Some(0.50));
    }

    #[test]
    fn empty_input() {
        let c = curve(&[], &[], &THRESHOLDS);
        assert!(c.iter().all(|p| p.coverage == 0.0 && p.accuracy.is_none()));
        assert_eq!(lowest_threshold_reaching(&c, 0.9), None);
    }
}
