//! The model against a baseline (an earlier model's predictions in the same table): rows
//! the new model gets wrong that the baseline got right (regressions) and the reverse
//! (fixes). Accuracy of both per tag and slice comes from the running counts
//! (`GroupCounts::baseline_*`).

use super::dataset::EvalSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// The baseline was right, the model is wrong.
    Regressed,
    /// The baseline was wrong, the model is right.
    Fixed,
}

/// How the row changed from the baseline to the model (`None`: same outcome, or no baseline).
pub fn change(set: &EvalSet, row: usize) -> Option<Change> {
    let baseline_right = set.baseline_correct.as_ref()?[row]?;
    match (baseline_right, set.correct[row]) {
        (true, false) => Some(Change::Regressed),
        (false, true) => Some(Change::Fixed),
        _ => None,
    }
}

/// Regressions and fixes over the whole dataset; `None` without a baseline column.
pub fn counts(set: &EvalSet) -> Option<(u64, u64)> {
    set.baseline_correct.as_ref()?;
    let (mut regressed, mut fixed) = (0, 0);
    for row in 0..set.len() {
        match change(set, row) {
            Some(Change::Regressed) => regressed += 1,
            Some(Change::Fixed) => fixed += 1,
            None => {}
        }
    }
    Some((regressed, fixed))
}
