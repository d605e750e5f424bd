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

/// Rows bucketed by how many of the report's [`THRESHOLDS`] their confidence reaches, with
/// how many of them are right: the counts the curve is drawn from, which add up over parts
/// of a table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reached {
    /// Every row, those without a confidence (NaN) included.
    rows: u64,
    /// `[rows, right]` per number of thresholds reached (0 to all).
    buckets: [[u64; 2]; THRESHOLDS.len() + 1],
}

impl Reached {
    /// One binary search per row instead of one comparison per threshold.
    pub fn count(confidence: &[f64], correct: &[bool]) -> Self {
        let mut reached = Reached::default();
        for (&c, &ok) in confidence.iter().zip(correct) {
            let bucket = if c.is_nan() {
                0
            } else {
                THRESHOLDS.partition_point(|&t| t <= c)
            };
            reached.buckets[bucket][0] += 1;
            reached.buckets[bucket][1] += u64::from(ok);
        }
        reached.rows = confidence.len() as u64;
        reached
    }

    /// Adds the counts of other rows.
    pub fn absorb(&mut self, other: &Reached) {
        self.rows += other.rows;
        for (mine, theirs) in self.buckets.iter_mut().zip(&other.buckets) {
            mine[0] += theirs[0];
            mine[1] += theirs[1];
        }
    }

    /// The curve at each threshold: the buckets summed from the top.
    pub fn curve(&self) -> Vec<AutomationPoint> {
        let mut points = Vec::with_capacity(THRESHOLDS.len());
        let (mut covered, mut right) = (0, 0);
        for i in (0..THRESHOLDS.len()).rev() {
            covered += self.buckets[i + 1][0];
            right += self.buckets[i + 1][1];
            points.push(AutomationPoint {
                threshold: THRESHOLDS[i],
                coverage: ratio(covered, self.rows).unwrap_or(0.0),
                accuracy: ratio(right, covered),
                covered,
            });
        }
        points.reverse();
        points
    }
}

/// The curve at each of the report's [`THRESHOLDS`]. Rows without a confidence (NaN) are
/// never covered but still count in the coverage denominator.
pub fn curve(confidence: &[f64], correct: &[bool]) -> Vec<AutomationPoint> {
    Reached::count(confidence, correct).curve()
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
        let c = curve(&conf, &ok);
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
        let c = curve(&[], &[]);
        assert!(c.iter().all(|p| p.coverage == 0.0 && p.accuracy.is_none()));
        assert_eq!(lowest_threshold_reaching(&c, 0.9), None);
    }
}
