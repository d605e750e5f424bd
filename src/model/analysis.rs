//! Every figure of the report, computed from an evaluation set, its tags and what the user
//! entered (HLP values, ratings).

use std::collections::BTreeMap;

use serde::Serialize;

use super::automation::{AutomationPoint, Reached};
use super::classes::{self, Averages, ClassMetrics, Confusion};
use super::counts::Counts;
use super::dataset::EvalSet;
use super::group::GroupCounts;
use super::hlp::{self, HlpPreference, HlpSource, Subject};
use super::label_issues::{self, IssueMethod};
use super::labels::{AgreementFigures, CorrectedLabels};
use super::priorities::{self, Priority, PriorityKind, Rating};
use super::slices::{self, SliceStats};
use super::stats::{Interval, ratio, wilson};
use super::tags::{TagBook, TagId, TagTotals};

/// Values the user entered; they override or complete what the data says.
#[derive(Clone, Debug, Default)]
pub struct ManualInputs {
    pub hlp: BTreeMap<Subject, f64>,
    pub ratings: BTreeMap<Subject, Rating>,
    /// The measured HLP to use when both human labels and annotators give one.
    pub hlp_from: HlpPreference,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Overall {
    pub n: u64,
    pub correct: u64,
    pub errors: u64,
    pub accuracy: Option<f64>,
    pub ci95: Option<Interval>,
    pub wer: Option<f64>,
    pub cer: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TagStats {
    pub tag: String,
    pub n: u64,
    pub errors: u64,
    pub share_of_data: Option<f64>,
    pub share_of_errors: Option<f64>,
    pub accuracy: Option<f64>,
    pub ci95: Option<Interval>,
    pub hlp: Option<f64>,
    pub hlp_source: Option<HlpSource>,
    pub gap: Option<f64>,
    pub potential_gain: Option<f64>,
}

/// Why per-tag accuracy is missing, when it is.
pub const ONLY_ERRORS_REVIEWED: &str = "The reviewed rows hold only errors, so accuracy and share of data per tag cannot be estimated. \
Review a random sample of rows (correct ones included) to estimate them.";

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Analysis {
    pub overall: Overall,
    pub classes: Vec<ClassMetrics>,
    pub averages: Option<Averages>,
    pub confusion: Option<Confusion>,
    pub slices: Vec<SliceStats>,
    /// Rows with a tag or a reviewed mark.
    pub reviewed_rows: u64,
    /// Set when per-tag accuracy cannot be estimated, with the reason.
    pub tags_note: Option<&'static str>,
    pub tags: Vec<TagStats>,
    pub priorities: Vec<Priority>,
    pub automation: Vec<AutomationPoint>,
    /// Agreement between annotators (`None` without several annotators).
    pub agreement: Option<AgreementFigures>,
    /// Suspected label errors, most suspect first (`None` when they cannot be found: no
    /// class probabilities, and no annotators with a confidence column).
    pub label_issues: Option<Vec<LabelIssueRow>>,
    pub label_issues_method: Option<IssueMethod>,
    /// How many labels the analyst corrected and what that does to accuracy.
    pub corrected_labels: Option<CorrectedLabels>,
}

/// A suspected label error as reports list it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LabelIssueRow {
    #[serde(skip)]
    pub row: usize,
    pub id: String,
    pub given: String,
    pub suggested: String,
    pub self_confidence: Option<f64>,
}

impl Analysis {
    /// Every figure of a report, tags and reviewed marks included.
    pub fn compute(set: &EvalSet, book: &TagBook, inputs: &ManualInputs) -> Self {
        let mut analysis = Analysis::of_rows(set, inputs);
        analysis.refresh(set, book, inputs);
        analysis
    }

