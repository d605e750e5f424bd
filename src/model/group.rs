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

/// What each row adds to a group's counts when the set has no transcript edits, as five
/// bits: right, judged by a human, right by the human, judged by the baseline, right by
/// the baseline. Rows of one kind add the same, so a group is counted by its rows' kinds.
pub struct RowKinds<'a> {
    correct: &'a [bool],
    human: Option<&'a [Option<bool>]>,
    baseline: Option<&'a [Option<bool>]>,
}

impl<'a> RowKinds<'a> {
    pub fn new(set: &'a EvalSet) -> Self {
        RowKinds {
            correct: &set.correct,
            human: set.human_correct.as_deref(),
            baseline: set.baseline_correct.as_deref(),
        }
    }

    #[inline]
    pub fn of(&self, row: usize) -> usize {
        let mut kind = usize::from(self.correct[row]);
        if let Some(right) = self.human.and_then(|h| h[row]) {
            kind |= 0b10 | (usize::from(right) << 2);
        }
        if let Some(right) = self.baseline.and_then(|b| b[row]) {
            kind |= 0b1000 | (usize::from(right) << 4);
        }
        kind
    }
}

/// The number of row kinds ([`RowKinds`]).
pub const ROW_KINDS: usize = 32;

impl GroupCounts {
    /// The counts of rows without transcript edits, from how many rows are of each kind.
    pub fn of_kinds(rows: &[u64; ROW_KINDS]) -> Self {
        let mut counts = GroupCounts::default();
        for (kind, &n) in rows.iter().enumerate() {
            let has = |bit: usize| if kind & bit != 0 { n } else { 0 };
            counts.n += n;
            counts.correct += has(0b1);
            counts.human_n += has(0b10);
            counts.human_correct += has(0b100);
            counts.baseline_n += has(0b1000);
            counts.baseline_correct += has(0b10000);
        }
        counts
    }

    /// The counts of every row of `set`.
    pub fn of_all(set: &EvalSet) -> Self {
        if set.edits.is_some() {
            let mut counts = GroupCounts::default();
            (0..set.len()).for_each(|row| counts.add_row(set, row));
            return counts;
        }
        let (of, mut kinds) = (RowKinds::new(set), [0u64; ROW_KINDS]);
        (0..set.len()).for_each(|row| kinds[of.of(row)] += 1);
        GroupCounts::of_kinds(&kinds)
    }

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
