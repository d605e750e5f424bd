//! Running counts over a group of rows (a tag, a slice value, the reviewed rows). Adding or
//! removing one row is O(1), which is what lets tag edits update every figure at once.

use super::dataset::EvalSet;
use super::text::EditTotals;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupCounts {
    pub n: u64,
    pub correct: u64,
    /// Rows with a human label, and how many of those the human got right.
    pub human_n: u64,
    pub human_correct: u64,
    /// Rows with a baseline prediction, and how many of those the baseline got right.
    pub baseline_n: u64,
    pub baseline_correct: u64,
    pub edits: EditTotals,
}

impl GroupCounts {
    pub fn errors(&self) -> u64 {
        self.n - self.correct
    }

    /// Adds the counts of other rows (the rows of two groups that do not overlap).
    pub fn absorb(&mut self, other: &GroupCounts) {
        self.n += other.n;
        self.correct += other.correct;
        self.human_n += other.human_n;
        self.human_correct += other.human_correct;
        self.baseline_n += other.baseline_n;
        self.baseline_correct += other.baseline_correct;
        self.edits.absorb(&other.edits);
    }

    pub fn add_row(&mut self, set: &EvalSet, row: usize) {
        self.apply(set, row, 1);
    }

    pub fn remove_row(&mut self, set: &EvalSet, row: usize) {
        self.apply(set, row, -1);
    }

    fn apply(&mut self, set: &EvalSet, row: usize, sign: i8) {
        let bump = |v: &mut u64, yes: bool| {
            if yes {
                *v = if sign > 0 { *v + 1 } else { *v - 1 };
            }
        };
        bump(&mut self.n, true);
        bump(&mut self.correct, set.correct[row]);
        if let Some(judged) = set.human_correct.as_ref().and_then(|h| h[row]) {
            bump(&mut self.human_n, true);
            bump(&mut self.human_correct, judged);
        }
        if let Some(judged) = set.baseline_correct.as_ref().and_then(|b| b[row]) {
            bump(&mut self.baseline_n, true);
            bump(&mut self.baseline_correct, judged);
        }
        if let Some(edits) = &set.edits {
            if sign > 0 {
                self.edits.add(edits[row]);
            } else {
                self.edits.remove(edits[row]);
            }
        }
    }
}
