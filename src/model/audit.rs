//! Audit checks: the risks a team listed ("accuracy differs by gender", "offensive words in
//! transcripts", "rare class recall"), each tied to a metric measured on the whole set, on
//! every value of a slice column or on a tag's rows, and to a threshold (a minimum, a
//! maximum, or the largest gap allowed to the overall figure) with a minimum support below
//! which a group is not judged. Evaluating a spec is one pass over the rows per check.

use serde::{Deserialize, Serialize};

use super::agreement::AgreementCounts;
use super::dataset::{EvalSet, MISSING, Task};
use super::stats::ratio;
use super::tags::TagBook;
use super::text::{EditTotals, normalise};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of rows predicted right (sentence accuracy for transcripts).
    Accuracy,
    /// Recall of `class`: share of its rows predicted as it.
    Recall,
    /// False-negative rate of `class`: 1 − recall.
    FnRate,
    /// Word error rate (transcription).
    Wer,
    /// Share of predictions holding any word or phrase of the watch-list.
    WatchList,
    /// Fleiss' kappa of the annotators over the group's rows every annotator labelled.
    FleissKappa,
    /// The annotators' accuracy against the ground truth, averaged over annotators.
    AnnotatorAccuracy,
    /// Whether a column (`slice`: any compared column) drifts against the current set the
    /// project keeps: 1 when it drifts by its test, 0 when not (so `max = 0`).
    Drift,
}

impl Metric {
    /// Whether a larger value is worse (so a gap is measured above the overall figure).
    fn higher_is_worse(self) -> bool {
        matches!(self, Metric::FnRate | Metric::Wer | Metric::WatchList)
    }

