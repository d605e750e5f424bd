//! How figures are written, in one place for every report format and the app: percentages,
//! intervals, signed differences in points, the source of an HLP, counts. The reports'
//! forms are the reference; the dashboard shows the same text.

use super::AuditResults;
use crate::model::audit::{Check, Measured, Metric, Threshold, Verdict};
use crate::model::hlp::HlpSource;
use crate::model::stats::Interval;

/// What is shown for a figure that cannot be computed.
pub const UNKNOWN: &str = "—";

/// A fraction as a percentage with `decimals` places ("93.8 %"), or "—" when unknown.
pub fn percent(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(
        || UNKNOWN.to_string(),
        |v| format!("{:.decimals$} %", v * 100.0),
    )
}

/// A difference of accuracies in percentage points with `decimals` places ("4.20 pts"): gaps
/// and potential gains, in every report and the app; "—" when unknown.
pub fn points(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(
        || UNKNOWN.to_string(),
        |v| format!("{:.decimals$} pts", v * 100.0),
    )
}

/// A 95 % interval as percentages ("81.2–97.4 %"), or "—" when unknown.
pub fn interval(ci: Option<Interval>) -> String {
    ci.map_or_else(
        || UNKNOWN.to_string(),
        |Interval(lo, hi)| format!("{:.1}–{:.1} %", lo * 100.0, hi * 100.0),
    )
}

/// A number with `decimals` places, or "—" when unknown.
pub fn fixed(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| UNKNOWN.to_string(), |v| format!("{v:.decimals$}"))
}

/// A difference of two fractions in percentage points, signed to one decimal ("+1.2",
/// "-0.4"); differences that round to zero print "0.0" rather than "-0.0".
pub fn signed_points(difference: f64) -> String {
    let shown = format!("{:+.1}", difference * 100.0);
    match shown.as_str() {
        "+0.0" | "-0.0" => "0.0".into(),
        _ => shown,
    }
}

/// Where an HLP comes from ("human labels", "entered"), or "—" without one.
pub fn hlp_source(source: Option<HlpSource>) -> &'static str {
    match source {
        Some(HlpSource::HumanLabels) => "human labels",
        Some(HlpSource::Entered) => "entered",
        Some(HlpSource::Annotators) => "annotators",
        None => UNKNOWN,
    }
}

/// A count with thousands separators ("10,000,000").
pub fn thousands(n: impl ToString) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

pub use crate::model::text::{is_hidden, shorten, visible};

/// The line under a table of classes that leaves some out.
pub fn more_classes(omitted: usize) -> String {
    format!(
        "{} more classes with fewer rows are not shown here; every class is in the JSON and \
         CSV reports.",
        thousands(omitted)
    )
}

/// The audit table's columns, in every format.
pub const AUDIT_COLUMNS: [&str; 7] = [
    "risk",
    "metric",
    "group",
    "value",
    "threshold",
    "n",
    "result",
];

/// One line of the audit table as plain text (each format escapes it its own way); the
/// verdict is kept so that formats can colour it.
pub struct AuditLine {
    pub cells: [String; 7],
    pub verdict: Verdict,
}

/// What a verdict says in the audit table.
pub fn verdict(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "pass",
        Verdict::Fail => "FAIL",
        Verdict::TooFew => "not judged (n < min support)",
    }
}

/// A kappa is a coefficient, not a share: its value and threshold are written as numbers.
fn kappa_cells(threshold: Threshold, m: &Measured) -> (String, String) {
    let number = |v: Option<f64>| fixed(v, 3);
    let value = match threshold {
        Threshold::MaxGap(_) => format!(
            "{} below (this group {}, overall {})",
            number(m.value.zip(m.overall).map(|(v, o)| o - v)),
            number(m.value),
            number(m.overall)
        ),
        _ => number(m.value),
    };
    let threshold = match threshold {
        Threshold::Min(t) => format!(">= {}", number(Some(t))),
        Threshold::Max(t) => format!("<= {}", number(Some(t))),
        Threshold::MaxGap(t) => format!("gap <= {}", number(Some(t))),
    };
    (value, threshold)
}

