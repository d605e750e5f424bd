//! The label-consistency part of a report (agreement between annotators, suspected label
//! errors, corrected labels) as plain tables, written once here and rendered by the
//! Markdown, HTML and CSV writers alike. Cells are plain text; each writer escapes them.

use super::Report;
use super::format::{fixed, percent};
use crate::model::label_issues::IssueMethod;
use crate::model::labels::{AgreementFigures, GroupAgreement};

/// How many suspected label errors the Markdown and HTML reports list (CSV and JSON hold
/// them all).
pub const ISSUES_LISTED: usize = 50;

pub struct PlainTable {
    /// The CSV file the table is written to.
    pub file: &'static str,
    pub title: &'static str,
    pub intro: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
    /// Rows left out of the Markdown and HTML listing.
    pub more: usize,
}

fn kappa(value: Option<f64>) -> String {
    fixed(value, 3)
}

fn flag(flagged: bool) -> String {
    if flagged { "low agreement" } else { "" }.to_string()
}

fn groups<'a>(
    list: impl Iterator<Item = &'a GroupAgreement>,
    with_column: bool,
) -> Vec<Vec<String>> {
    list.map(|g| {
        let mut row = Vec::new();
        if with_column {
            row.push(g.column.clone().unwrap_or_default());
        }
        row.extend([
            g.value.clone(),
            g.n.to_string(),
            percent(g.percent_agreement, 1),
            kappa(g.fleiss_kappa),
            percent(g.annotator_accuracy, 1),
            flag(g.flagged),
        ]);
        row
    })
    .collect()
}

fn agreement_tables(a: &AgreementFigures) -> Vec<PlainTable> {
    let summary = vec![
        vec!["annotators".into(), a.annotators.join(", ")],
        vec!["rows with two annotations or more".into(), a.n.to_string()],
        vec!["percent agreement".into(), percent(a.percent_agreement, 1)],
        vec![
            "Fleiss' kappa".into(),
            format!(
                "{} ({} rows without every annotation left out)",
                kappa(a.fleiss_kappa),
                a.fleiss_excluded
            ),
        ],
        vec![
            "Krippendorff's alpha (nominal)".into(),
            kappa(a.krippendorff_alpha),
        ],
        vec![
            "annotators' accuracy against the ground truth (HLP)".into(),
            percent(a.annotator_accuracy, 1),
        ],
    ];
    let pairs = a
        .pairs
        .iter()
        .map(|p| {
            vec![
                p.a.clone(),
                p.b.clone(),
                p.n.to_string(),
                percent(p.percent_agreement, 1),
                kappa(p.cohen_kappa),
            ]
        })
        .collect();
    let annotators = a
        .per_annotator
        .iter()
        .map(|s| {
            let mixups: Vec<String> = s
                .mixups
                .iter()
                .take(3)
                .map(|m| format!("{} → {} ({})", m.truth, m.given, m.count))
                .collect();
            vec![
                s.annotator.clone(),
                s.n.to_string(),
                percent(s.accuracy, 1),
                percent(s.agreement_with_majority, 1),
                mixups.join("; "),
            ]
        })
        .collect();
    let group_header = vec![
        "n",
        "percent agreement",
        "Fleiss' kappa",
        "annotators' accuracy",
        "flag",
    ];
    let with = |first: Vec<&'static str>| -> Vec<&'static str> {
        first.into_iter().chain(group_header.clone()).collect()
    };
    let flagging = "Flagged: at least 10 rows and percent agreement more than 10 points, or Fleiss' kappa more than 0.2, below the overall.";
    let mut tables = vec![
        PlainTable {
            file: "agreement.csv",
            title: "Label agreement",
            intro: "How consistently the annotators label the same rows. Percent agreement is the share of agreeing pairs of annotations per row, averaged; kappa and alpha discount the agreement expected by chance (1 = perfect, 0 = chance).".into(),
            header: vec!["figure", "value"],
            rows: summary,
            more: 0,
        },
        PlainTable {
            file: "agreement_pairs.csv",
            title: "Annotator pairs",
            intro: "Each pair on the rows both labelled; Cohen's kappa, unweighted.".into(),
            header: vec!["annotator", "annotator", "n", "percent agreement", "Cohen's kappa"],
            rows: pairs,
            more: 0,
        },
        PlainTable {
            file: "annotators.csv",
            title: "Annotators",
            intro: "Each annotator against the ground truth and against the majority of the other annotators; the mix-ups are ground truth → given label.".into(),
            header: vec![
                "annotator",
                "rows labelled",
                "accuracy",
                "agreement with majority",
                "most frequent mix-ups",
            ],
            rows: annotators,
            more: 0,
        },
    ];
    if !a.per_class.is_empty() {
        tables.push(PlainTable {
            file: "agreement_classes.csv",
            title: "Agreement per class",
            intro: "Agreement on the rows whose ground truth is each class: a low value points to an unclear class definition. Flagged: at least 10 rows and percent agreement more than 10 points below the overall (kappa within one class is near 0 by construction).".into(),
            header: with(vec!["class"]),
            rows: groups(a.per_class.iter(), false),
            more: 0,
        });
    }
    if !a.by_slice.is_empty() {
        tables.push(PlainTable {
            file: "agreement_slices.csv",
            title: "Agreement per slice value",
            intro: flagging.to_string(),
            header: with(vec!["column", "value"]),
            rows: groups(a.by_slice.iter(), true),
            more: 0,
        });
    }
    if !a.by_tag.is_empty() {
        tables.push(PlainTable {
            file: "agreement_tags.csv",
            title: "Agreement per tag",
            intro: flagging.to_string(),
            header: with(vec!["tag"]),
            rows: groups(a.by_tag.iter(), false),
            more: 0,
        });
    }
    tables
}

/// The label-consistency tables of a report; empty when it has nothing to say about labels.
pub fn tables(report: &Report) -> Vec<PlainTable> {
    let a = &report.analysis;
    let mut tables = a
        .agreement
        .as_ref()
        .map(agreement_tables)
        .unwrap_or_default();
    if let Some(issues) = &a.label_issues {
        let intro = match a.label_issues_method {
            Some(IssueMethod::ConfidentLearning) => "Confident learning on the model's class probabilities, as cleanlab's find_label_issues (prune by noise rate); most suspect first (lowest probability of the given label).".to_string(),
            _ => format!(
                "Rows the model predicts with confidence ≥ {:.2} against the ground truth while the annotators' majority also disagrees with it; most confident first.",
                crate::model::label_issues::CONFIDENT
            ),
        };
        let rows = issues
            .iter()
            .map(|i| {
                vec![
                    i.id.clone(),
                    i.given.clone(),
                    i.suggested.clone(),
                    fixed(i.self_confidence, 4),
                ]
            })
            .collect();
        tables.push(PlainTable {
            file: "label_issues.csv",
            title: "Suspected label errors",
            intro: format!("{} rows. {intro}", issues.len()),
            header: vec!["id", "given", "suggested", "self-confidence"],
            rows,
            more: issues.len().saturating_sub(ISSUES_LISTED),
        });
    }
    if let Some(c) = &a.corrected_labels {
        tables.push(PlainTable {
            file: "corrected_labels.csv",
            title: "Corrected labels",
            intro: "Labels corrected in the project (the dataset file is unchanged) and what they do to the measured accuracy.".into(),
            header: vec!["corrected", "confirmed", "accuracy before", "accuracy after"],
            rows: vec![vec![
                c.count.to_string(),
                c.confirmed.to_string(),
                percent(c.accuracy_before, 1),
                percent(c.accuracy_after, 1),
            ]],
            more: 0,
        });
    }
    tables
}
