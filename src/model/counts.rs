//! The counts every count-based figure of a report comes from: the rows overall, the
//! confusion cells, each slice value (with its per-class recall) and the automation
//! buckets. Counts of rows that do not overlap add up, so a table too large to hold can be
//! counted part by part and reported exactly as if it were held whole; the figures that
//! need the rows themselves (agreement, label issues) are the in-memory path's only.

use hashbrown::HashMap;

use super::automation::Reached;
use super::classes::Confusion;
use super::dataset::{EvalSet, Task, sort_categories};
use super::group::GroupCounts;
use super::slices::SliceCounts;

#[derive(Clone, Debug, PartialEq)]
pub struct Counts {
    pub task: Task,
    /// The values seen as truth or prediction (classification); the class codes below index
    /// it. In report order once [`Counts::finish`]ed.
    pub classes: Vec<String>,
    index: HashMap<String, u32>,
    /// Every row.
    pub overall: GroupCounts,
    /// (truth, prediction) → rows; empty for transcripts.
    pub cells: HashMap<(u32, u32), u64>,
    pub slices: Vec<SliceCounts>,
    /// With a confidence column.
    pub reached: Option<Reached>,
}

impl Counts {
    /// The counts of a set held whole, with per-slice recall of the classes the reports show.
    pub fn of(set: &EvalSet) -> Self {
        let confusion = (set.task == Task::Classification)
            .then(|| Confusion::count(set.class_names(), &set.labels, &set.predictions));
        let shown = confusion.as_ref().map_or(&[][..], |c| c.shown());
        Counts::counted(set, confusion.as_ref(), shown)
    }

    /// The counts of one part of a larger table, with per-slice recall of every class: which
    /// classes the report shows is known only once every part is counted.
    pub fn of_part(set: &EvalSet) -> Self {
        let confusion = (set.task == Task::Classification)
            .then(|| Confusion::count(set.class_names(), &set.labels, &set.predictions));
        let every: Vec<usize> = match &confusion {
            Some(_) => (0..set.n_classes).collect(),
            None => Vec::new(),
        };
        Counts::counted(set, confusion.as_ref(), &every)
    }

    fn counted(set: &EvalSet, confusion: Option<&Confusion>, recall_of: &[usize]) -> Self {
        let overall = GroupCounts::of_all(set);
        let classes: Vec<String> = match confusion {
            Some(_) => set.class_names().to_vec(),
            None => Vec::new(),
        };
        let cells = confusion
            .map(|c| c.cells().iter().map(|&(t, p, n)| ((t, p), n)).collect())
            .unwrap_or_default();
        let slices = SliceCounts::of_every_column(set, recall_of);
        Counts {
            task: set.task,
            index: index_of(&classes),
            classes,
            overall,
            cells,
            slices,
            reached: set
                .confidence
                .as_ref()
                .map(|c| Reached::count(c, &set.correct)),
        }
    }

    /// Adds the counts of other rows of the same table (the same task and slice columns).
    pub fn absorb(&mut self, other: &Counts) {
        let class: Vec<u32> = other.classes.iter().map(|n| self.class_code(n)).collect();
        self.overall.absorb(&other.overall);
        for (&(t, p), &n) in &other.cells {
            *self
                .cells
                .entry((class[t as usize], class[p as usize]))
                .or_default() += n;
        }
        for (mine, theirs) in self.slices.iter_mut().zip(&other.slices) {
            mine.absorb(theirs, |c| class[c as usize]);
        }
        match (&mut self.reached, &other.reached) {
            (Some(mine), Some(theirs)) => mine.absorb(theirs),
            (mine @ None, Some(theirs)) => *mine = Some(theirs.clone()),
            _ => {}
        }
    }

    /// The classes in report order, every class code renumbered to it.
    pub fn finish(mut self) -> Counts {
        let mut names = self.classes.clone();
        sort_categories(&mut names);
        let position = index_of(&names);
        let class: Vec<u32> = self.classes.iter().map(|n| position[n]).collect();
        self.cells = self
            .cells
            .into_iter()
            .map(|((t, p), n)| ((class[t as usize], class[p as usize]), n))
            .collect();
        for slice in &mut self.slices {
            slice.by_class = std::mem::take(&mut slice.by_class)
                .into_iter()
                .map(|((v, c), cell)| ((v, class[c as usize]), cell))
                .collect();
        }
        self.classes = names;
        self.index = position;
        self
    }

