//! Per-class precision, recall and F1 with scikit-learn's conventions, and the confusion matrix.

use serde::Serialize;

use super::stats::ratio_or_zero;

/// Confusion counts: `matrix[truth][prediction]`, rows and columns in class order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Confusion {
    pub labels: Vec<String>,
    pub matrix: Vec<Vec<u64>>,
}

impl Confusion {
    /// One pass over the codes; codes must be below `names.len()`.
    pub fn count(names: &[String], labels: &[u32], predictions: &[u32]) -> Self {
        let k = names.len();
        let mut flat = vec![0u64; k * k];
        for (&t, &p) in labels.iter().zip(predictions) {
            flat[t as usize * k + p as usize] += 1;
        }
        Confusion {
            labels: names.to_vec(),
            matrix: flat.chunks(k.max(1)).take(k).map(<[u64]>::to_vec).collect(),
        }
    }

    fn true_positives(&self, class: usize) -> u64 {
        self.matrix[class][class]
    }

    /// Rows whose truth is `class`.
    fn support(&self, class: usize) -> u64 {
        self.matrix[class].iter().sum()
    }

    /// Rows predicted as `class`.
    fn predicted(&self, class: usize) -> u64 {
        self.matrix.iter().map(|row| row[class]).sum()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassMetrics {
    pub label: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub support: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Averages {
    #[serde(rename = "macro")]
    pub macro_avg: Prf,
    pub micro: Prf,
    pub weighted: Prf,
}

/// Precision, recall and F1 from counts, with `zero_division=0`. F1 is computed from the
/// counts (2·tp / (true + predicted)) as scikit-learn ≥ 1.3 does.
fn prf(tp: u64, predicted: u64, support: u64) -> Prf {
    Prf {
        precision: ratio_or_zero(tp, predicted),
        recall: ratio_or_zero(tp, support),
        f1: ratio_or_zero(2 * tp, predicted + support),
    }
}

/// Per-class metrics and the macro / micro / weighted averages of
/// `precision_recall_fscore_support(y_true, y_pred, zero_division=0)`.
pub fn per_class(confusion: &Confusion) -> (Vec<ClassMetrics>, Averages) {
    let k = confusion.labels.len();
    let mut classes = Vec::with_capacity(k);
    let (mut tp_sum, mut pred_sum, mut support_sum) = (0, 0, 0);
    for (i, label) in confusion.labels.iter().enumerate() {
        let (tp, predicted, support) = (
            confusion.true_positives(i),
            confusion.predicted(i),
            confusion.support(i),
        );
        let m = prf(tp, predicted, support);
        classes.push(ClassMetrics {
            label: label.clone(),
            precision: m.precision,
            recall: m.recall,
            f1: m.f1,
            support,
        });
        tp_sum += tp;
        pred_sum += predicted;
        support_sum += support;
    }
    let mean = |f: fn(&ClassMetrics) -> f64| {
        if k == 0 {
            0.0
        } else {
            classes.iter().map(f).sum::<f64>() / k as f64
        }
    };
    let weighted = |f: fn(&ClassMetrics) -> f64| {
        if support_sum == 0 {
            0.0
        } else {
            classes.iter().map(|c| f(c) * c.support as f64).sum::<f64>() / support_sum as f64
        }
    };
    let averages = Averages {
        macro_avg: Prf {
            precision: mean(|c| c.precision),
            recall: mean(|c| c.recall),
            f1: mean(|c| c.f1),
        },
        micro: prf(tp_sum, pred_sum, support_sum),
        weighted: Prf {
            precision: weighted(|c| c.precision),
            recall: weighted(|c| c.recall),
            f1: weighted(|c| c.f1),
        },
    };
    (classes, averages)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dataset::tests::classification;

    fn metrics(labels: &[&str], preds: &[&str]) -> (Confusion, Vec<ClassMetrics>, Averages) {
        let set = classification(labels, preds);
        let c = Confusion::count(set.class_names(), &set.labels, &set.predictions);
        let (m, a) = per_class(&c);
        (c, m, a)
    }

    #[test]
    fn small_example_matches_scikit_learn() {
        // y_true = [cat, cat, dog, dog, bird], y_pred = [cat, dog, dog, dog, cat]
        let (c, m, a) = metrics(
            &["cat", "cat", "dog", "dog", "bird"],
            &["cat", "dog", "dog", "dog", "cat"],
        );
        assert_eq!(c.labels, ["bird", "cat", "dog"]);
        assert_eq!(c.matrix, vec![vec![0, 1, 0], vec![0, 1, 1], vec![0, 0, 2]]);
        assert_eq!(m[0].precision, 0.0); // bird never predicted: zero_division=0
        assert_eq!(m[1].precision, 0.5);
        assert_eq!(m[1].recall, 0.5);
        assert!((m[2].precision - 2.0 / 3.0).abs() < 1e-15);
        assert!((m[2].f1 - 0.8).abs() < 1e-15);
        assert_eq!(a.micro.f1, 0.6);
        assert!((a.macro_avg.f1 - (0.0 + 0.5 + 0.8) / 3.0).abs() < 1e-15);
        assert!((a.weighted.recall - 0.6).abs() < 1e-15);
    }

    #[test]
    fn all_correct_and_all_wrong() {
        let (_, m, a) = metrics(&["a", "b"], &["a", "b"]);
        assert!(m.iter().all(|c| c.f1 == 1.0));
        assert_eq!(a.micro.precision, 1.0);
        let (_, m, a) = metrics(&["a", "b"], &["b", "a"]);
        assert!(m.iter().all(|c| c.f1 == 0.0 && c.support == 1));
        assert_eq!(a.weighted.f1, 0.0);
    }

    #[test]
    fn one_row_and_class_only_predicted() {
        let (c, m, a) = metrics(&["a"], &["b"]);
        assert_eq!(c.labels, ["a", "b"]);
        assert_eq!(m[1].support, 0);
        assert_eq!(m[1].recall, 0.0);
        assert_eq!(a.macro_avg.precision, 0.0);
        let (_, m, _) = metrics(&["x"], &["x"]);
        assert_eq!(m[0].f1, 1.0);
    }

    #[test]
    fn empty_set_gives_zero_averages() {
        let c = Confusion::count(&[], &[], &[]);
        let (m, a) = per_class(&c);
        assert!(m.is_empty());
        assert_eq!(a.micro.f1, 0.0);
        assert_eq!(a.macro_avg.f1, 0.0);
    }
}
