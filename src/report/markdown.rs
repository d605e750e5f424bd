//! The Markdown report: GitHub tables, one section per part of the analysis.

use std::fmt::Write;

use super::Report;
use super::format::{self, hlp_source as source, interval, percent, points};
use crate::model::Task;
use crate::model::audit::Verdict;

/// Makes dataset text safe inside a Markdown table cell: no column breaks, no line breaks,
/// no live HTML, links or images, and hidden characters shown (`format::visible`).
pub fn cell(text: &str) -> String {
    let text = format::visible(text);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push_str("\\`"),
            // A link or image needs `](` or `][`: escaping that `]` keeps `[text](url)` and
            // `![alt](url)` as text, and leaves intervals such as `[0.8, 2.4)` as they are.
            ']' if matches!(chars.peek(), Some('(' | '[')) => out.push_str("\\]"),
            c => out.push(c),
        }
    }
    out
}

fn table(out: &mut String, header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    out.push('\n');
}

/// Tables written once for every format (labels, drift): a section each.
pub fn plain_tables(out: &mut String, tables: Vec<super::labels::PlainTable>) {
    for t in tables {
        let _ = write!(out, "## {}\n\n{}\n\n", t.title, cell(&t.intro));
        let listed = t.rows.len() - t.more;
        let rows = t
            .rows
            .into_iter()
            .take(listed)
            .map(|r| r.iter().map(|c| cell(c)).collect());
        table(out, &t.header, rows);
        if t.more > 0 {
            let _ = writeln!(
                out,
                "… and {} more (all in the JSON and CSV reports).\n",
                t.more
            );
        }
    }
}

