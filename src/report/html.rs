//! The HTML report: one self-contained file (inline CSS, inline SVG charts, no scripts, no
//! network requests) that prints cleanly. Every string that comes from the dataset or the
//! project goes through [`escape`].

use std::fmt::Write;

use super::format::{self, hlp_source as source, interval, percent, points};
use super::{AuditResults, Report};
use crate::model::Task;
use crate::model::audit::Verdict;
use crate::model::stats::Interval;

/// Makes text inert in HTML element content and attribute values, with hidden characters
/// shown (`format::visible`).
pub fn escape(text: &str) -> String {
    let text = format::visible(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body{font:14px/1.45 -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1d232a;margin:2em auto;max-width:1100px;padding:0 1.5em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:2px solid #d8dee4;padding-bottom:.2em}
h3{font-size:1.05em;margin:1.2em 0 .4em}
.meta{color:#57606a}.meta span{margin-right:1.2em;white-space:nowrap}
table{border-collapse:collapse;margin:.5em 0 1em;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:right;vertical-align:top}
th{background:#f3f5f7}td.t,th.t{text-align:left}
tr:nth-child(even) td{background:#fafbfc}
.warn{background:#fff8e1;border-left:4px solid #e0a800;padding:.4em .8em;margin:.6em 0}
.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:700}.skip{color:#6e7781}
.flag{color:#cf222e}
svg{max-width:100%;height:auto;display:block;margin:.4em 0 1em}
svg text{font-family:inherit;font-size:12px;fill:#1d232a}
.signoff td{text-align:left;min-width:14em}
@media print{body{margin:0;max-width:none;font-size:11px}h2{break-after:avoid}table,svg{break-inside:avoid}}
";

/// A table; cells are already escaped. Columns listed in `text` are left-aligned.
fn table(
    out: &mut String,
    header: &[&str],
    text: &[usize],
    rows: impl IntoIterator<Item = Vec<String>>,
) {
    let class = |i: usize| {
        if text.contains(&i) {
            " class=\"t\""
        } else {
            ""
        }
    };
    out.push_str("<table><thead><tr>");
    for (i, h) in header.iter().enumerate() {
        let _ = write!(out, "<th{}>{}</th>", class(i), escape(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let _ = write!(out, "<td{}>{cell}</td>", class(i));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

/// Horizontal bars (value as a fraction), labelled, largest scale = the largest value.
fn bar_chart(out: &mut String, title: &str, bars: &[(String, f64)]) {
    if bars.is_empty() {
        return;
    }
    let (label_w, bar_w, row_h) = (260.0, 520.0, 22.0);
    let max = bars.iter().map(|b| b.1).fold(0.0f64, f64::max).max(1e-12);
    let height = row_h * bars.len() as f64 + 30.0;
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {w} {height}\" width=\"{w}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        w = label_w + bar_w + 80.0,
        t = escape(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let w = (value / max * bar_w).max(0.5);
        let _ = write!(
            out,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{l}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{h}\" fill=\"#4a90c8\"/><text x=\"{vx:.1}\" y=\"{ty}\">{v:.2} %</text>",
            lx = label_w - 8.0,
            ty = y + 13.0,
            l = escape(&shorten(label, 40)),
            h = row_h - 6.0,
            vx = label_w + w + 6.0,
            v = value * 100.0,
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{label_w}\" y=\"{}\">potential gain, percentage points of overall accuracy</text></svg>",
        height - 6.0
    );
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() > max {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Accuracy per value with its 95 % interval as a dot and whisker, and the overall line.
fn interval_chart(
    out: &mut String,
    title: &str,
    points: &[(String, Option<f64>, Option<Interval>)],
    overall: Option<f64>,
) {
    let (label_w, plot_w, row_h) = (220.0, 480.0, 22.0);
    let height = row_h * points.len() as f64 + 48.0;
    let x = |v: f64| label_w + v.clamp(0.0, 1.0) * plot_w;
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {w} {height}\" width=\"{w}\" role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        w = label_w + plot_w + 40.0,
        t = escape(title)
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            out,
            "<line x1=\"{0}\" x2=\"{0}\" y1=\"0\" y2=\"{1}\" stroke=\"#e1e4e8\"/><text x=\"{0}\" y=\"{2}\" text-anchor=\"middle\">{3:.0} %</text>",
            x(tick),
            height - 40.0,
            height - 26.0,
            tick * 100.0
        );
    }
    if let Some(o) = overall {
        let _ = write!(
            out,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"0\" y2=\"{1}\" stroke=\"#8c959f\" stroke-dasharray=\"4 3\"/>",
            x(o),
            height - 40.0
        );
    }
    for (i, (label, value, ci)) in points.iter().enumerate() {
        let y = i as f64 * row_h + 12.0;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 8.0,
            y + 4.0,
            escape(&shorten(label, 34))
        );
        if let Some(Interval(lo, hi)) = ci {
            let _ = write!(
                out,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#4a90c8\" stroke-width=\"2\"/>",
                x(*lo),
                x(*hi)
            );
        }
        if let Some(v) = value {
            let _ = write!(
                out,
                "<circle cx=\"{:.1}\" cy=\"{y}\" r=\"4\" fill=\"#1f5f99\"/>",
                x(*v)
            );
        }
    }
    let _ = writeln!(
        out,
        "<text x=\"{label_w}\" y=\"{}\">accuracy with 95 % interval; dashed: overall</text></svg>",
        height - 6.0
    );
}

/// The confusion matrix as a heatmap with counts.
fn heatmap(out: &mut String, labels: &[String], matrix: &[Vec<u64>]) {
    let k = labels.len();
    let (label_w, top, cell) = (130.0, 80.0, if k > 12 { 28.0 } else { 46.0 });
    let (width, height) = (
        label_w + cell * k as f64 + 60.0,
        top + cell * k as f64 + 10.0,
    );
    let max = matrix.iter().flatten().copied().max().unwrap_or(1).max(1) as f64;
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" role=\"img\" aria-label=\"confusion matrix\"><title>confusion matrix: rows truth, columns prediction</title>"
    );
    for (j, label) in labels.iter().enumerate() {
        let cx = label_w + cell * (j as f64 + 0.5);
        let _ = write!(
            out,
            "<text transform=\"translate({cx:.1},{}) rotate(-45)\" text-anchor=\"start\">{}</text>",
            top - 6.0,
            escape(&shorten(label, 14))
        );
    }
    for (i, row) in matrix.iter().enumerate() {
        let y = top + cell * i as f64;
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + cell / 2.0 + 4.0,
            escape(&shorten(&labels[i], 16))
        );
        for (j, &count) in row.iter().enumerate() {
            let share = count as f64 / max;
            let x = label_w + cell * j as f64;
            // From near white to the accent blue.
            let channel = |from: f64, to: f64| (from + (to - from) * share).round() as u8;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{c}\" height=\"{c}\" fill=\"#{:02x}{:02x}{:02x}\" stroke=\"#fff\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"fill:{}\">{count}</text>",
                channel(246.0, 31.0),
                channel(248.0, 95.0),
                channel(250.0, 153.0),
                x + cell / 2.0,
                y + cell / 2.0 + 4.0,
                if share > 0.5 { "#fff" } else { "#1d232a" },
                c = cell,
            );
        }
    }
    out.push_str("</svg>\n");
}

fn audit_section(out: &mut String, audit: &AuditResults) {
    out.push_str("<h2>Audit checklist</h2>\n");
    let class = if audit.failed() == 0 { "pass" } else { "fail" };
    let _ = writeln!(
        out,
        "<p>{} checks; <span class=\"{class}\">{}</span>.</p>",
        audit.checks.len(),
        format::audit_outcome(audit)
    );
    let rows = format::audit_lines(audit).into_iter().map(|line| {
        let mut cells: Vec<String> = line.cells.iter().map(|c| escape(c)).collect();
        let class = match line.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::TooFew => "skip",
        };
        cells[6] = format!("<span class=\"{class}\">{}</span>", cells[6]);
        cells
    });
    table(out, &format::AUDIT_COLUMNS, &[0, 1, 2, 4, 6], rows);
    let s = &audit.signoff;
    out.push_str("<h3>Sign-off</h3>\n<table class=\"signoff\"><tbody>");
    for (name, value) in [
        ("Owner", &s.owner),
        ("Decision", &s.decision),
        ("Date", &s.date),
    ] {
        let _ = write!(
            out,
            "<tr><th class=\"t\">{name}</th><td>{}</td></tr>",
            escape(value)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// The whole report: a header, then one section per part of the analysis.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    header(&mut out, report);
    overall(&mut out, report);
    classes(&mut out, report);
    priorities(&mut out, report);
    slices(&mut out, report);
    tags(&mut out, report);
    automation(&mut out, report);
    labels(&mut out, report);
    if let Some(drift) = &report.drift {
        plain_tables(&mut out, super::drift::tables(drift), &DRIFT_TEXT);
    }
    if let Some(found) = &report.found_slices {
        plain_tables(&mut out, super::found_slices::tables(found), &["slice"]);
    }
    if let Some(audit) = &report.audit {
        audit_section(&mut out, audit);
    }
    out.push_str("</body></html>\n");
    out
}

/// Left-aligned columns of the drift tables.
pub const DRIFT_TEXT: [&str; 9] = [
    "column",
    "kind",
    "test",
    "metric",
    "window",
    "hint",
    "path",
    "new values",
    "",
];

/// Agreement between annotators, suspected label errors, corrected labels.
fn labels(out: &mut String, report: &Report) {
    const TEXT: [&str; 9] = [
        "figure",
        "value",
        "annotator",
        "class",
        "column",
        "tag",
        "id",
        "given",
        "suggested",
    ];
    plain_tables(out, super::labels::tables(report), &TEXT);
}

/// Tables written once for every format: a section each; columns named in `text` (or
/// starting with "most") are left-aligned.
pub fn plain_tables(out: &mut String, tables: Vec<super::labels::PlainTable>, text: &[&str]) {
    for t in tables {
        let _ = write!(
            out,
            "<h2>{}</h2>\n<p>{}</p>\n",
            escape(t.title),
            escape(&t.intro)
        );
        let left: Vec<usize> = t
            .header
            .iter()
            .enumerate()
            .filter(|(_, h)| text.contains(h) || h.starts_with("most"))
            .map(|(i, _)| i)
            .collect();
        let listed = t.rows.len() - t.more;
        let rows = t
            .rows
            .into_iter()
            .take(listed)
            .map(|r| r.iter().map(|c| escape(c)).collect());
        table(out, &t.header, &left, rows);
        if t.more > 0 {
            let _ = writeln!(
                out,
                "<p>… and {} more (all in the JSON and CSV reports).</p>",
                t.more
            );
        }
    }
}

/// The document's head, with the report style.
pub fn document_start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n",
        escape(title)
    );
}

/// The document head, the title and the dataset summary line, warnings.
fn header(out: &mut String, report: &Report) {
    let a = &report.analysis;
    let d = &report.dataset;
    document_start(out, &format!("errata audit report: {}", d.path));
    let _ = writeln!(out, "<h1>Audit report: {}</h1>", escape(&d.path));
    let classes = a.classes.len();
    let _ = writeln!(
        out,
        "<p class=\"meta\"><span>{} rows ({} excluded)</span><span>task: {}</span>{}<span>{} reviewed rows</span><span>table {}</span><span>xxh3 {}</span><span>errata {}</span></p>",
        d.rows,
        d.excluded_rows,
        report.task.as_str(),
        if report.task == Task::Classification {
            format!("<span>{classes} classes</span>")
        } else {
            String::new()
        },
        a.reviewed_rows,
        escape(&match &d.separator {
            Some(separator) => format!("{}, {}", d.table, separator.describe()),
            None => d.table.clone(),
        }),
        escape(&d.fingerprint.xxh3),
        report.errata_version
    );
    if let Some(project) = &d.project {
        let _ = writeln!(out, "<p class=\"meta\">Project {}</p>", escape(project));
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">Generated {}</p>",
        escape(&report.generated)
    );
    for w in &d.warnings {
        let _ = writeln!(out, "<div class=\"warn\">Warning: {}</div>", escape(w));
    }
}

/// Overall accuracy with its interval (and WER/CER for transcripts).
fn overall(out: &mut String, report: &Report) {
    let a = &report.analysis;
    out.push_str("<h2>Overall</h2>\n");
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
    table(out, &header, &[], [row]);
}

/// Per-class metrics with the averages, and the confusion matrix.
fn classes(out: &mut String, report: &Report) {
    let a = &report.analysis;
    let o = &a.overall;
    if let (Some(averages), Some(confusion)) = (&a.averages, &a.confusion) {
        out.push_str("<h2>Per class</h2>\n");
        let shown = confusion.shown();
        let rows = shown
            .iter()
            .map(|&c| &a.classes[c])
            .map(|c| {
                vec![
                    escape(&c.label),
                    percent(Some(c.precision), 1),
                    percent(Some(c.recall), 1),
                    percent(Some(c.f1), 1),
                    c.support.to_string(),
                ]
            })
            .chain(
                [
                    ("macro average", averages.macro_avg),
                    ("micro average", averages.micro),
                    ("weighted average", averages.weighted),
                ]
                .into_iter()
                .map(|(name, p)| {
                    vec![
                        format!("<b>{name}</b>"),
                        percent(Some(p.precision), 1),
                        percent(Some(p.recall), 1),
                        percent(Some(p.f1), 1),
                        o.n.to_string(),
                    ]
                }),
            );
        table(
            out,
            &["class", "precision", "recall", "F1", "support"],
            &[0],
            rows,
        );
        if confusion.omitted() > 0 {
            let _ = writeln!(
                out,
                "<p>{}</p>",
                escape(&format::more_classes(confusion.omitted()))
            );
        }
        out.push_str("<h2>Confusion matrix</h2>\n<p>Rows are the ground truth, columns the prediction.</p>\n");
        heatmap(out, &confusion.shown_labels(), &confusion.matrix());
    }
}

/// The prioritisation table and the chart of potential gains.
fn priorities(out: &mut String, report: &Report) {
    let a = &report.analysis;
    out.push_str("<h2>Prioritisation</h2>\n<p>Potential gain = gap to human-level performance × share of data: how much overall accuracy would rise if the category reached HLP.</p>\n");
    if let Some(note) = a.tags_note {
        let _ = writeln!(out, "<div class=\"warn\">{}</div>", escape(note));
    }
    if a.priorities.is_empty() {
        out.push_str("<p>Nothing to rank: no tags and no slices.</p>\n");
    } else {
        let rows = a.priorities.iter().enumerate().map(|(i, p)| {
            vec![
                (i + 1).to_string(),
                format!("{:?}", p.kind).to_lowercase(),
                escape(&p.name()),
                points(p.gap, 2),
                percent(p.share_of_data, 1),
                points(p.potential_gain, 2),
                p.ease.map_or("—".into(), |e| e.to_string()),
                p.importance.map_or("—".into(), |e| e.to_string()),
            ]
        });
        table(
            out,
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
            &[1, 2],
            rows,
        );
        let bars: Vec<(String, f64)> = a
            .priorities
            .iter()
            .filter_map(|p| Some((p.name(), p.potential_gain?)))
            .take(15)
            .collect();
        bar_chart(out, "potential gain per tag and slice value", &bars);
    }
}

/// Per slice column: values with intervals, gaps and flags, and a chart.
fn slices(out: &mut String, report: &Report) {
    let a = &report.analysis;
    let o = &a.overall;
    if !a.slices.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Slices</h2>\n<p>Flagged \"below overall\": {}. Gaps are in percentage points (pts); n is given for every value (small values have wide intervals).</p>",
            report.flag_rule.describe()
        );
        let transcription = report.task == Task::Transcription;
        let mut columns: Vec<&str> = a.slices.iter().map(|s| s.column.as_str()).collect();
        columns.dedup();
        for column in columns {
            let values: Vec<_> = a.slices.iter().filter(|s| s.column == column).collect();
            let _ = writeln!(out, "<h3>{}</h3>", escape(column));
            let mut header = vec![
                "value",
                "n",
                "accuracy",
                "95% interval",
                "gap to overall",
                "HLP",
                "flag",
            ];
            if transcription {
                header.insert(6, "WER");
            }
            let rows = values.iter().map(|s| {
                let below = report.below_overall(s);
                let mut r = vec![
                    escape(&s.value),
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
                r.push(if below {
                    "<span class=\"flag\">below overall</span>".into()
                } else {
                    String::new()
                });
                r
            });
            table(out, &header, &[0, header.len() - 1], rows);
            let points: Vec<(String, Option<f64>, Option<Interval>)> = values
                .iter()
                .map(|s| (format!("{} (n={})", s.value, s.n), s.accuracy, s.ci95))
                .collect();
            interval_chart(out, &format!("accuracy per {column}"), &points, o.accuracy);
        }
    }
}

/// Per-tag figures, tag definitions and example ids.
fn tags(out: &mut String, report: &Report) {
    let a = &report.analysis;
    out.push_str("<h2>Tags</h2>\n");
    let _ = writeln!(
        out,
        "<p>{} reviewed rows (rows with a tag or a reviewed mark).</p>",
        a.reviewed_rows
    );
    if a.tags.is_empty() {
        out.push_str("<p>No tags yet.</p>\n");
    } else {
        let rows = a.tags.iter().map(|t| {
            vec![
                escape(&t.tag),
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
        table(
            out,
            &[
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
            ],
            &[0, 8],
            rows,
        );
        out.push_str("<h3>Definitions and examples</h3>\n");
        let rows = report.tag_definitions.iter().map(|t| {
            vec![
                escape(&t.name),
                if t.description.is_empty() {
                    "—".into()
                } else {
                    escape(&t.description)
                },
                t.rows.to_string(),
                escape(&t.examples.join(", ")),
            ]
        });
        table(
            out,
            &["tag", "definition", "rows", "example ids"],
            &[0, 1, 3],
            rows,
        );
    }
}

/// The partial-automation table.
fn automation(out: &mut String, report: &Report) {
    let a = &report.analysis;
    if !a.automation.is_empty() {
        out.push_str("<h2>Partial automation</h2>\n<p>Automating only predictions with confidence ≥ threshold.</p>\n");
        let rows = a.automation.iter().map(|p| {
            vec![
                format!("{:.2}", p.threshold),
                percent(Some(p.coverage), 1),
                p.covered.to_string(),
                percent(p.accuracy, 1),
            ]
        });
        table(
            out,
            &["threshold", "coverage", "rows", "accuracy"],
            &[],
            rows,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        assert_eq!(
            escape("<img src=x onerror=\"alert('1')\">&"),
            "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;"
        );
    }
}
