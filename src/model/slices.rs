//! Per-slice figures: accuracy (or WER) for every value of every slice column, with the
//! interval, the gap to the overall accuracy, HLP and, for classification, per-class recall.

use hashbrown::HashMap;
use rayon::prelude::*;
use serde::Serialize;

use super::dataset::{EvalSet, SliceCodes, SliceColumn};
use super::group::{GroupCounts, ROW_KINDS, RowKinds};
use super::hlp::{self, HlpSource, Subject};
use super::stats::{Interval, ratio, wilson};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassRecall {
    pub label: String,
    pub support: u64,
    /// Recall of the class within the slice value; the false-negative rate is 1 − recall.
    pub recall: Option<f64>,
}

/// When a slice value is flagged "below overall", in the app and in every report: its 95 %
/// interval lies entirely below the overall accuracy, by more than `margin` (a fraction of
/// accuracy; 0 by default, which is "below beyond doubt").
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct FlagRule {
    pub margin: f64,
}

impl FlagRule {
    /// A rule with its margin in percentage points, as the user enters it.
    pub fn points(margin: f64) -> Self {
        Self {
            margin: margin / 100.0,
        }
    }

    pub fn flags(&self, slice: &SliceStats, overall: Option<f64>) -> bool {
        matches!((slice.ci95, overall), (Some(ci), Some(all)) if ci.1 < all - self.margin)
    }