    /// The figures that take a pass over every row; those of tags and reviewed marks are
    /// left for [`Analysis::refresh`].
    pub fn of_rows(set: &EvalSet, inputs: &ManualInputs) -> Self {
        let mut analysis = Analysis::counted(&Counts::of(set), inputs);
        let found = label_issues::find(set);
        analysis.label_issues = found.as_ref().map(|(_, issues)| {
            issues
                .iter()
                .map(|i| LabelIssueRow {
                    row: i.row,
                    id: set.ids.get(i.row).to_string(),
                    given: set.vocab[i.given as usize].clone(),
                    suggested: set.vocab[i.suggested as usize].clone(),
                    self_confidence: i.self_confidence,
                })
                .collect()
        });
        analysis.label_issues_method = found.map(|(method, _)| method);
        analysis.agreement = AgreementFigures::compute(set);
        analysis
    }

    /// Every figure of a table counted part by part (see [`Counts`]): the same figures as
    /// [`Analysis::compute`] gives the table held whole, but agreement and label issues,
    /// which need the rows.
    pub fn of_counts(counts: &Counts, tags: &TagTotals, inputs: &ManualInputs) -> Self {
        let mut analysis = Analysis::counted(counts, inputs);
        analysis.refresh_totals(tags, inputs);
        analysis
    }

    /// The figures that come from counts; tags, priorities and row-level figures are left
    /// for the caller to fill in.
    fn counted(counts: &Counts, inputs: &ManualInputs) -> Self {
        let overall = overall(&counts.overall);
        let confusion = counts.confusion();
        let (classes, averages) = match &confusion {
            Some(confusion) => {
                let (classes, averages) = classes::per_class(confusion);
                (classes, Some(averages))
            }
            None => (Vec::new(), None),
        };
        let entered = |s: &Subject| inputs.hlp.get(s).copied();
        let shown = confusion.as_ref().map_or(&[][..], |c| c.shown());
        let slices = slices::stats_of(
            &counts.slices,
            &counts.classes,
            overall.accuracy,
            shown,
            entered,
        );
        Analysis {
            agreement: None,
            label_issues: None,
            label_issues_method: None,
            corrected_labels: None,
            overall,
            classes,
            averages,
            confusion,
            slices,
            reviewed_rows: 0,
            tags_note: None,
            tags: Vec::new(),
            priorities: Vec::new(),
            automation: counts
                .reached
                .as_ref()
                .map(Reached::curve)
                .unwrap_or_default(),
        }
    }

    /// States the corrected labels' effect (rows, corrected label code or `None` for a
    /// confirmed one) on `given`, the set with the labels as given.
    pub fn set_corrections(&mut self, given: &EvalSet, corrections: &[(usize, Option<u32>)]) {
        self.corrected_labels = Some(super::labels::corrected_labels(
            given,
            corrections.iter().copied(),
        ));
    }

    /// Brings every figure that depends on tags, reviewed marks or entered values (HLP,
    /// ratings) up to date from running counts: O(tags + slices), whatever the number of
    /// rows, so the dashboard follows every edit at once.
    pub fn refresh(&mut self, set: &EvalSet, book: &TagBook, inputs: &ManualInputs) {
        if let Some(agreement) = &mut self.agreement {
            let mut tag_ids: Vec<TagId> = (0..book.names().len()).collect();
            tag_ids.sort_by(|&a, &b| book.names()[a].cmp(&book.names()[b]));
            let tags: Vec<(String, Vec<u32>)> = tag_ids
                .iter()
                .map(|&t| (book.names()[t].clone(), book.rows(t)))
                .collect();
            agreement.refresh_tags(set, &tags);
        }
        self.refresh_totals(&TagTotals::of(book), inputs);
    }