/// Drift is a verdict per column: "drifts" or "no drift" (1 or 0), the test and score in
/// the group's name.
fn drift_cells(threshold: Threshold, m: &Measured) -> (String, String) {
    let value = match m.value {
        Some(v) if v > 0.0 => "drifts".to_string(),
        Some(_) => "no drift".to_string(),
        None => UNKNOWN.to_string(),
    };
    let threshold = match threshold {
        Threshold::Max(t) if t < 1.0 => "no drift".to_string(),
        Threshold::Min(t) if t > 0.0 => "drifts".to_string(),
        _ => "any".to_string(),
    };
    (value, threshold)
}

/// Shares in the app's units: figures in percent, a gap in points with the figure beside.
fn share_cells(check: &Check, m: &Measured) -> (String, String) {
    let value = match (check.threshold, m.reference) {
        (Threshold::MaxGap(_), _) => {
            let gap = m
                .value
                .zip(m.overall)
                .map(|(v, o)| check.metric.worse_by(v, o));
            let gap = match gap {
                Some(g) if g > 0.0 => format!("{} worse", points(Some(g), 1)),
                Some(g) => format!("{} better", points(Some(-g), 1)),
                None => UNKNOWN.into(),
            };
            format!(
                "{gap} (this group {}, overall {})",
                percent(m.value, 1),
                percent(m.overall, 1)
            )
        }
        (_, Some(r)) => format!(
            "{} (references {})",
            percent(m.value, 1),
            percent(Some(r), 1)
        ),
        (_, None) => percent(m.value, 1),
    };
    let threshold = match check.threshold {
        Threshold::Min(t) => format!(">= {}", percent(Some(t), 1)),
        Threshold::Max(t) => format!("<= {}", percent(Some(t), 1)),
        Threshold::MaxGap(t) => format!("gap <= {}", points(Some(t), 1)),
    };
    (value, threshold)
}

/// The audit table: one line per check and group measured.
pub fn audit_lines(audit: &AuditResults) -> Vec<AuditLine> {
    audit
        .results
        .iter()
        .map(|m| {
            let check = &audit.checks[m.check];
            let metric = match &check.class {
                Some(class) => format!("{} of {class}", check.metric.as_str()),
                None => check.metric.as_str().to_string(),
            };
            let (value, threshold) = match check.metric {
                Metric::FleissKappa => kappa_cells(check.threshold, m),
                Metric::Drift => drift_cells(check.threshold, m),
                _ => share_cells(check, m),
            };
            AuditLine {
                cells: [
                    check.risk.clone(),
                    metric,
                    m.group.clone(),
                    value,
                    threshold,
                    m.n.to_string(),
                    verdict(m.verdict).to_string(),
                ],
                verdict: m.verdict,
            }
        })
        .collect()
}

/// The audit's one-line outcome: "every judged group passes" or "2 groups fail".
pub fn audit_outcome(audit: &AuditResults) -> String {
    match audit.failed() {
        0 => "every judged group passes".into(),
        1 => "1 group fails".into(),
        n => format!("{n} groups fail"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_print_signed_without_a_negative_zero() {
        assert_eq!(signed_points(0.0123), "+1.2");
        assert_eq!(signed_points(-0.004), "-0.4");
        assert_eq!(signed_points(-0.0001), "0.0");
        assert_eq!(signed_points(0.0), "0.0");
    }

    #[test]
    fn counts_are_grouped_by_thousands() {
        for (n, shown) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (123456, "123,456"),
            (10_000_000, "10,000,000"),
        ] {
            assert_eq!(thousands(n), shown);
        }
    }

    #[test]
    fn unknown_figures_print_a_dash() {
        assert_eq!(percent(None, 1), "—");
        assert_eq!(interval(Some(Interval(0.812, 0.974))), "81.2–97.4 %");
        assert_eq!(hlp_source(Some(HlpSource::Entered)), "entered");
        assert_eq!(fixed(Some(0.5), 3), "0.500");
    }
}
