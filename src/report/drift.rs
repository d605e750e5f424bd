//! The drift part of a report: the JSON section (docs/report-schema.md, `drift`) and the
//! plain tables the Markdown, HTML and CSV writers render, written once here. A drift
//! report on its own (`errata drift`) is this section in a document of its own.

use std::fmt::Write;

use serde::Serialize;

use super::format::{fixed, percent, thousands};
use super::labels::PlainTable;
use super::{Format, SCHEMA_VERSION, generated_now};
use crate::model::drift::analysis::DriftAnalysis;
use crate::model::drift::monitor::format_time;
use crate::model::drift::monitored::{ACCURACY, EMPTY_PREDICTIONS, PREDICTED_SHARE};
use crate::model::drift::{ColumnDrift, NewValue};

#[derive(Debug, Serialize)]
pub struct SetSummary {
    pub rows: usize,
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct WindowJson {
    /// ISO 8601, UTC; `null` for row windows of a set without times.
    pub start: Option<String>,
    pub end: Option<String>,
    pub n: usize,
    pub metrics: std::collections::BTreeMap<String, Option<f64>>,
    pub alarms: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct BandJson {
    pub metric: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// "entered" (by the user) or "reference" (the reference windows' mean ± 3 sd).
    pub source: &'static str,
}

/// The `drift` section of the JSON report.
#[derive(Debug, Serialize)]
pub struct DriftSection {
    pub reference: SetSummary,
    pub current: SetSummary,
    pub dataset_drift: bool,
    /// Drifted columns over tested columns.
    pub drift_share: f64,
    /// The share at which the data set drifts.
    pub drift_share_threshold: f64,
    pub drifted_columns: usize,
    pub columns: Vec<ColumnDrift>,
    /// Columns not tested, with the reason (say, empty on one side).
    pub skipped: Vec<(String, String)>,
    /// Output metrics over each whole set.
    pub outputs: Vec<crate::model::drift::analysis::OutputSummary>,
    pub window: Option<String>,
    pub windows: Vec<WindowJson>,
    pub bands: Vec<BandJson>,
    /// Windows with at least one alarm.
    pub alarms: usize,
    pub concept_drift_hints: Vec<String>,
    pub notes: Vec<String>,
}

impl DriftSection {
    pub fn of(a: &DriftAnalysis) -> DriftSection {
        DriftSection {
            reference: SetSummary {
                rows: a.reference_rows,
                path: a.reference_path.clone(),
            },
            current: SetSummary {
                rows: a.current_rows,
                path: a.current_path.clone(),
            },
            dataset_drift: a.drift.dataset_drift,
            drift_share: a.drift.drift_share,
            drift_share_threshold: a.drift.threshold,
            drifted_columns: a.drift.drifted,
            columns: a.drift.columns.clone(),
            skipped: a.drift.skipped.clone(),
            outputs: a.outputs.clone(),
            window: a.window.map(|w| w.describe()),
            windows: a
                .windows
                .iter()
                .map(|w| WindowJson {
                    start: w.start.map(format_time),
                    end: w.end.map(format_time),
                    n: w.n,
                    metrics: w.metrics.clone(),
                    alarms: w.alarms.clone(),
                })
                .collect(),
            bands: a
                .series
                .iter()
                .filter_map(|s| {
                    s.band.map(|b| BandJson {
                        metric: s.metric.clone(),
                        low: b.low,
                        high: b.high,
                        source: if s.band_entered {
                            "entered"
                        } else {
                            "reference"
                        },
                    })
                })
                .collect(),
            alarms: a.alarm_count(),
            concept_drift_hints: a.hints.clone(),
            notes: a.notes.clone(),
        }
    }
}

/// The report's `drift` key: the section, not the analysis as held in memory.
pub fn serialize_section<S: serde::Serializer>(
    analysis: &Option<DriftAnalysis>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    analysis
        .as_ref()
        .map(DriftSection::of)
        .serialize(serializer)
}

/// A score as a reader wants it: small p-values in scientific notation.
pub fn score(value: Option<f64>) -> String {
    match value {
        None => "–".into(),
        Some(v) if v != 0.0 && v.abs() < 1e-3 => format!("{v:.2e}"),
        Some(v) => format!("{v:.4}"),
    }
}

/// "smartwatch: 12.0 % of current, 0 in reference"
pub fn new_value_text(v: &NewValue) -> String {
    format!(
        "{}: {} of current, 0 in reference",
        v.value,
        percent(Some(v.share), 1)
    )
}

/// A metric's value: shares and accuracy as percentages, the rest as numbers.
pub fn metric_value(metric: &str, value: Option<f64>) -> String {
    let share =
        metric == EMPTY_PREDICTIONS || metric == ACCURACY || metric.starts_with(PREDICTED_SHARE);
    if share {
        percent(value, 1)
    } else {
        fixed(value, 3)
    }
}

fn window_name(start: Option<i64>, end: Option<i64>, index: usize) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!("{} – {}", format_time(s), format_time(e)),
        _ => format!("window {}", index + 1),
    }
}