    /// The confusion matrix of the classes (classification only).
    pub fn confusion(&self) -> Option<Confusion> {
        (self.task == Task::Classification).then(|| {
            let cells = self.cells.iter().map(|(&(t, p), &n)| (t, p, n)).collect();
            Confusion::of_cells(self.classes.clone(), cells)
        })
    }

    fn class_code(&mut self, name: &str) -> u32 {
        if let Some(&code) = self.index.get(name) {
            return code;
        }
        let code = self.classes.len() as u32;
        self.classes.push(name.to_string());
        self.index.insert(name.to_string(), code);
        code
    }
}

fn index_of(names: &[String]) -> HashMap<String, u32> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i as u32))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MISSING;
    use crate::model::dataset::tests::{classification, parts_of};
    use crate::model::dataset::{EvalSetParts, SliceColumn, SliceKind};

    /// A set of these labels and predictions, with a confidence and a slice column.
    fn part(labels: &[&str], predictions: &[&str], noise: &[u32]) -> EvalSet {
        let base = classification(labels, predictions);
        let n = base.len();
        EvalSet::new(EvalSetParts {
            confidence: Some((0..n).map(|i| i as f64 / n as f64).collect()),
            slices: vec![SliceColumn {
                name: "noise".into(),
                kind: SliceKind::Categorical,
                values: vec!["car".into(), "none".into()],
                codes: noise.to_vec().into(),
                numbers: None,
            }],
            ..parts_of(&base)
        })
    }

    #[test]
    fn counts_by_row_kind_equal_counts_row_by_row() {
        let classes = ["a", "b", "c"];
        let rows = 500;
        let pick = |i: usize, step: usize| classes[(i * step / 7) % 3];
        let labels: Vec<&str> = (0..rows).map(|i| pick(i, 3)).collect();
        let predictions: Vec<&str> = (0..rows).map(|i| pick(i, 5)).collect();
        let noise: Vec<u32> = (0..rows).map(|i| (i % 3 == 0) as u32).collect();
        let base = part(&labels, &predictions, &noise);
        // Human and baseline labels on some rows, missing on others, right or wrong.
        let code = |i: usize, step: usize| match i % 4 {
            0 => MISSING,
            _ => base.labels[(i * step) % rows],
        };
        let set = EvalSet::new(EvalSetParts {
            human: Some((0..rows).map(|i| code(i, 1 + i % 2)).collect()),
            baseline: Some((0..rows).map(|i| code(i + 1, 2 + i % 3)).collect()),
            ..parts_of(&base)
        });
        let by_row = |rows: &mut dyn Iterator<Item = usize>| {
            let mut counts = GroupCounts::default();
            rows.for_each(|row| counts.add_row(&set, row));
            counts
        };
        let overall = GroupCounts::of_all(&set);
        assert_eq!(overall, by_row(&mut (0..rows)));
        assert!(overall.human_n > 0 && overall.human_correct > 0);
        assert!(overall.human_correct < overall.human_n);
        assert!(overall.baseline_correct > 0 && overall.baseline_correct < overall.baseline_n);
        let counts = Counts::of(&set);
        for (value, counted) in counts.slices[0].counts.iter().enumerate() {
            let rows = &mut (0..rows).filter(|&r| set.slices[0].codes.get(r) == value as u32);
            assert_eq!(*counted, by_row(rows));
        }
    }

    #[test]
    fn parts_add_up_to_the_whole() {
        let (labels, predictions) = (
            ["b", "a", "c", "a", "b", "b", "c", "a"],
            ["b", "c", "c", "a", "a", "b", "b", "a"],
        );
        let noise = [0, 1, 1, 0, 0, 1, 0, 1];
        let whole = Counts::of(&part(&labels, &predictions, &noise));
        let mut merged = Counts::of_part(&part(&labels[..3], &predictions[..3], &noise[..3]));
        merged.absorb(&Counts::of_part(&part(
            &labels[3..],
            &predictions[3..],
            &noise[3..],
        )));
        let merged = merged.finish();
        assert_eq!(merged.classes, whole.classes);
        assert_eq!(merged.cells, whole.cells);
        assert_eq!(merged.overall, whole.overall);
        assert_eq!(merged.slices, whole.slices);
        assert_eq!(merged.confusion(), whole.confusion());
        assert_eq!(merged.overall.n, 8);
    }
}
