//! The CSV report: one file per table in a folder, ready for a spreadsheet.

use std::path::Path;

use super::{Report, write_atomically};
use crate::model::stats::Interval;

/// A cell holding dataset text: quoted when needed, and neutralised when a spreadsheet
/// would read it as a formula (a leading `=`, `+`, `-`, `@`, tab or carriage return).
pub fn text_cell(text: &str) -> String {
    let neutral = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, |v| v.to_string())
}

fn bounds(ci: Option<Interval>) -> [String; 2] {
    [number(ci.map(|c| c.0)), number(ci.map(|c| c.1))]
}

fn render(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut out = header.join(",");
    out.push('\n');
    for row in rows {
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// The tables of the report, as (file name, content).
pub fn tables(report: &Report) -> Vec<(&'static str, String)> {
    let a = &report.analysis;
    let o = &a.overall;
    let [lo, hi] = bounds(o.ci95);
    let mut files = vec![(
        "overall.csv",
        render(
            &[
                "generated",
                "task",
                "rows",
                "excluded_rows",
                "n",
                "correct",
                "errors",
                "accuracy",
                "ci95_low",
                "ci95_high",
                "wer",
                "cer",
            ],
            [vec![
                text_cell(&report.generated),
                report.task.as_str().to_string(),
                report.dataset.rows.to_string(),
                report.dataset.excluded_rows.to_string(),
                o.n.to_string(),
                o.correct.to_string(),
                o.errors.to_string(),
                number(o.accuracy),
                lo,
                hi,
                number(o.wer),
                number(o.cer),
            ]],
        ),
    )];
    if let (Some(averages), Some(confusion)) = (&a.averages, &a.confusion) {
        let classes = a.classes.iter().map(|c| {
            vec![
                text_cell(&c.label),
                c.precision.to_string(),
                c.recall.to_string(),
                c.f1.to_string(),
                c.support.to_string(),
            ]
        });
        files.push((
            "classes.csv",
            render(&["label", "precision", "recall", "f1", "support"], classes),
        ));
        let averages = [
            ("macro", averages.macro_avg),
            ("micro", averages.micro),
            ("weighted", averages.weighted),
        ]
        .into_iter()
        .map(|(name, p)| {
            vec![
                name.to_string(),
                p.precision.to_string(),
                p.recall.to_string(),
                p.f1.to_string(),
            ]
        });
        files.push((
            "averages.csv",
            render(&["average", "precision", "recall", "f1"], averages),
        ));
        let labels = confusion.shown_labels();
        let mut header = vec!["truth".to_string()];
        header.extend(labels.iter().map(|l| text_cell(l)));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let rows = labels.iter().zip(confusion.matrix()).map(|(l, counts)| {
            std::iter::once(text_cell(l))
                .chain(counts.iter().map(u64::to_string))
                .collect()
        });
        files.push(("confusion.csv", render(&header, rows)));
        if confusion.omitted() > 0 {
            // Every non-zero cell, the classes left out of the matrix included.
            let cells = confusion.cells().iter().map(|&(t, p, n)| {
                vec![
                    text_cell(&confusion.labels[t as usize]),
                    text_cell(&confusion.labels[p as usize]),
                    n.to_string(),
                ]
            });
            files.push((
                "confusion_cells.csv",
                render(&["truth", "prediction", "rows"], cells),
            ));
        }
    }
    let slices = a.slices.iter().map(|s| {
        let [lo, hi] = bounds(s.ci95);
        vec![
            text_cell(&s.column),
            text_cell(&s.value),
            s.n.to_string(),
            s.correct.to_string(),
            number(s.accuracy),
            lo,
            hi,
            number(s.gap_to_overall),
            number(s.hlp),
            s.hlp_source
                .map_or(String::new(), |h| h.as_str().to_string()),
            number(s.wer),
            report.below_overall(s).to_string(),
        ]
    });
    files.push((
        "slices.csv",
        render(
            &[
                "column",
                "value",
                "n",
                "correct",
                "accuracy",
                "ci95_low",
                "ci95_high",
                "gap_to_overall",
                "hlp",
                "hlp_source",
                "wer",
                "below_overall",
            ],
            slices,
        ),
    ));
    let tags = a.tags.iter().map(|t| {
        let [lo, hi] = bounds(t.ci95);
        vec![
            text_cell(&t.tag),
            t.n.to_string(),
            t.errors.to_string(),
            number(t.share_of_data),
            number(t.share_of_errors),
            number(t.accuracy),
            lo,
            hi,
            number(t.hlp),
            t.hlp_source
                .map_or(String::new(), |h| h.as_str().to_string()),
            number(t.gap),
            number(t.potential_gain),
        ]
    });
    files.push((
        "tags.csv",
        render(
            &[
                "tag",
                "n",
                "errors",
                "share_of_data",
                "share_of_errors",
                "accuracy",
                "ci95_low",
                "ci95_high",
                "hlp",
                "hlp_source",
                "gap",
                "potential_gain",
            ],
            tags,
        ),
    ));
    let priorities = a.priorities.iter().enumerate().map(|(i, p)| {
        vec![
            (i + 1).to_string(),
            format!("{:?}", p.kind).to_lowercase(),
            text_cell(&p.name()),
            number(p.gap),
            number(p.share_of_data),
            number(p.potential_gain),
            p.ease.map_or(String::new(), |e| e.to_string()),
            p.importance.map_or(String::new(), |e| e.to_string()),
        ]
    });
    files.push((
        "priorities.csv",
        render(
            &[
                "rank",
                "kind",
                "name",
                "gap",
                "share_of_data",
                "potential_gain",
                "ease",
                "importance",
            ],
            priorities,
        ),
    ));
    if !a.automation.is_empty() {
        let rows = a.automation.iter().map(|p| {
            vec![
                p.threshold.to_string(),
                p.coverage.to_string(),
                p.covered.to_string(),
                number(p.accuracy),
            ]
        });
        files.push((
            "automation.csv",
            render(&["threshold", "coverage", "covered", "accuracy"], rows),
        ));
    }
    let definitions = report.tag_definitions.iter().map(|t| {
        vec![
            text_cell(&t.name),
            text_cell(&t.description),
            text_cell(&t.color),
            t.rows.to_string(),
            text_cell(&t.examples.join(" ")),
        ]
    });
    files.push((
        "tag_definitions.csv",
        render(
            &["tag", "definition", "color", "rows", "example_ids"],
            definitions,
        ),
    ));
    if let Some(audit) = &report.audit {
        let rows = audit.results.iter().map(|m| {
            let check = &audit.checks[m.check];
            vec![
                text_cell(&check.risk),
                check.metric.as_str().to_string(),
                text_cell(check.class.as_deref().unwrap_or("")),
                text_cell(&m.group),
                number(m.value),
                number(m.overall),
                number(m.reference),
                text_cell(&check.threshold.to_string()),
                m.n.to_string(),
                format!("{:?}", m.verdict).to_lowercase(),
            ]
        });
        files.push((
            "audit.csv",
            render(
                &[
                    "risk",
                    "metric",
                    "class",
                    "group",
                    "value",
                    "overall",
                    "reference",
                    "threshold",
                    "n",
                    "result",
                ],
                rows,
            ),
        ));
        let s = &audit.signoff;
        files.push((
            "signoff.csv",
            render(
                &["owner", "decision", "date"],
                [vec![
                    text_cell(&s.owner),
                    text_cell(&s.decision),
                    text_cell(&s.date),
                ]],
            ),
        ));
    }
    let drift = report.drift.as_ref().map(super::drift::tables);
    let found = report
        .found_slices
        .as_ref()
        .map(super::found_slices::tables);
    files.extend(plain_files(
        super::labels::tables(report)
            .into_iter()
            .chain(drift.into_iter().flatten())
            .chain(found.into_iter().flatten()),
    ));
    files
}

/// Tables written once for every format, a file each.
pub fn plain_files(
    tables: impl IntoIterator<Item = super::labels::PlainTable>,
) -> Vec<(&'static str, String)> {
    tables
        .into_iter()
        .map(|t| {
            let rows = t
                .rows
                .into_iter()
                .map(|r| r.iter().map(|c| text_cell(c)).collect());
            (t.file, render(&t.header, rows))
        })
        .collect()
}

/// Writes named files into `folder` (created if needed).
pub fn write_files(
    folder: &Path,
    files: Vec<(&'static str, String)>,
) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(folder)?;
    let mut written = Vec::new();
    for (name, content) in files {
        let path = folder.join(name);
        write_atomically(&path, content.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

/// Writes every table into `folder` (created if needed).
pub fn write(report: &Report, folder: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    write_files(folder, tables(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_quotes_escaped() {
        assert_eq!(text_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text_cell("-1"), "'-1");
        assert_eq!(text_cell("a,b"), "\"a,b\"");
        assert_eq!(text_cell("plain"), "plain");
    }
}