    /// The rule in words, as reports state it.
    pub fn describe(&self) -> String {
        if self.margin <= 0.0 {
            "values whose 95 % interval lies entirely below the overall accuracy".into()
        } else {
            format!(
                "values whose 95 % interval lies more than {:.1} points below the overall accuracy",
                self.margin * 100.0
            )
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SliceStats {
    pub column: String,
    pub value: String,
    pub n: u64,
    pub correct: u64,
    pub accuracy: Option<f64>,
    pub ci95: Option<Interval>,
    /// Slice accuracy minus overall accuracy (negative: the slice does worse).
    pub gap_to_overall: Option<f64>,
    pub hlp: Option<f64>,
    pub hlp_source: Option<HlpSource>,
    pub wer: Option<f64>,
    pub class_recall: Vec<ClassRecall>,
    #[serde(skip)]
    pub counts: GroupCounts,
}

/// Each row's cell in the tally of a slice value ([`column_counts`]): the slot of its truth
/// among the classes counted (0: another class) times the row kinds the set has, plus its
/// kind. Found once for every slice column of a set.
pub struct RowCells {
    cells: Vec<u16>,
    /// Cells per slice value.
    stride: usize,
    /// Row kinds the set has: 2 (right or wrong), 8 (and by the human), or all.
    kinds: usize,
}

impl RowCells {
    /// `None` for transcripts, whose rows add their edits, or too many classes for a tally.
    pub fn of(set: &EvalSet, classes: &[usize]) -> Option<RowCells> {
        let kinds = match (&set.human_correct, &set.baseline_correct) {
            (_, Some(_)) => ROW_KINDS,
            (Some(_), None) => 8,
            (None, None) => 2,
        };
        let stride = (classes.len() + 1) * kinds;
        if set.edits.is_some() || stride > usize::from(u16::MAX) + 1 {
            return None;
        }
        let slot_of = slots(set, classes);
        let row_kinds = RowKinds::new(set);
        let cells = (0..set.len())
            .into_par_iter()
            .map(|row| {
                let slot = slot_of.get(set.labels[row] as usize).copied().unwrap_or(0);
                (slot * kinds + row_kinds.of(row)) as u16
            })
            .collect();
        Some(RowCells {
            cells,
            stride,
            kinds,
        })
    }
}

/// Each class's place among `classes` from 1, 0 for a class not among them.
fn slots(set: &EvalSet, classes: &[usize]) -> Vec<usize> {
    let mut slot_of = vec![0usize; set.n_classes];
    for (i, &c) in classes.iter().enumerate() {
        slot_of[c] = i + 1;
    }
    slot_of
}

/// [support, true positives] by (value, class code): only the pairs some row has.
type ByClass = HashMap<(u32, u32), [u64; 2]>;

/// Counts for every value of one slice column in one pass over the rows, and [support,
/// true positives] per (value, class) for the classes in `classes` (those the reports
/// show, so that memory stays values × shown classes however many classes there are).
/// `cells`: [`RowCells::of`] the same set and classes.
pub fn column_counts(
    set: &EvalSet,
    column: &SliceColumn,
    classes: &[usize],
    cells: Option<&RowCells>,
) -> (Vec<GroupCounts>, ByClass) {
    let values = column.values.len();
    let k = classes.len();
    let Some(RowCells {
        cells,
        stride,
        kinds: row_kinds,
    }) = cells.filter(|cells| values * cells.stride <= MAX_TALLY_CELLS)
    else {
        let slot_of = slots(set, classes);
        let slot = |row: usize| slot_of.get(set.labels[row] as usize).copied().unwrap_or(0);
        return counted_row_by_row(set, column, classes, slot);
    };
    let (stride, row_kinds) = (*stride, *row_kinds);
    // One count a row, by (value, class slot, row kind); the figures are sums of these.
    let mut tally = vec![0u64; values * stride];
    each_code(&column.codes, |row, code| {
        tally[code as usize * stride + usize::from(cells[row])] += 1;
    });
    let mut counts = Vec::with_capacity(values);
    let mut by_class = vec![[0u64; 2]; values * k];
    for (value, cells) in tally.chunks_exact(stride).enumerate() {
        let mut kinds = [0u64; ROW_KINDS];
        for (slot, cell) in cells.chunks_exact(row_kinds).enumerate() {
            for (kind, &n) in cell.iter().enumerate() {
                kinds[kind] += n;
                if slot > 0 {
                    let support = &mut by_class[value * k + slot - 1];
                    support[0] += n;
                    support[1] += if kind & 1 != 0 { n } else { 0 };
                }
            }
        }
        counts.push(GroupCounts::of_kinds(&kinds));
    }
    let by_class = by_class
        .iter()
        .enumerate()
        .filter(|(_, cell)| cell[0] > 0)
        .map(|(i, &cell)| (((i / k) as u32, classes[i % k] as u32), cell))
        .collect();
    (counts, by_class)
}

/// Tallies above this many cells (values × shown classes × row kinds) are counted row by row.
const MAX_TALLY_CELLS: usize = 1 << 20;

/// [`column_counts`] a row at a time: for transcripts, whose rows add their edits, and for
/// columns of very many values (whose pairs with the classes are kept only when some row
/// has them).
fn counted_row_by_row(
    set: &EvalSet,
    column: &SliceColumn,
    classes: &[usize],
    slot: impl Fn(usize) -> usize,
) -> (Vec<GroupCounts>, ByClass) {
    let values = column.values.len();
    let mut counts = vec![GroupCounts::default(); values];
    let mut by_class = ByClass::default();
    each_code(&column.codes, |row, code| {
        counts[code as usize].add_row(set, row);
        if let Some(slot) = slot(row).checked_sub(1) {
            let cell = by_class.entry((code, classes[slot] as u32)).or_default();
            cell[0] += 1;
            cell[1] += u64::from(set.correct[row]);
        }
    });
    (counts, by_class)
}

/// Calls `f(row, code)` for every row. A loop per code width: one over an iterator of
/// either would branch on every row.
#[inline(always)]
fn each_code(codes: &SliceCodes, mut f: impl FnMut(usize, u32)) {
    match codes {
        SliceCodes::Narrow(codes) => {
            for (row, &code) in codes.iter().enumerate() {
                f(row, u32::from(code));
            }
        }
        SliceCodes::Wide(codes) => {
            for (row, &code) in codes.iter().enumerate() {
                f(row, code);
            }
        }
    }
}

/// The counts of one slice column: per value, and `[support, right]` per (value, class)
/// for the classes counted. Counts of the same column over other rows add up.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceCounts {
    pub name: String,
    pub values: Vec<String>,
    pub counts: Vec<GroupCounts>,
    pub by_class: ByClass,
}

impl SliceCounts {
    /// The counts of every slice column of `set`, with the recall of `classes` per value.
    pub fn of_every_column(set: &EvalSet, classes: &[usize]) -> Vec<SliceCounts> {
        let cells = match set.slices.is_empty() {
            true => None,
            false => RowCells::of(set, classes),
        };
        set.slices
            .par_iter()
            .map(|column| SliceCounts::of(set, column, classes, cells.as_ref()))
            .collect()
    }

    /// One pass over `column`'s rows, with the recall of `classes` per value; `cells`:
    /// [`RowCells::of`] the same set and classes.
    fn of(
        set: &EvalSet,
        column: &SliceColumn,
        classes: &[usize],
        cells: Option<&RowCells>,
    ) -> Self {
        let (counts, by_class) = column_counts(set, column, classes, cells);
        SliceCounts {
            name: column.name.clone(),
            values: column.values.clone(),
            counts,
            by_class,
        }
    }

    /// Adds the counts of other rows of the same column; `class` maps the other's class
    /// codes to ours. Values are matched by name: those the other rows have and ours do
    /// not are added after ours.
    pub fn absorb(&mut self, other: &SliceCounts, class: impl Fn(u32) -> u32) {
        debug_assert!(self.name == other.name);
        let value: Vec<u32> = if self.values == other.values {
            (0..other.values.len() as u32).collect()
        } else {
            let mut added = Vec::new();
            let codes = {
                let mut position: HashMap<&str, u32> = self
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v.as_str(), i as u32))
                    .collect();
                let known = self.values.len();
                other
                    .values
                    .iter()
                    .map(|v| {
                        let next = (known + added.len()) as u32;
                        *position.entry(v.as_str()).or_insert_with(|| {
                            added.push(v.clone());
                            next
                        })
                    })
                    .collect()
            };
            self.values.extend(added);
            self.counts
                .resize(self.values.len(), GroupCounts::default());
            codes
        };
        self.add_mapped(other, |v| value[v as usize], class);
    }

