//! Per-class precision, recall and F1 with scikit-learn's conventions, and the confusion matrix.

use serde::Serialize;

use super::stats::ratio_or_zero;

/// Classes shown in tables and the confusion matrix of a report or the dashboard; with more,
/// the ones with the most rows (as truth or prediction) are shown and the rest counted (the
/// JSON and CSV reports hold every class).
pub const CLASSES_SHOWN: usize = 50;

/// Confusion counts, kept sparse: only the cells that occur, so memory and time grow with
/// rows and non-zero cells, never with classes squared (100,000 free-text labels would make a
/// dense matrix of 80 GB). Reports write the matrix of the classes shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Confusion {
    /// Every class, in class order.
    pub labels: Vec<String>,
    /// Non-zero cells as (truth, prediction, rows), sorted by truth then prediction.
    cells: Vec<(u32, u32, u64)>,
    support: Vec<u64>,
    predicted: Vec<u64>,
    true_positives: Vec<u64>,
    /// The classes shown, chosen once.
    shown: Vec<usize>,
}

impl Confusion {
    /// One pass over the codes; codes must be below `names.len()`.
    pub fn count(names: &[String], labels: &[u32], predictions: &[u32]) -> Self {
        let mut diagonal = vec![0u64; names.len()];
        let mut off_diagonal: hashbrown::HashMap<u64, u64> = hashbrown::HashMap::new();
        for (&t, &p) in labels.iter().zip(predictions) {
            if t == p {
                diagonal[t as usize] += 1;
            } else {
                *off_diagonal
                    .entry(u64::from(t) << 32 | u64::from(p))
                    .or_default() += 1;
            }
        }
        let cells = off_diagonal
            .into_iter()
            .map(|(key, n)| ((key >> 32) as u32, key as u32, n))
            .chain(
                diagonal
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(c, &n)| (c as u32, c as u32, n)),
            )
            .collect();
        Confusion::of_cells(names.to_vec(), cells)
    }

    /// The matrix of non-zero cells (truth, prediction, rows), in any order, each cell once;
    /// codes index `names`.
    pub fn of_cells(names: Vec<String>, mut cells: Vec<(u32, u32, u64)>) -> Self {
        let k = names.len();
        let (mut support, mut predicted, mut true_positives) =
            (vec![0u64; k], vec![0u64; k], vec![0u64; k]);
        for &(t, p, n) in &cells {
            support[t as usize] += n;
            predicted[p as usize] += n;
            if t == p {
                true_positives[t as usize] += n;
            }
        }
        cells.sort_unstable();
        let shown = busiest(&support, &predicted);
        Confusion {
            labels: names,
            cells,
            support,
            predicted,
            true_positives,
            shown,
        }
    }

    /// The non-zero cells as (truth, prediction, rows), by truth then prediction.
    pub fn cells(&self) -> &[(u32, u32, u64)] {
        &self.cells
    }

    /// Rows with this truth and this prediction.
    pub fn cell(&self, truth: usize, prediction: usize) -> u64 {
        self.cells
            .binary_search_by_key(&(truth as u32, prediction as u32), |&(t, p, _)| (t, p))
            .map_or(0, |i| self.cells[i].2)
    }

    /// Rows whose truth is `class`.
    pub fn support(&self, class: usize) -> u64 {
        self.support[class]
    }

    /// The classes tables and the matrix show, in class order: all of them up to
    /// [`CLASSES_SHOWN`], else those with the most rows as truth or prediction.
    pub fn shown(&self) -> &[usize] {
        &self.shown
    }

    /// How many classes [`Confusion::shown`] leaves out.
    pub fn omitted(&self) -> usize {
        self.labels.len().saturating_sub(CLASSES_SHOWN)
    }

    /// The matrix of the classes shown: `matrix[truth][prediction]`.
    pub fn matrix(&self) -> Vec<Vec<u64>> {
        let shown = &self.shown;
        let mut at = vec![usize::MAX; self.labels.len()];
        for (i, &c) in shown.iter().enumerate() {
            at[c] = i;
        }
        let mut matrix = vec![vec![0u64; shown.len()]; shown.len()];
        for &(t, p, n) in &self.cells {
            let (i, j) = (at[t as usize], at[p as usize]);
            if i != usize::MAX && j != usize::MAX {
                matrix[i][j] = n;
            }
        }
        matrix
    }

    /// The labels of the classes shown.
    pub fn shown_labels(&self) -> Vec<String> {
        self.shown.iter().map(|&c| self.labels[c].clone()).collect()
    }
}