    /// How much worse `value` is than `overall`: above it for error rates, below it for
    /// accuracy and recall.
    pub fn worse_by(self, value: f64, overall: f64) -> f64 {
        if self.higher_is_worse() {
            value - overall
        } else {
            overall - value
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::Recall => "recall",
            Metric::FnRate => "fn_rate",
            Metric::Wer => "wer",
            Metric::WatchList => "watch_list",
            Metric::FleissKappa => "fleiss_kappa",
            Metric::AnnotatorAccuracy => "annotator_accuracy",
            Metric::Drift => "drift",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Overall,
    Slice(String),
    Tag(String),
    /// The rows meeting every (feature, value) condition: a found slice, over the slice
    /// finder's features (slice columns, `tag: NAME`, `true class`, `predicted class`).
    Where(Vec<(String, String)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    Min(f64),
    Max(f64),
    /// The group may be at most this much worse than the overall figure.
    MaxGap(f64),
}

impl std::fmt::Display for Threshold {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (op, v) = match *self {
            Threshold::Min(v) => (">=", v),
            Threshold::Max(v) => ("<=", v),
            Threshold::MaxGap(v) => ("gap <=", v),
        };
        // Shortest exact form; very small or large values in scientific notation, not as
        // hundreds of digits.
        if v == 0.0 || (1e-4..1e9).contains(&v.abs()) {
            write!(f, "{op} {v}")
        } else {
            write!(f, "{op} {v:e}")
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    pub risk: String,
    pub metric: Metric,
    /// The class of `recall` and `fn_rate`.
    pub class: Option<String>,
    /// Words or phrases of `watch_list`.
    pub words: Vec<String>,
    pub scope: Scope,
    pub threshold: Threshold,
    /// Groups with fewer rows are reported but not judged.
    pub min_support: u64,
}

/// Who signs the audit off, and what they decided.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignOff {
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub date: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct AuditSpec {
    pub checks: Vec<Check>,
    pub signoff: SignOff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
    /// Fewer rows than the check's minimum support: not judged.
    TooFew,
}

/// One group measured by one check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measured {
    /// Index into the spec's checks.
    pub check: usize,
    /// "all", "gender=female" or "tag blur".
    pub group: String,
    pub value: Option<f64>,
    /// The same metric over all rows (for gaps and contrast).
    pub overall: Option<f64>,
    /// For the watch-list: the prevalence in the references, for contrast.
    pub reference: Option<f64>,
    /// Rows the metric is measured on (the class's rows for recall and FN rate).
    pub n: u64,
    pub verdict: Verdict,
}

/// A check that does not fit the dataset, with what to do.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    pub check: usize,
    pub message: String,
}

/// Running sums for one group of rows, enough for every metric.
#[derive(Clone, Default)]
struct Acc {
    n: u64,
    correct: u64,
    class_n: u64,
    class_hits: u64,
    edits: EditTotals,
    watched: u64,
    watched_reference: u64,
    /// Annotations (for `fleiss_kappa`) and per annotator (labelled, right) counts.
    annotations: AgreementCounts,
    annotators_right: Vec<[u64; 2]>,
}

impl Acc {
    fn value(&self, metric: Metric) -> (Option<f64>, u64) {
        match metric {
            Metric::Accuracy => (ratio(self.correct, self.n), self.n),
            Metric::Recall => (ratio(self.class_hits, self.class_n), self.class_n),
            Metric::FnRate => (
                ratio(self.class_n - self.class_hits, self.class_n),
                self.class_n,
            ),
            Metric::Wer => (self.edits.wer(), self.n),
            Metric::WatchList => (ratio(self.watched, self.n), self.n),
            Metric::FleissKappa => (self.annotations.fleiss_kappa(), self.annotations.complete),
            // Measured from the comparison with a current set, not from rows.
            Metric::Drift => (None, 0),
            Metric::AnnotatorAccuracy => {
                let each: Vec<f64> = self
                    .annotators_right
                    .iter()
                    .filter_map(|[n, right]| ratio(*right, *n))
                    .collect();
                let labelled = self.annotators_right.iter().map(|[n, _]| n).sum();
                let mean = (!each.is_empty()).then(|| each.iter().sum::<f64>() / each.len() as f64);
                (mean, labelled)
            }
        }
    }
}

/// What a check needs to know of each row, prepared once.
struct Probe<'a> {
    set: &'a EvalSet,
    class: Option<u32>,
    /// Normalised phrases, each padded with spaces so they match whole words.
    phrases: Vec<String>,
    /// Whether the check measures the annotators.
    annotators: bool,
    scratch: std::cell::RefCell<Vec<(u32, f64)>>,
}

impl Probe<'_> {
    fn watched(&self, text: &str) -> bool {
        let padded = format!(" {} ", normalise(text));
        self.phrases.iter().any(|p| padded.contains(p.as_str()))
    }

    fn add(&self, acc: &mut Acc, row: usize) {
        let set = self.set;
        acc.n += 1;
        acc.correct += u64::from(set.correct[row]);
        if let Some(class) = self.class
            && set.labels[row] == class
        {
            acc.class_n += 1;
            acc.class_hits += u64::from(set.predictions[row] == class);
        }
        if let Some(edits) = &set.edits {
            acc.edits.add(edits[row]);
        }
        if !self.phrases.is_empty() {
            acc.watched += u64::from(self.watched(set.prediction_text(row)));
            acc.watched_reference += u64::from(self.watched(set.label_text(row)));
        }
        if let Some(annotators) = set.annotators.as_ref().filter(|_| self.annotators) {
            let labels = annotators.row(row);
            acc.annotations.add(labels, &mut self.scratch.borrow_mut());
            acc.annotators_right.resize(labels.len(), [0, 0]);
            for (counts, &label) in acc.annotators_right.iter_mut().zip(labels) {
                if label != MISSING {
                    counts[0] += 1;
                    counts[1] += u64::from(label == set.labels[row]);
                }
            }
        }
    }
}