pub fn render(report: &Report) -> String {
    let a = &report.analysis;
    let d = &report.dataset;
    let mut out = String::new();
    let _ = writeln!(out, "# Error analysis: {}\n", cell(&d.path));
    let _ = writeln!(
        out,
        "errata {} · {} · {} rows ({} excluded) · table `{}`{} · xxh3 `{}`\n",
        report.errata_version,
        report.task.as_str(),
        d.rows,
        d.excluded_rows,
        d.table.replace('`', "'"),
        d.separator
            .as_ref()
            .map(|s| format!(", {}", s.describe()))
            .unwrap_or_default(),
        d.fingerprint.xxh3
    );
    let _ = writeln!(
        out,
        "{} reviewed rows · generated {}\n",
        a.reviewed_rows, report.generated
    );
    if !d.warnings.is_empty() {
        out.push_str("## Warnings\n\n");
        for w in &d.warnings {
            let _ = writeln!(out, "- {}", cell(w));
        }
        out.push('\n');
    }

    out.push_str("## Overall\n\n");
    let o = &a.overall;
    let mut header = vec!["n", "correct", "errors", "accuracy", "95% interval"];
    let mut row = vec![
        o.n.to_string(),
        o.correct.to_string(),
        o.errors.to_string(),
        percent(o.accuracy, 1),
        interval(o.ci95),
    ];
    if report.task == Task::Transcription {
        header.extend(["WER", "CER"]);
        row.extend([percent(o.wer, 2), percent(o.cer, 2)]);
    }
    table(&mut out, &header, [row]);

    if let (Some(averages), Some(confusion)) = (&a.averages, &a.confusion) {
        out.push_str("## Per class\n\n");
        let shown = confusion.shown();
        let classes = shown.iter().map(|&c| &a.classes[c]).map(|c| {
            vec![
                cell(&c.label),
                percent(Some(c.precision), 1),
                percent(Some(c.recall), 1),
                percent(Some(c.f1), 1),
                c.support.to_string(),
            ]
        });
        let avg = [
            ("macro avg", averages.macro_avg),
            ("micro avg", averages.micro),
            ("weighted avg", averages.weighted),
        ]
        .into_iter()
        .map(|(name, p)| {
            vec![
                format!("**{name}**"),
                percent(Some(p.precision), 1),
                percent(Some(p.recall), 1),
                percent(Some(p.f1), 1),
                o.n.to_string(),
            ]
        });
        table(
            &mut out,
            &["class", "precision", "recall", "F1", "support"],
            classes.chain(avg),
        );
        if confusion.omitted() > 0 {
            let _ = writeln!(out, "{}\n", format::more_classes(confusion.omitted()));
        }

        out.push_str(
            "## Confusion matrix\n\nRows are the ground truth, columns the prediction.\n\n",
        );
        let mut header: Vec<String> = vec!["truth \\ predicted".into()];
        let labels = confusion.shown_labels();
        header.extend(labels.iter().map(|l| cell(l)));
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        let rows = labels
            .iter()
            .zip(confusion.matrix())
            .map(|(label, counts)| {
                std::iter::once(cell(label))
                    .chain(counts.iter().map(u64::to_string))
                    .collect()
            });
        table(&mut out, &header, rows);
    }

    if !a.slices.is_empty() {
        out.push_str("## Slices\n\n");
        let _ = writeln!(
            out,
            "Flagged \"below overall\": {}. Gaps are in percentage points (pts).\n",
            report.flag_rule.describe()
        );
        let transcription = report.task == Task::Transcription;
        let mut header = vec![
            "column",
            "value",
            "n",
            "accuracy",
            "95% interval",
            "gap to overall",
            "HLP",
        ];
        if transcription {
            header.push("WER");
        }
        header.push("flag");
        let rows = a.slices.iter().map(|s| {
            let mut r = vec![
                cell(&s.column),
                cell(&s.value),
                s.n.to_string(),
                percent(s.accuracy, 1),
                interval(s.ci95),
                s.gap_to_overall
                    .map_or("—".into(), |g| format!("{} pts", super::signed_points(g))),
                percent(s.hlp, 1),
            ];
            if transcription {
                r.push(percent(s.wer, 2));
            }
            r.push(if report.below_overall(s) {
                "below overall".into()
            } else {
                String::new()
            });
            r
        });
        table(&mut out, &header, rows);
    }

    out.push_str("## Tags\n\n");
    let _ = writeln!(
        out,
        "{} reviewed rows (rows with a tag or a reviewed mark).\n",
        a.reviewed_rows
    );
    if let Some(note) = a.tags_note {
        let _ = writeln!(out, "> {note}\n");
    }
    if a.tags.is_empty() {
        out.push_str("No tags yet.\n\n");
    } else {
        let rows = a.tags.iter().map(|t| {
            vec![
                cell(&t.tag),
                t.n.to_string(),
                t.errors.to_string(),
                percent(t.share_of_data, 1),
                percent(t.share_of_errors, 1),
                percent(t.accuracy, 1),
                interval(t.ci95),
                percent(t.hlp, 1),
                source(t.hlp_source).into(),
                points(t.gap, 2),
                points(t.potential_gain, 2),
            ]
        });
        let header = [
            "tag",
            "n",
            "errors",
            "% of data",
            "% of errors",
            "accuracy",
            "95% interval",
            "HLP",
            "HLP from",
            "gap",
            "potential gain",
        ];
        table(&mut out, &header, rows);
        out.push_str("### Definitions and examples\n\n");
        let rows = report.tag_definitions.iter().map(|t| {
            vec![
                cell(&t.name),
                if t.description.is_empty() {
                    "—".into()
                } else {
                    cell(&t.description)
                },
                t.rows.to_string(),
                cell(&t.examples.join(", ")),
            ]
        });
        table(
            &mut out,
            &["tag", "definition", "rows", "example ids"],
            rows,
        );
    }

    out.push_str("## Prioritisation\n\nPotential gain = gap to human-level performance × share of data: how much overall accuracy would rise if the category reached HLP.\n\n");
    if a.priorities.is_empty() {
        out.push_str("Nothing to rank: no tags and no slices.\n\n");
    } else {
        let rows = a.priorities.iter().enumerate().map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                format!("{:?}", p.kind).to_lowercase(),
                cell(&p.name()),
                points(p.gap, 2),
                percent(p.share_of_data, 1),
                points(p.potential_gain, 2),
                p.ease.map_or("—".into(), |e| e.to_string()),
                p.importance.map_or("—".into(), |e| e.to_string()),
            ]
        });
        table(
            &mut out,
            &[
                "rank",
                "kind",
                "name",
                "gap",
                "% of data",
                "potential gain",
                "ease",
                "importance",
            ],
            rows,
        );
    }

    if !a.automation.is_empty() {
        out.push_str(
            "## Partial automation\n\nAutomating only predictions with confidence ≥ threshold.\n\n",
        );
        let rows = a.automation.iter().map(|p| {
            vec![
                format!("{:.2}", p.threshold),
                percent(Some(p.coverage), 1),
                p.covered.to_string(),
                percent(p.accuracy, 1),
            ]
        });
        table(
            &mut out,
            &["threshold", "coverage", "rows", "accuracy"],
            rows,
        );
    }
    plain_tables(&mut out, super::labels::tables(report));
    if let Some(drift) = &report.drift {
        plain_tables(&mut out, super::drift::tables(drift));
    }
    if let Some(found) = &report.found_slices {
        plain_tables(&mut out, super::found_slices::tables(found));
    }
    if let Some(audit) = &report.audit {
        out.push_str("## Audit checklist\n\n");
        let outcome = format::audit_outcome(audit);
        let _ = writeln!(
            out,
            "{} checks; {}.\n",
            audit.checks.len(),
            if audit.failed() == 0 {
                outcome
            } else {
                format!("**{outcome}**")
            }
        );
        let rows = format::audit_lines(audit).into_iter().map(|line| {
            let mut cells: Vec<String> = line.cells.iter().map(|c| cell(c)).collect();
            if line.verdict == Verdict::Fail {
                cells[6] = format!("**{}**", cells[6]);
            }
            cells
        });
        table(&mut out, &format::AUDIT_COLUMNS, rows);
        let s = &audit.signoff;
        out.push_str("### Sign-off\n\n");
        table(
            &mut out,
            &["owner", "decision", "date"],
            [vec![cell(&s.owner), cell(&s.decision), cell(&s.date)]],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_tables_or_inject_html() {
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(cell("<script>x</script>"), "&lt;script&gt;x&lt;/script&gt;");
        assert_eq!(percent(Some(0.006), 2), "0.60 %");
        assert_eq!(percent(None, 1), "—");
    }
}