    /// [`Analysis::refresh`] from the tags' counts alone.
    fn refresh_totals(&mut self, book: &TagTotals, inputs: &ManualInputs) {
        let mut tag_ids: Vec<TagId> = (0..book.names.len()).collect();
        tag_ids.sort_by(|&a, &b| book.names[a].cmp(&book.names[b]));
        let agreement = self.agreement.as_ref();
        self.tags = tag_ids
            .iter()
            .map(|&t| {
                let name = &book.names[t];
                tag_stats(book, t, inputs, agreement.and_then(|a| a.tag_hlp(name)))
            })
            .collect();
        for slice in &mut self.slices {
            let subject = Subject::Slice {
                column: slice.column.clone(),
                value: slice.value.clone(),
            };
            let c = &slice.counts;
            let hlp = hlp::resolve(
                inputs.hlp.get(&subject).copied(),
                c.human_correct,
                c.human_n,
                agreement.and_then(|a| a.slice_hlp(&slice.column, &slice.value)),
                inputs.hlp_from,
            );
            slice.hlp = hlp.map(|h| h.value);
            slice.hlp_source = hlp.map(|h| h.source);
        }
        self.reviewed_rows = book.reviewed.n;
        self.tags_note = only_errors_reviewed(&book.reviewed).then_some(ONLY_ERRORS_REVIEWED);
        self.priorities = priorities_of(&self.tags, &self.slices, self.overall.n, inputs);
    }
}

fn overall(all: &GroupCounts) -> Overall {
    Overall {
        n: all.n,
        correct: all.correct,
        errors: all.errors(),
        accuracy: ratio(all.correct, all.n),
        ci95: wilson(all.correct, all.n),
        wer: all.edits.wer(),
        cer: all.edits.cer(),
    }
}

fn only_errors_reviewed(reviewed: &GroupCounts) -> bool {
    reviewed.n > 0 && reviewed.correct == 0
}

/// The figures of one tag from its running counts: O(1), whatever the size of the dataset.
/// `annotators`: the annotators' mean accuracy on the tag's rows, when there are annotators.
pub fn tag_stats(
    book: &TagTotals,
    tag: TagId,
    inputs: &ManualInputs,
    annotators: Option<f64>,
) -> TagStats {
    let c = &book.counts[tag];
    let reviewed = &book.reviewed;
    let name = &book.names[tag];
    let estimable = !only_errors_reviewed(reviewed);
    let accuracy = ratio(c.correct, c.n).filter(|_| estimable);
    let share_of_data = ratio(c.n, reviewed.n).filter(|_| estimable);
    let hlp = hlp::resolve(
        inputs.hlp.get(&Subject::Tag(name.clone())).copied(),
        c.human_correct,
        c.human_n,
        annotators,
        inputs.hlp_from,
    );
    let gap = priorities::gap(hlp.map(|h| h.value), accuracy);
    TagStats {
        tag: name.clone(),
        n: c.n,
        errors: c.errors(),
        share_of_data,
        share_of_errors: ratio(c.errors(), reviewed.errors()),
        accuracy,
        ci95: wilson(c.correct, c.n).filter(|_| estimable),
        hlp: hlp.map(|h| h.value),
        hlp_source: hlp.map(|h| h.source),
        gap,
        potential_gain: priorities::potential_gain(gap, share_of_data),
    }
}

fn priorities_of(
    tags: &[TagStats],
    slices: &[SliceStats],
    rows: u64,
    inputs: &ManualInputs,
) -> Vec<Priority> {
    let rated = |subject: &Subject| inputs.ratings.get(subject).copied();
    let mut list: Vec<Priority> = tags
        .iter()
        .map(|t| {
            let rating = rated(&Subject::Tag(t.tag.clone()));
            Priority {
                kind: PriorityKind::Tag,
                subject: Subject::Tag(t.tag.clone()),
                gap: t.gap,
                share_of_data: t.share_of_data,
                potential_gain: t.potential_gain,
                ease: rating.map(|r| r.ease),
                importance: rating.map(|r| r.importance),
            }
        })
        .collect();
    list.extend(slices.iter().map(|s| {
        let subject = Subject::Slice {
            column: s.column.clone(),
            value: s.value.clone(),
        };
        let rating = rated(&subject);
        let gap = priorities::gap(s.hlp, s.accuracy);
        let share = ratio(s.n, rows);
        Priority {
            kind: PriorityKind::Slice,
            subject,
            gap,
            share_of_data: share,
            potential_gain: priorities::potential_gain(gap, share),
            ease: rating.map(|r| r.ease),
            importance: rating.map(|r| r.importance),
        }
    }));
    priorities::rank(&mut list);
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dataset::tests::classification;

    #[test]
    fn refresh_after_edits_equals_a_full_recompute() {
        let set = classification(&["a", "a", "b", "b", "a"], &["a", "b", "a", "b", "a"]);
        let mut book = TagBook::new(set.len());
        let noise = book.define("noise");
        book.assign(&set, noise, 1);
        let mut inputs = ManualInputs::default();
        let mut live = Analysis::compute(&set, &book, &inputs);
        book.assign(&set, noise, 0);
        book.set_marked(&set, 3, true);
        let glare = book.define("glare");
        book.assign(&set, glare, 2);
        inputs.hlp.insert(Subject::Tag("noise".into()), 0.95);
        inputs.ratings.insert(
            Subject::Tag("glare".into()),
            Rating {
                ease: 4,
                importance: 2,
            },
        );
        live.refresh(&set, &book, &inputs);
        let fresh = Analysis::compute(&set, &book, &inputs);
        assert_eq!(
            serde_json::to_string(&live).unwrap(),
            serde_json::to_string(&fresh).unwrap()
        );
        assert!(live.tags.iter().any(|t| t.tag == "glare" && t.n == 1));
    }

    #[test]
    fn tags_over_reviewed_rows_with_entered_hlp() {
        // Rows 0–3 reviewed: 0,1 tagged "noise" (one error), 2 tagged "blur" (error), 3 marked only.
        let set = classification(&["a", "a", "b", "b", "a"], &["a", "b", "a", "b", "a"]);
        let mut book = TagBook::new(set.len());
        let noise = book.define("noise");
        let blur = book.define("blur");
        book.assign(&set, noise, 0);
        book.assign(&set, noise, 1);
        book.assign(&set, blur, 2);
        book.set_marked(&set, 3, true);
        let mut inputs = ManualInputs::default();
        inputs.hlp.insert(Subject::Tag("noise".into()), 0.9);
        let a = Analysis::compute(&set, &book, &inputs);
        assert_eq!(a.reviewed_rows, 4);
        assert_eq!(
            a.tags.iter().map(|t| t.tag.as_str()).collect::<Vec<_>>(),
            ["blur", "noise"]
        );
        let n = &a.tags[1];
        assert_eq!(
            (n.n, n.errors, n.share_of_data, n.share_of_errors),
            (2, 1, Some(0.5), Some(0.5))
        );
        assert_eq!(n.accuracy, Some(0.5));
        assert_eq!((n.hlp, n.hlp_source), (Some(0.9), Some(HlpSource::Entered)));
        assert!((n.gap.unwrap() - 0.4).abs() < 1e-12);
        assert!((n.potential_gain.unwrap() - 0.2).abs() < 1e-12);
        assert_eq!(a.tags[0].hlp, None, "no human labels and nothing entered");
        assert_eq!(a.priorities[0].name(), "noise");
        assert_eq!(a.tags_note, None);
    }

    #[test]
    fn only_errors_reviewed_leaves_accuracy_unknown() {
        let set = classification(&["a", "b"], &["b", "a"]);
        let mut book = TagBook::new(2);
        let t = book.define("scratch");
        book.assign(&set, t, 0);
        let a = Analysis::compute(&set, &book, &ManualInputs::default());
        assert_eq!(a.tags[0].accuracy, None);
        assert_eq!(a.tags[0].share_of_data, None);
        assert_eq!(a.tags[0].share_of_errors, Some(1.0));
        assert_eq!(a.tags_note, Some(ONLY_ERRORS_REVIEWED));
    }

    #[test]
    fn overall_on_one_row_and_empty_sets() {
        let a = Analysis::compute(
            &classification(&["x"], &["x"]),
            &TagBook::new(1),
            &ManualInputs::default(),
        );
        assert_eq!(
            (a.overall.n, a.overall.correct, a.overall.accuracy),
            (1, 1, Some(1.0))
        );
        assert!(a.overall.ci95.unwrap().0 > 0.0);
        let empty = classification(&[], &[]);
        let a = Analysis::compute(&empty, &TagBook::new(0), &ManualInputs::default());
        assert_eq!(a.overall.accuracy, None);
        assert!(a.classes.is_empty() && a.priorities.is_empty());
    }
}