/// "accent = scottish and device = phone".
pub fn describe_where(conditions: &[(String, String)]) -> String {
    conditions
        .iter()
        .map(|(f, v)| format!("{f} = {v}"))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The rows meeting every condition of a `where` scope, or what names nothing.
fn where_rows(
    set: &EvalSet,
    book: &TagBook,
    conditions: &[(String, String)],
) -> Result<Vec<u32>, String> {
    use super::slice_finder;
    if conditions.is_empty() {
        return Err("`where` names no condition".into());
    }
    let names: Vec<String> = conditions.iter().map(|(f, _)| f.clone()).collect();
    let features = slice_finder::features(set, book, Some(&names)).map_err(|e| e.to_string())?;
    let mut predicates = Vec::new();
    for (name, value) in conditions {
        let (f, feature) = features
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name.as_str())
            .expect("features() keeps every name asked");
        let Some(code) = feature.values.iter().position(|v| v == value) else {
            return Err(format!("{name} has no value {value:?}"));
        };
        predicates.push((f, code as u32));
    }
    Ok(slice_finder::rows_of(&features, &predicates, set.len()))
}

/// Checks the spec against the dataset: slice columns, tags and classes must exist, and each
/// metric must fit the task.
pub fn validate(spec: &AuditSpec, set: &EvalSet, book: &TagBook) -> Vec<Mismatch> {
    let mut problems = Vec::new();
    for (i, check) in spec.checks.iter().enumerate() {
        let mut problem = |message: String| problems.push(Mismatch { check: i, message });
        if check.metric == Metric::Drift {
            // Any column of the comparison (ground truth, prediction, confidence, slices,
            // input metrics), known only once a current set is compared.
            if !matches!(check.scope, Scope::Slice(_)) {
                problem("drift needs `slice`: the column whose drift is checked".into());
            }
            continue;
        }
        match &check.scope {
            Scope::Slice(column) if set.slice(column).is_none() => problem(format!(
                "there is no slice column {column:?} (slice columns: {})",
                set.slices
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            Scope::Tag(tag) if book.id(tag).is_none() => problem(format!(
                "there is no tag {tag:?} (tags: {})",
                book.names().join(", ")
            )),
            Scope::Where(conditions) => {
                if let Err(message) = where_rows(set, book, conditions) {
                    problem(message);
                }
            }
            _ => {}
        }
        match check.metric {
            Metric::Recall | Metric::FnRate => match &check.class {
                None => problem(format!("{} needs `class`", check.metric.as_str())),
                Some(_) if set.task != Task::Classification => problem(format!(
                    "{} applies to classification; this dataset is a transcription task",
                    check.metric.as_str()
                )),
                Some(class) if !set.class_names().contains(class) => {
                    problem(format!("there is no class {class:?} in the labels"))
                }
                _ => {}
            },
            Metric::Wer if set.task != Task::Transcription => {
                problem("wer applies to transcription; this dataset is classification".into())
            }
            Metric::WatchList if check.words.is_empty() => {
                problem("watch_list needs `words` (a list of words or phrases)".into())
            }
            Metric::FleissKappa | Metric::AnnotatorAccuracy if set.annotators.is_none() => {
                problem(format!(
                    "{} needs annotators: columns named annotator_*, labeler_*, rater_* or human_label_*, or an annotations file (--annotations)",
                    check.metric.as_str()
                ))
            }
            _ => {}
        }
    }
    problems
}

fn judge(check: &Check, value: Option<f64>, overall: Option<f64>, n: u64) -> Verdict {
    if n < check.min_support.max(1) {
        return Verdict::TooFew;
    }
    let Some(v) = value else {
        return Verdict::TooFew;
    };
    let pass = match check.threshold {
        Threshold::Min(t) => v >= t,
        Threshold::Max(t) => v <= t,
        Threshold::MaxGap(t) => {
            let worse_by = overall.map_or(0.0, |o| check.metric.worse_by(v, o));
            // A tiny tolerance so that a gap equal to the limit passes despite rounding.
            worse_by <= t + 1e-12
        }
    };
    if pass { Verdict::Pass } else { Verdict::Fail }
}

/// Measures every check on its groups, `drift` checks on `drift` (the comparison with a
/// current set; without one they are not judged). Call [`validate`] first: checks that do
/// not fit the dataset measure nothing.
pub fn evaluate_with_drift(
    spec: &AuditSpec,
    set: &EvalSet,
    book: &TagBook,
    drift: Option<&super::drift::DatasetDrift>,
) -> Vec<Measured> {
    let mut out = evaluate(spec, set, book);
    for (i, check) in spec.checks.iter().enumerate() {
        let (Metric::Drift, Scope::Slice(column)) = (check.metric, &check.scope) else {
            continue;
        };
        let found = drift.and_then(|d| d.columns.iter().find(|c| &c.column == column));
        let measured = match (drift, found) {
            (None, _) => Measured {
                check: i,
                group: format!("{column} (no current set compared)"),
                value: None,
                overall: None,
                reference: None,
                n: 0,
                verdict: Verdict::TooFew,
            },
            (Some(_), None) => Measured {
                check: i,
                group: format!("{column} (not among the compared columns)"),
                value: None,
                overall: None,
                reference: None,
                n: 0,
                verdict: Verdict::TooFew,
            },
            (Some(_), Some(c)) => {
                let value = f64::from(u8::from(c.drift));
                let score = c.score.map_or("–".to_string(), |s| format!("{s:.4}"));
                Measured {
                    check: i,
                    group: format!("{column} ({} {score})", c.test.name()),
                    value: Some(value),
                    overall: None,
                    reference: None,
                    n: c.current_values,
                    verdict: judge(check, Some(value), None, c.current_values),
                }
            }
        };
        out.push(measured);
    }
    out.sort_by_key(|m| m.check);
    out
}

/// Measures every check on its groups. Call [`validate`] first: checks that do not fit the
/// dataset measure nothing.
pub fn evaluate(spec: &AuditSpec, set: &EvalSet, book: &TagBook) -> Vec<Measured> {
    let mut out = Vec::new();
    for (i, check) in spec.checks.iter().enumerate() {
        if check.metric == Metric::Drift {
            continue;
        }
        let probe = Probe {
            set,
            class: check.class.as_ref().and_then(|c| {
                set.class_names()
                    .iter()
                    .position(|n| n == c)
                    .map(|p| p as u32)
            }),
            phrases: check
                .words
                .iter()
                .map(|w| format!(" {} ", normalise(w)))
                .filter(|p| p.trim() != "")
                .collect(),
            annotators: matches!(
                check.metric,
                Metric::FleissKappa | Metric::AnnotatorAccuracy
            ),
            scratch: Default::default(),
        };
        let mut all = Acc::default();
        let mut groups: Vec<(String, Acc)> = Vec::new();
        match &check.scope {
            Scope::Overall => {
                for row in 0..set.len() {
                    probe.add(&mut all, row);
                }
                groups.push(("all".into(), all.clone()));
            }
            Scope::Slice(column) => {
                let Some(slice) = set.slice(column) else {
                    continue;
                };
                let mut per_value = vec![Acc::default(); slice.values.len()];
                for row in 0..set.len() {
                    probe.add(&mut all, row);
                    probe.add(&mut per_value[slice.codes.get(row) as usize], row);
                }
                for (value, acc) in slice.values.iter().zip(per_value) {
                    groups.push((format!("{column}={value}"), acc));
                }
            }
            Scope::Where(conditions) => {
                let Ok(rows) = where_rows(set, book, conditions) else {
                    continue;
                };
                for row in 0..set.len() {
                    probe.add(&mut all, row);
                }
                let mut acc = Acc::default();
                for row in rows {
                    probe.add(&mut acc, row as usize);
                }
                groups.push((describe_where(conditions), acc));
            }
            Scope::Tag(tag) => {
                let Some(id) = book.id(tag) else {
                    continue;
                };
                for row in 0..set.len() {
                    probe.add(&mut all, row);
                }
                let mut acc = Acc::default();
                for row in book.rows(id) {
                    probe.add(&mut acc, row as usize);
                }
                groups.push((format!("tag {tag}"), acc));
            }
        }
        let (overall, _) = all.value(check.metric);
        for (group, acc) in groups {
            let (value, n) = acc.value(check.metric);
            out.push(Measured {
                check: i,
                group,
                value,
                overall,
                reference: (check.metric == Metric::WatchList)
                    .then(|| ratio(acc.watched_reference, acc.n))
                    .flatten(),
                n,
                verdict: judge(check, value, overall, n),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SliceCodes;

    #[test]
    fn thresholds_print_short() {
        assert_eq!(Threshold::Min(0.95).to_string(), ">= 0.95");
        assert_eq!(Threshold::MaxGap(0.1).to_string(), "gap <= 0.1");
        assert_eq!(Threshold::Max(1e-300).to_string(), "<= 1e-300");
        assert_eq!(Threshold::Min(0.0).to_string(), ">= 0");
    }
    use crate::model::dataset::tests::{classification, parts_of};
    use crate::model::dataset::{EvalSetParts, SliceColumn, SliceKind};

    fn check(metric: Metric, scope: Scope, threshold: Threshold) -> Check {
        Check {
            risk: "r".into(),
            metric,
            class: None,
            words: Vec::new(),
            scope,
            threshold,
            min_support: 1,
        }
    }

    fn sample() -> (EvalSet, TagBook) {
        // Site a: rows 0, 3 (both right); site b: rows 1, 2, 4 (1 wrong).
        let base = classification(
            &["cat", "cat", "dog", "dog", "cat"],
            &["cat", "dog", "dog", "dog", "cat"],
        );
        let set = EvalSet::new(EvalSetParts {
            slices: vec![SliceColumn {
                name: "site".into(),
                kind: SliceKind::Categorical,
                values: vec!["a".into(), "b".into()],
                codes: SliceCodes::Narrow(vec![0, 1, 1, 0, 1]),
                numbers: None,
            }],
            ..parts_of(&base)
        });
        let mut book = TagBook::new(set.len());
        let blur = book.define("blur");
        book.assign(&set, blur, 1);
        (set, book)
    }

    #[test]
    fn gaps_minimums_support_and_recall() {
        let (set, book) = sample();
        let spec = AuditSpec {
            checks: vec![
                check(
                    Metric::Accuracy,
                    Scope::Slice("site".into()),
                    Threshold::MaxGap(0.1),
                ),
                Check {
                    class: Some("cat".into()),
                    ..check(Metric::Recall, Scope::Overall, Threshold::Min(0.7))
                },
                Check {
                    min_support: 5,
                    ..check(
                        Metric::Accuracy,
                        Scope::Tag("blur".into()),
                        Threshold::Min(0.9),
                    )
                },
                Check {
                    class: Some("cat".into()),
                    ..check(
                        Metric::FnRate,
                        Scope::Slice("site".into()),
                        Threshold::Max(0.4),
                    )
                },
            ],
            signoff: SignOff::default(),
        };
        assert!(validate(&spec, &set, &book).is_empty());
        let m = evaluate(&spec, &set, &book);
        let row = |group: &str, check: usize| {
            m.iter()
                .find(|x| x.group == group && x.check == check)
                .unwrap()
                .clone()
        };
        // Overall 0.8; site a 1.0 (better), site b 2/3 (worse by 0.133 > 0.1).
        assert_eq!(row("site=a", 0).verdict, Verdict::Pass);
        let b = row("site=b", 0);
        assert_eq!((b.n, b.verdict), (3, Verdict::Fail));
        assert!((b.value.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(b.overall, Some(0.8));
        // Recall of cat: rows 0, 1, 4 are cats, 1 missed: 2/3 < 0.7.
        let r = row("all", 1);
        assert_eq!((r.n, r.verdict), (3, Verdict::Fail));
        // One blurred row, minimum support 5: not judged.
        assert_eq!(row("tag blur", 2).verdict, Verdict::TooFew);
        // FN rate of cat in site b: rows 1 and 4, one missed: 0.5 > 0.4.
        assert_eq!(row("site=b", 3).verdict, Verdict::Fail);
        assert_eq!(row("site=a", 3).value, Some(0.0));
    }

    #[test]
    fn a_found_slice_is_a_group_of_its_own() {
        let (set, book) = sample();
        let found = |conditions: &[(&str, &str)]| {
            check(
                Metric::Accuracy,
                Scope::Where(
                    conditions
                        .iter()
                        .map(|(f, v)| (f.to_string(), v.to_string()))
                        .collect(),
                ),
                Threshold::MaxGap(0.1),
            )
        };
        let spec = AuditSpec {
            checks: vec![found(&[("site", "b"), ("true class", "cat")])],
            signoff: SignOff::default(),
        };
        assert!(validate(&spec, &set, &book).is_empty());
        // Site b's cats: rows 1 (wrong) and 4 (right).
        let m = evaluate(&spec, &set, &book);
        assert_eq!(m[0].group, "site = b and true class = cat");
        assert_eq!((m[0].n, m[0].value), (2, Some(0.5)));
        assert_eq!(m[0].verdict, Verdict::Fail);
        let bad = AuditSpec {
            checks: vec![found(&[("site", "c")]), found(&[("tag: fog", "yes")])],
            signoff: SignOff::default(),
        };
        let problems = validate(&bad, &set, &book);
        assert!(
            problems[0].message.contains("no value \"c\""),
            "{problems:?}"
        );
        assert!(problems[1].message.contains("tag: blur"), "{problems:?}");
    }

    #[test]
    fn mismatches_name_the_problem() {
        let (set, book) = sample();
        let spec = AuditSpec {
            checks: vec![
                check(
                    Metric::Accuracy,
                    Scope::Slice("gender".into()),
                    Threshold::Min(0.5),
                ),
                check(Metric::Recall, Scope::Overall, Threshold::Min(0.5)),
                check(Metric::Wer, Scope::Overall, Threshold::Max(0.5)),
                check(
                    Metric::WatchList,
                    Scope::Tag("glare".into()),
                    Threshold::Max(0.0),
                ),
            ],
            signoff: SignOff::default(),
        };
        let problems = validate(&spec, &set, &book);
        let text: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        assert!(
            text[0].contains("\"gender\"") && text[0].contains("site"),
            "{text:?}"
        );
        assert!(text[1].contains("needs `class`"));
        assert!(text[2].contains("transcription"));
        assert!(text.iter().any(|t| t.contains("\"glare\"")));
        assert!(text.iter().any(|t| t.contains("needs `words`")));
    }

    #[test]
    fn the_watch_list_matches_whole_words_in_predictions_and_references() {
        let base = classification(
            &["a damn fine day", "hello", "scunthorpe united"],
            &["damn", "hello there", "scunthorpe"],
        );
        let book = TagBook::new(base.len());
        let spec = AuditSpec {
            checks: vec![Check {
                words: vec!["Damn".into(), "thorp".into()],
                ..check(Metric::WatchList, Scope::Overall, Threshold::Max(0.0))
            }],
            signoff: SignOff::default(),
        };
        let m = evaluate(&spec, &base, &book);
        assert_eq!(m[0].value, Some(1.0 / 3.0), "only the whole word matches");
        assert_eq!(m[0].reference, Some(1.0 / 3.0));
        assert_eq!(m[0].verdict, Verdict::Fail);
    }
}
