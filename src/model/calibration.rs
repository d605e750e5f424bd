//! How far the model's confidence can be trusted: the reliability diagram with its expected
//! calibration error, and the precision-recall curve of one class (the model's confidence
//! scores its own prediction, so "class c at threshold t" means "predicted c with confidence
//! at least t").

use serde::Serialize;

use super::stats::ratio;

/// Equal-width confidence bins of the reliability diagram.
pub const BINS: usize = 10;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// The bin covers confidences in [lower, upper) (the last bin includes 1).
    pub lower: f64,
    pub upper: f64,
    pub n: u64,
    pub mean_confidence: Option<f64>,
    pub accuracy: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reliability {
    pub bins: Vec<ReliabilityBin>,
    /// Expected calibration error: Σ (n_b / N) · |accuracy_b − mean confidence_b| over the
    /// rows with a confidence; `None` when no row has one.
    pub ece: Option<f64>,
}

pub fn reliability(confidence: &[f64], correct: &[bool]) -> Reliability {
    let mut sums = [(0u64, 0u64, 0.0f64); BINS];
    for (&c, &ok) in confidence.iter().zip(correct) {
        if c.is_nan() {
            continue;
        }
        let bin = ((c.clamp(0.0, 1.0) * BINS as f64) as usize).min(BINS - 1);
        sums[bin].0 += 1;
        sums[bin].1 += u64::from(ok);
        sums[bin].2 += c;
    }
    let total: u64 = sums.iter().map(|s| s.0).sum();
    let mut ece = 0.0;
    let bins = sums
        .iter()
        .enumerate()
        .map(|(b, &(n, right, confidence))| {
            let mean_confidence = (n > 0).then(|| confidence / n as f64);
            let accuracy = ratio(right, n);
            if let (Some(a), Some(m)) = (accuracy, mean_confidence) {
                ece += n as f64 / total as f64 * (a - m).abs();
            }
            ReliabilityBin {
                lower: b as f64 / BINS as f64,
                upper: (b + 1) as f64 / BINS as f64,
                n,
                mean_confidence,
                accuracy,
            }
        })
        .collect();
    Reliability {
        bins,
        ece: (total > 0).then_some(ece),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PrPoint {
    pub threshold: f64,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
}

/// For every class, precision and recall when only predictions of it with confidence ≥
/// each of `thresholds` (ascending) count as positive. One pass over the rows.
pub fn pr_curves(
    labels: &[u32],
    predictions: &[u32],
    confidence: &[f64],
    classes: usize,
    thresholds: &[f64],
) -> Vec<Vec<PrPoint>> {
    let buckets = thresholds.len() + 1;
    // (predicted, right) per class and per number of thresholds reached.
    let mut reached = vec![[0u64; 2]; classes * buckets];
    let mut support = vec![0u64; classes];
    for ((&l, &p), &c) in labels.iter().zip(predictions).zip(confidence) {
        if (l as usize) < classes {
            support[l as usize] += 1;
        }
        if (p as usize) < classes && !c.is_nan() {
            let bucket = thresholds.partition_point(|&t| t <= c);
            let cell = &mut reached[p as usize * buckets + bucket];
            cell[0] += 1;
            cell[1] += u64::from(l == p);
        }
    }
    (0..classes)
        .map(|class| {
            let mut points = Vec::with_capacity(thresholds.len());
            let (mut predicted, mut hits) = (0, 0);
            for i in (0..thresholds.len()).rev() {
                let cell = reached[class * buckets + i + 1];
                predicted += cell[0];
                hits += cell[1];
                points.push(PrPoint {
                    threshold: thresholds[i],
                    precision: ratio(hits, predicted),
                    recall: ratio(hits, support[class]),
                });
            }
            points.reverse();
            points
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reliability_and_ece_by_hand() {
        // Bin 9 (0.9–1.0]: 0.95 right, 0.95 wrong → accuracy 0.5, mean 0.95.
        // Bin 6: 0.65 right → accuracy 1, mean 0.65. NaN is left out.
        let r = reliability(
            &[0.95, 0.95, 0.65, f64::NAN, 1.0],
            &[true, false, true, true, true],
        );
        assert_eq!(r.bins.len(), BINS);
        let top = &r.bins[9];
        assert_eq!(top.n, 3, "1.0 falls in the last bin");
        assert!((top.accuracy.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!((top.mean_confidence.unwrap() - 2.9 / 3.0).abs() < 1e-12);
        assert_eq!(r.bins[6].n, 1);
        let expected = 3.0 / 4.0 * (2.0 / 3.0 - 2.9 / 3.0f64).abs() + 1.0 / 4.0 * 0.35;
        assert!((r.ece.unwrap() - expected).abs() < 1e-12);
        assert_eq!(reliability(&[f64::NAN], &[true]).ece, None);
    }

    #[test]
    fn precision_recall_of_one_class_by_hand() {
        let labels = [0, 0, 1, 0, 1];
        let predictions = [0, 0, 0, 1, 1];
        let confidence = [0.9, 0.6, 0.8, 0.7, 0.5];
        let curves = pr_curves(&labels, &predictions, &confidence, 2, &[0.5, 0.7, 0.95]);
        let curve = &curves[0];
        // ≥ 0.5: rows 0, 1, 2 predicted 0; rows 0, 1 right of 3 true 0s.
        assert_eq!(curve[0].precision, Some(2.0 / 3.0));
        assert_eq!(curve[0].recall, Some(2.0 / 3.0));
        // ≥ 0.7: rows 0 and 2.
        assert_eq!(curve[1].precision, Some(0.5));
        assert_eq!(curve[1].recall, Some(1.0 / 3.0));
        assert_eq!(curve[2].precision, None);
        assert_eq!(curve[2].recall, Some(0.0));
        // Class 1: rows 3 (wrong) and 4 (right, 0.5) predicted 1; two true 1s.
        assert_eq!(curves[1][0].precision, Some(0.5));
        assert_eq!(curves[1][0].recall, Some(0.5));
        assert_eq!(curves[1][1].precision, Some(0.0));
    }
}