/// All classes up to [`CLASSES_SHOWN`], else the ones with the most rows as truth or
/// prediction (ties to the earlier class), in class order.
fn busiest(support: &[u64], predicted: &[u64]) -> Vec<usize> {
    let k = support.len();
    if k <= CLASSES_SHOWN {
        return (0..k).collect();
    }
    let mut by_rows: Vec<usize> = (0..k).collect();
    by_rows.select_nth_unstable_by_key(CLASSES_SHOWN - 1, |&c| {
        (std::cmp::Reverse(support[c] + predicted[c]), c)
    });
    by_rows.truncate(CLASSES_SHOWN);
    by_rows.sort_unstable();
    by_rows
}

/// Written as `{labels, matrix}` over the classes shown, with `omitted_classes` when some
/// are left out (their cells are in the CSV report's `confusion_cells.csv`).
impl Serialize for Confusion {
    fn serialize<S: serde::Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let omitted = self.omitted();
        let mut s = out.serialize_struct("Confusion", 2 + usize::from(omitted > 0))?;
        s.serialize_field("labels", &self.shown_labels())?;
        s.serialize_field("matrix", &self.matrix())?;
        if omitted > 0 {
            s.serialize_field("omitted_classes", &omitted)?;
        }
        s.end()
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
            confusion.true_positives[i],
            confusion.predicted[i],
            confusion.support[i],
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
        assert_eq!(
            c.matrix(),
            vec![vec![0, 1, 0], vec![0, 1, 1], vec![0, 0, 2]]
        );
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
    fn many_classes_are_counted_sparsely_and_the_busiest_are_shown() {
        let k = 5 * CLASSES_SHOWN;
        let names: Vec<String> = (0..k).map(|c| format!("c{c:04}")).collect();
        // Class c has c % 7 + 1 rows, all right but one wrong row per class divisible by 10.
        let (mut labels, mut predictions) = (Vec::new(), Vec::new());
        for c in 0..k as u32 {
            for _ in 0..(c % 7 + 1) {
                labels.push(c);
                predictions.push(c);
            }
            if c % 10 == 0 {
                labels.push(c);
                predictions.push((c + 1) % k as u32);
            }
        }
        let confusion = Confusion::count(&names, &labels, &predictions);
        assert_eq!(confusion.cells().len(), k + k / 10);
        assert_eq!(confusion.cell(10, 11), 1);
        assert_eq!(confusion.cell(10, 12), 0);
        assert_eq!(confusion.cell(13, 13), 13 % 7 + 1);
        let shown = confusion.shown();
        assert_eq!(shown.len(), CLASSES_SHOWN);
        assert_eq!(confusion.omitted(), k - CLASSES_SHOWN);
        let rows = |c: usize| confusion.support(c) + confusion.predicted[c];
        let least_shown = shown.iter().map(|&c| rows(c)).min().unwrap();
        assert!(
            (0..k)
                .filter(|c| !shown.contains(c))
                .all(|c| rows(c) <= least_shown)
        );
        let matrix = confusion.matrix();
        for (i, &t) in shown.iter().enumerate() {
            for (j, &p) in shown.iter().enumerate() {
                assert_eq!(matrix[i][j], confusion.cell(t, p));
            }
        }
        // Per-class figures cover every class, shown or not.
        let (m, _) = per_class(&confusion);
        assert_eq!(m.len(), k);
        assert_eq!(m[10].recall, (10 % 7 + 1) as f64 / (10 % 7 + 2) as f64);
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
