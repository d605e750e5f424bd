//! Audit spec files (TOML, docs/audit-spec.md): parsed into [`AuditSpec`] with errors that
//! name the file, the line and the key, and written back out for export.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::audit::{self, AuditSpec, Check, Metric, Scope, SignOff, Threshold};
use crate::model::{EvalSet, TagBook};

#[derive(Debug, thiserror::Error)]
pub enum AuditSpecError {
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: line {line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// The file as written: one `[[check]]` table per check, and an optional `[signoff]`.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    #[serde(default, rename = "check")]
    checks: Vec<toml::Spanned<CheckFile>>,
    #[serde(default)]
    signoff: SignOff,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    risk: String,
    metric: Metric,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    words: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    slice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    /// A found slice: feature = value conditions, all met.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    conditions: Option<std::collections::BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_gap: Option<f64>,
    #[serde(default)]
    min_support: u64,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Parses spec text; `path` names the file in errors.
pub fn parse(text: &str, path: &Path) -> Result<AuditSpec, AuditSpecError> {
    parse_with_lines(text, path).map(|(spec, _)| spec)
}

/// [`parse`], also giving the line where each check starts (for later messages about it).
pub fn parse_with_lines(
    text: &str,
    path: &Path,
) -> Result<(AuditSpec, Vec<usize>), AuditSpecError> {
    let invalid = |line: usize, message: String| AuditSpecError::Invalid {
        path: path.to_path_buf(),
        line,
        message,
    };
    let file: SpecFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        invalid(line, e.message().trim().to_string())
    })?;
    let mut checks = Vec::new();
    let mut lines = Vec::new();
    for spanned in file.checks {
        let line = line_of(text, spanned.span().start);
        lines.push(line);
        let c = spanned.into_inner();
        let here = |message: String| invalid(line, format!("check {:?}: {message}", c.risk));
        let threshold = match (c.min, c.max, c.max_gap) {
            (Some(v), None, None) => Threshold::Min(v),
            (None, Some(v), None) => Threshold::Max(v),
            (None, None, Some(v)) => Threshold::MaxGap(v),
            _ => {
                return Err(here(
                    "give exactly one of the keys `min`, `max` or `max_gap`".into(),
                ));
            }
        };
        let value = match threshold {
            Threshold::Min(v) | Threshold::Max(v) | Threshold::MaxGap(v) => v,
        };
        if !(0.0..=1.0).contains(&value) {
            return Err(here(format!(
                "the threshold {value} is not a fraction between 0 and 1 (write 0.95, not 95)"
            )));
        }
        let scope = match (c.slice, c.tag, c.conditions) {
            (None, None, None) => Scope::Overall,
            (Some(column), None, None) => Scope::Slice(column),
            (None, Some(tag), None) => Scope::Tag(tag),
            (None, None, Some(conditions)) => Scope::Where(conditions.into_iter().collect()),
            _ => {
                return Err(here(
                    "give one of `slice`, `tag` or `where`, not several".into(),
                ));
            }
        };
        if c.risk.trim().is_empty() {
            return Err(here("`risk` is empty: say what could go wrong".into()));
        }
        checks.push(Check {
            risk: c.risk,
            metric: c.metric,
            class: c.class,
            words: c.words,
            scope,
            threshold,
            min_support: c.min_support,
        });
    }
    if checks.is_empty() {
        return Err(invalid(
            1,
            "the spec has no [[check]]: a checklist without checks would pass whatever the \
             model does; add at least one (docs/audit-spec.md)"
                .into(),
        ));
    }
    Ok((
        AuditSpec {
            checks,
            signoff: file.signoff,
        },
        lines,
    ))
}

/// Fails with the first check that does not fit the dataset (a slice column, class or tag
/// it lacks), naming the check's line. `lines` are those [`parse_with_lines`] gave.
pub fn check(
    spec: &AuditSpec,
    lines: &[usize],
    path: &Path,
    set: &EvalSet,
    book: &TagBook,
) -> Result<(), AuditSpecError> {
    match audit::validate(spec, set, book).first() {
        Some(problem) => Err(AuditSpecError::Invalid {
            path: path.to_path_buf(),
            line: lines[problem.check],
            message: format!(
                "check {:?}: {}",
                spec.checks[problem.check].risk, problem.message
            ),
        }),
        None => Ok(()),
    }
}