    /// The counts with each value `v` counted under `values[value(v)]` instead: the values
    /// of a column counted cell by cell, grouped under the slice's values once they are known.
    pub fn regrouped(&self, values: Vec<String>, value: impl Fn(u32) -> u32) -> SliceCounts {
        let mut grouped = SliceCounts {
            name: self.name.clone(),
            counts: vec![GroupCounts::default(); values.len()],
            values,
            by_class: HashMap::default(),
        };
        grouped.add_mapped(self, value, |c| c);
        grouped
    }

    fn add_mapped(
        &mut self,
        other: &SliceCounts,
        value: impl Fn(u32) -> u32,
        class: impl Fn(u32) -> u32,
    ) {
        for (v, theirs) in other.counts.iter().enumerate() {
            self.counts[value(v as u32) as usize].absorb(theirs);
        }
        for (&(v, c), cell) in &other.by_class {
            let mine = self.by_class.entry((value(v), class(c))).or_default();
            mine[0] += cell[0];
            mine[1] += cell[1];
        }
    }
}

/// Figures for every value of every slice column, columns in dataset order, values in the
/// column's order.
/// `classes` are the classes whose recall is given per value (none for transcripts).
pub fn slice_stats(
    set: &EvalSet,
    overall_accuracy: Option<f64>,
    classes: &[usize],
    entered_hlp: impl Fn(&Subject) -> Option<f64>,
) -> Vec<SliceStats> {
    // Columns are independent: count them in parallel, then assemble in column order.
    let counted = SliceCounts::of_every_column(set, classes);
    stats_of(
        &counted,
        set.class_names(),
        overall_accuracy,
        classes,
        entered_hlp,
    )
}