/// The drift tables, in reading order.
pub fn tables(a: &DriftAnalysis) -> Vec<PlainTable> {
    let d = &a.drift;
    let mut out = Vec::new();
    let verdict = if d.dataset_drift { "DRIFT" } else { "no drift" };
    out.push(PlainTable {
        file: "drift_summary.csv",
        title: "Drift",
        intro: format!(
            "{} of {} columns drifted ({}); the data set drifts at {} or more: {verdict}.",
            d.drifted,
            d.columns.len(),
            percent(Some(d.drift_share), 0),
            percent(Some(d.threshold), 0),
        ),
        header: vec!["", "reference", "current"],
        rows: vec![
            vec![
                "path".into(),
                a.reference_path.clone(),
                a.current_path.clone(),
            ],
            vec![
                "rows".into(),
                thousands(a.reference_rows),
                thousands(a.current_rows),
            ],
        ],
        more: 0,
    });
    out.push(PlainTable {
        file: "drift_columns.csv",
        title: "Drift per column",
        intro: "Each column's test as Evidently chooses it (reference ≤ 1000 values: K-S for numbers, chi-square or z for categories; more: normed Wasserstein for numbers, Jensen-Shannon for categories) unless chosen; p-values drift below the threshold, distances at or above it.".into(),
        header: vec!["column", "kind", "test", "score", "threshold", "drift", "new values"],
        rows: d
            .columns
            .iter()
            .map(|c| {
                vec![
                    c.column.clone(),
                    c.kind.as_str().into(),
                    c.test.name().into(),
                    score(c.score),
                    fixed(Some(c.threshold), 3),
                    if c.drift { "DRIFT" } else { "" }.into(),
                    c.new_values.iter().map(new_value_text).collect::<Vec<_>>().join("; "),
                ]
            })
            .chain(d.skipped.iter().map(|(column, why)| {
                vec![
                    column.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!("not tested: {why}"),
                    String::new(),
                ]
            }))
            .collect(),
        more: 0,
    });
    out.push(PlainTable {
        file: "drift_outputs.csv",
        title: "Output and input metrics",
        intro: "Each metric over the whole reference and current set.".into(),
        header: vec!["metric", "reference", "current"],
        rows: a
            .outputs
            .iter()
            .map(|o| {
                vec![
                    o.metric.clone(),
                    metric_value(&o.metric, o.reference),
                    metric_value(&o.metric, o.current),
                ]
            })
            .collect(),
        more: 0,
    });
    if let Some(window) = a.window {
        let mut rows = Vec::new();
        for (i, w) in a.windows.iter().enumerate() {
            for s in &a.series {
                let value = s.values[i];
                rows.push(vec![
                    window_name(w.start, w.end, i),
                    w.n.to_string(),
                    s.metric.clone(),
                    metric_value(&s.metric, value),
                    s.band
                        .and_then(|b| b.low)
                        .map_or(String::new(), |v| metric_value(&s.metric, Some(v))),
                    s.band
                        .and_then(|b| b.high)
                        .map_or(String::new(), |v| metric_value(&s.metric, Some(v))),
                    if s.alarms.contains(&i) { "ALARM" } else { "" }.into(),
                ]);
            }
        }
        out.push(PlainTable {
            file: "drift_windows.csv",
            title: "Metrics over time",
            intro: format!(
                "{} windows of {}; {} with an alarm. Bands are the reference windows' mean ± 3 standard deviations unless entered.{}",
                a.windows.len(),
                window.describe(),
                a.alarm_count(),
                a.notes.iter().map(|n| format!(" Note: {n}.")).collect::<String>()
            ),
            header: vec!["window", "n", "metric", "value", "low", "high", "alarm"],
            rows,
            more: 0,
        });
    }
    if !a.hints.is_empty() {
        out.push(PlainTable {
            file: "drift_hints.csv",
            title: "Concept drift hints",
            intro: "Where accuracy changed although the inputs did not.".into(),
            header: vec!["hint"],
            rows: a.hints.iter().map(|h| vec![h.clone()]).collect(),
            more: 0,
        });
    }
    out
}

/// A drift report on its own, in `format` (`None` for CSV, written as files).
pub fn render_standalone(format: Format, a: &DriftAnalysis) -> Option<String> {
    #[derive(Serialize)]
    struct Document<'a> {
        schema: u32,
        errata_version: &'a str,
        generated: String,
        drift: DriftSection,
    }
    match format {
        Format::Json => {
            let doc = Document {
                schema: SCHEMA_VERSION,
                errata_version: env!("CARGO_PKG_VERSION"),
                generated: generated_now(),
                drift: DriftSection::of(a),
            };
            let mut text = serde_json::to_string_pretty(&doc)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
            text.push('\n');
            Some(text)
        }
        Format::Md => {
            let mut out = format!(
                "# errata drift report\n\nReference `{}` against current `{}`, generated {}.\n\n",
                a.reference_path,
                a.current_path,
                generated_now()
            );
            super::markdown::plain_tables(&mut out, tables(a));
            Some(out)
        }
        Format::Html => {
            let mut out = String::new();
            super::html::document_start(&mut out, "errata drift report");
            let _ = write!(
                out,
                "<h1>errata drift report</h1>\n<p>Reference <code>{}</code> against current <code>{}</code>, generated {}.</p>\n",
                super::html::escape(&a.reference_path),
                super::html::escape(&a.current_path),
                generated_now()
            );
            super::html::plain_tables(&mut out, tables(a), &super::html::DRIFT_TEXT);
            out.push_str("</body></html>\n");
            Some(out)
        }
        Format::Csv => None,
    }
}