/// Parses spec text and checks it against the dataset ([`check`]).
pub fn parse_checked(
    text: &str,
    path: &Path,
    set: &EvalSet,
    book: &TagBook,
) -> Result<AuditSpec, AuditSpecError> {
    let (spec, lines) = parse_with_lines(text, path)?;
    check(&spec, &lines, path, set, book)?;
    Ok(spec)
}

/// Reads a spec file; also gives the line where each check starts.
pub fn read(path: &Path) -> Result<(AuditSpec, Vec<usize>), AuditSpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| AuditSpecError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_with_lines(&text, path)
}

/// The spec as TOML text that [`parse`] reads back to the same spec.
pub fn render(spec: &AuditSpec) -> String {
    let file = SpecFile {
        checks: spec
            .checks
            .iter()
            .map(|c| {
                let (slice, tag, conditions) = match &c.scope {
                    Scope::Overall => (None, None, None),
                    Scope::Slice(s) => (Some(s.clone()), None, None),
                    Scope::Tag(t) => (None, Some(t.clone()), None),
                    Scope::Where(w) => (None, None, Some(w.iter().cloned().collect())),
                };
                let (min, max, max_gap) = match c.threshold {
                    Threshold::Min(v) => (Some(v), None, None),
                    Threshold::Max(v) => (None, Some(v), None),
                    Threshold::MaxGap(v) => (None, None, Some(v)),
                };
                toml::Spanned::new(
                    0..0,
                    CheckFile {
                        risk: c.risk.clone(),
                        metric: c.metric,
                        class: c.class.clone(),
                        words: c.words.clone(),
                        slice,
                        tag,
                        conditions,
                        min,
                        max,
                        max_gap,
                        min_support: c.min_support,
                    },
                )
            })
            .collect(),
        signoff: spec.signoff.clone(),
    };
    toml::to_string(&file).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
[signoff]
owner = "Ana"
decision = "ship"
date = "2026-11-20"

[[check]]
risk = "accuracy differs by gender"
metric = "accuracy"
slice = "speaker_gender"
max_gap = 0.05
min_support = 20

[[check]]
risk = "offensive words in transcripts"
metric = "watch_list"
words = ["damn", "shut up"]
max = 0.0

[[check]]
risk = "found slice: scottish speakers on phones"
metric = "accuracy"
where = { accent = "scottish", "tag: car noise" = "yes" }
max_gap = 0.1
"#;

    #[test]
    fn parses_and_renders_back() {
        let spec = parse(SPEC, Path::new("a.toml")).unwrap();
        assert_eq!(spec.checks.len(), 3);
        assert_eq!(
            spec.checks[2].scope,
            Scope::Where(vec![
                ("accent".into(), "scottish".into()),
                ("tag: car noise".into(), "yes".into())
            ])
        );
        assert_eq!(spec.checks[0].scope, Scope::Slice("speaker_gender".into()));
        assert_eq!(spec.checks[0].threshold, Threshold::MaxGap(0.05));
        assert_eq!(spec.checks[1].words, ["damn", "shut up"]);
        assert_eq!(spec.signoff.owner, "Ana");
        let again = parse(&render(&spec), Path::new("b.toml")).unwrap();
        assert_eq!(again, spec);
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let err = |text: &str| {
            parse(text, Path::new("audit.toml"))
                .unwrap_err()
                .to_string()
        };
        let typo = SPEC.replace("max_gap = 0.05", "max_gapp = 0.05");
        let e = err(&typo);
        assert!(e.starts_with("audit.toml: line "), "{e}");
        assert!(e.contains("max_gapp"), "{e}");
        let e = err(&SPEC.replace("metric = \"accuracy\"", "metric = \"precision\""));
        assert!(e.contains("line 9") && e.contains("precision"), "{e}");
        let e = err(&SPEC.replace("max = 0.0", "max = 0.0\nmin = 0.5"));
        assert!(e.contains("line 14") && e.contains("exactly one"), "{e}");
        let e = err(&SPEC.replace("max_gap = 0.05", "max_gap = 5"));
        assert!(e.contains("0.95, not 95"), "{e}");
        let e = err("[[check]\nrisk = 1");
        assert!(e.contains("line 1"), "{e}");
    }
}