/// [`slice_stats`] from the columns' counts; `class_names` names the class codes.
pub fn stats_of(
    columns: &[SliceCounts],
    class_names: &[String],
    overall_accuracy: Option<f64>,
    classes: &[usize],
    entered_hlp: impl Fn(&Subject) -> Option<f64>,
) -> Vec<SliceStats> {
    let mut out = Vec::new();
    for column in columns {
        for (v, (value, &c)) in column.values.iter().zip(&column.counts).enumerate() {
            let subject = Subject::Slice {
                column: column.name.clone(),
                value: value.clone(),
            };
            let hlp = hlp::resolve(
                entered_hlp(&subject),
                c.human_correct,
                c.human_n,
                None,
                Default::default(),
            );
            let accuracy = ratio(c.correct, c.n);
            let class_recall = classes
                .iter()
                .map(|&class| {
                    let [support, tp] = column
                        .by_class
                        .get(&(v as u32, class as u32))
                        .copied()
                        .unwrap_or_default();
                    ClassRecall {
                        label: class_names[class].clone(),
                        support,
                        recall: ratio(tp, support),
                    }
                })
                .collect();
            out.push(SliceStats {
                column: column.name.clone(),
                value: value.clone(),
                n: c.n,
                correct: c.correct,
                accuracy,
                ci95: wilson(c.correct, c.n),
                gap_to_overall: accuracy.zip(overall_accuracy).map(|(a, o)| a - o),
                hlp: hlp.map(|h| h.value),
                hlp_source: hlp.map(|h| h.source),
                wer: c.edits.wer(),
                class_recall,
                counts: c,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dataset::tests::{classification, parts_of};
    use crate::model::dataset::{EvalSetParts, SliceKind};

    #[test]
    fn per_value_accuracy_gap_and_recall() {
        let base = classification(&["a", "a", "b", "b", "a"], &["a", "b", "b", "a", "a"]);
        let set = EvalSet::new(EvalSetParts {
            human: Some(vec![0, 0, 1, 0, super::super::MISSING]),
            slices: vec![SliceColumn {
                name: "noise".into(),
                kind: SliceKind::Categorical,
                values: vec!["car".into(), "none".into()],
                codes: SliceCodes::Narrow(vec![0, 0, 1, 1, 1]),
                numbers: None,
            }],
            ..parts_of(&base)
        });
        let stats = slice_stats(&set, Some(0.6), &[0, 1], |_| None);
        assert_eq!(stats.len(), 2);
        let car = &stats[0];
        assert_eq!((car.n, car.correct, car.accuracy), (2, 1, Some(0.5)));
        assert!((car.gap_to_overall.unwrap() + 0.1).abs() < 1e-12);
        assert_eq!(
            (car.hlp, car.hlp_source),
            (Some(1.0), Some(HlpSource::HumanLabels))
        );
        assert_eq!(
            car.class_recall[0],
            ClassRecall {
                label: "a".into(),
                support: 2,
                recall: Some(0.5)
            }
        );
        assert_eq!(car.class_recall[1].recall, None);
        let none = &stats[1];
        assert_eq!((none.n, none.accuracy), (3, Some(2.0 / 3.0)));
        assert_eq!(
            none.hlp,
            Some(0.5),
            "the row without a human label is left out of HLP"
        );
        let entered = slice_stats(&set, Some(0.6), &[0, 1], |s| {
            (s.to_string() == "noise=none").then_some(0.99)
        });
        assert_eq!(
            (entered[1].hlp, entered[1].hlp_source),
            (Some(0.99), Some(HlpSource::Entered))
        );
    }

    /// The counts of the rows of `set` whose codes in a column of `values` are `codes`.
    fn counts_of(set: &EvalSet, values: &[&str], codes: Vec<u8>) -> SliceCounts {
        let column = SliceColumn {
            name: "noise".into(),
            kind: SliceKind::Categorical,
            values: values.iter().map(|v| v.to_string()).collect(),
            codes: SliceCodes::Narrow(codes),
            numbers: None,
        };
        let set = EvalSet::new(EvalSetParts {
            slices: vec![column],
            ..parts_of(set)
        });
        SliceCounts::of_every_column(&set, &[0, 1]).remove(0)
    }

    #[test]
    fn counts_of_other_values_add_up_by_name_and_regroup() {
        let set = classification(&["a", "a", "b", "b", "a"], &["a", "b", "b", "a", "a"]);
        let whole = counts_of(&set, &["car", "none"], vec![0, 0, 1, 1, 1]);
        // Two sets of rows that name the values in other orders, one without "car".
        let first = classification(&["a", "a", "b"], &["a", "b", "b"]);
        let second = classification(&["b", "a"], &["a", "a"]);
        let mut added = counts_of(&first, &["none", "car"], vec![1, 1, 0]);
        added.absorb(&counts_of(&second, &["none"], vec![0, 0]), |c| c);
        assert_eq!(added.values, ["none", "car"]);
        let in_order = added.regrouped(whole.values.clone(), |v| 1 - v);
        assert_eq!(in_order, whole);
        // Grouped under one value, every row counts once.
        let one = whole.regrouped(vec!["all".into()], |_| 0);
        assert_eq!(one.counts[0], GroupCounts::of_all(&set));
        assert_eq!(one.by_class[&(0, 0)], [3, 2]);
    }
}
