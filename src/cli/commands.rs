//! One function per subcommand. Edits go through `Project::apply`, the same path the app
//! takes; reports through `Target::report`, the same assembly the app's export uses.

use crate::model::slices::FlagRule;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::target::Target;
use super::{print_warnings, write_output};
use crate::data::project::{self, Edit, LabelVerdict, Project};
use crate::data::store::{Store, tag_csv};
use crate::data::{self, MappingRequest};
use crate::model::audit::AuditSpec;
use crate::model::hlp::Subject;
use crate::report::{self, Format, format};

pub fn init(dataset: &Path, output: Option<PathBuf>, request: MappingRequest) -> Result<ExitCode> {
    let target = output.unwrap_or_else(|| project::default_project_path(dataset));
    let project = Project::init(dataset, &request, &target)?;
    print_warnings(&project.warnings);
    let tags = project.book.names().len();
    eprintln!(
        "created {} for {} rows ({} tags from the dataset)",
        target.display(),
        project.dataset.set.len(),
        tags
    );
    Ok(ExitCode::SUCCESS)
}

pub fn tag(
    path: &Path,
    row_id: String,
    tags: Vec<String>,
    remove: bool,
    create: bool,
) -> Result<ExitCode> {
    let mut p = Project::open(path)?;
    p.check_ids(&[row_id.as_str()])?;
    let changed = if remove {
        let mut changed = 0;
        for tag in tags {
            let rows = vec![row_id.clone()];
            changed += p.apply(Edit::Unassign { tag, rows })?.rows_changed();
        }
        changed
    } else {
        // All the tags, and those it creates, in one edit: one undo step.
        let pairs = tags.into_iter().map(|t| (row_id.clone(), t)).collect();
        p.apply(Edit::Assign { pairs, create })?.rows_changed()
    };
    eprintln!("{changed} change(s) saved to {}", path.display());
    Ok(ExitCode::SUCCESS)
}

pub fn review(path: &Path, row_ids: Vec<String>) -> Result<ExitCode> {
    let mut p = Project::open(path)?;
    p.check_ids(&row_ids.iter().map(String::as_str).collect::<Vec<_>>())?;
    let edit = Edit::MarkReviewed {
        rows: row_ids,
        reviewed: true,
    };
    let changed = p.apply(edit)?.rows_changed();
    eprintln!("{changed} row(s) marked reviewed in {}", path.display());
    Ok(ExitCode::SUCCESS)
}

pub fn import_tags(path: &Path, csv: &Path, create: bool) -> Result<ExitCode> {
    let text = std::fs::read_to_string(csv).with_context(|| {
        format!(
            "{}: cannot read the tag file (expected UTF-8 CSV with id,tag lines)",
            csv.display()
        )
    })?;
    let pairs = tag_csv::parse(csv, &text)?;
    let lines = pairs.len();
    let mut p = Project::open(path)?;
    p.check_ids(&pairs.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>())?;
    let added = p.apply(Edit::Assign { pairs, create })?.rows_changed();
    eprintln!(
        "{added} new assignment(s) of {lines} line(s) saved to {}",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn import_audit(path: &Path, spec: &Path) -> Result<ExitCode> {
    let text = std::fs::read_to_string(spec)
        .with_context(|| format!("{}: cannot read the audit spec", spec.display()))?;
    let (parsed, lines) = data::audit_spec::parse_with_lines(&text, spec)?;
    let mut p = Project::open(path)?;
    print_warnings(&p.warnings);
    // Checked here too so that messages name the spec file the user gave.
    data::audit_spec::check(&parsed, &lines, spec, &p.dataset.set, &p.book)?;
    p.apply(Edit::SetAudit(Some(text)))?;
    eprintln!(
        "saved the audit checklist ({} checks) in {}",
        parsed.checks.len(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn export_audit(path: &Path, output: Option<&Path>) -> Result<ExitCode> {
    let store = Store::open(path)?;
    let Some(text) = store.audit_spec()? else {
        bail!(
            "{}: the project has no audit checklist yet (errata import-audit adds one)",
            path.display()
        );
    };
    write_output(output, &text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn export_tags(path: &Path, output: Option<&Path>) -> Result<ExitCode> {
    let store = Store::open(path)?;
    let text = tag_csv::render(&store.assignments()?);
    write_output(output, &text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn label(path: &Path, row_id: String, verdict: LabelVerdict) -> Result<ExitCode> {
    let mut p = Project::open(path)?;
    p.check_ids(&[row_id.as_str()])?;
    if let LabelVerdict::Corrected(label) = &verdict {
        if label.trim().is_empty() {
            bail!(
                "the corrected label is empty; give the right label, or --clear to remove a correction"
            );
        }
        if !p
            .dataset
            .set
            .class_names()
            .iter()
            .any(|c| c == label.trim())
            && p.dataset.set.task == crate::model::Task::Classification
        {
            eprintln!(
                "note: {label:?} is not one of the {} classes of the dataset",
                p.dataset.set.n_classes
            );
        }
    }
    let committed = p.apply(Edit::ReviewLabel {
        row: row_id,
        verdict,
    })?;
    if committed.is_empty() {
        eprintln!("nothing changed in {}", path.display());
    } else {
        eprintln!("{}: saved to {}", committed.description, path.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export_labels(path: &Path, output: Option<&Path>) -> Result<ExitCode> {
    let p = Project::open(path)?;
    let set = &p.dataset.set;
    let mut reviews: Vec<(&str, &crate::data::store::LabelReview)> = p.label_reviews().collect();
    reviews.sort_by_key(|(id, _)| *id);
    let mut text = String::from("id,given,corrected,status,author,time\n");
    for (id, review) in reviews {
        let given = set.ids.row(id).map_or("", |r| set.label_text(r));
        let (corrected, status) = match &review.label {
            Some(label) => (label.as_str(), "corrected"),
            None => (given, "confirmed"),
        };
        let fields = [id, given, corrected, status, &review.author, &review.at];
        let line: Vec<String> = fields.iter().map(|f| tag_csv::quote(f)).collect();
        text.push_str(&line.join(","));
        text.push('\n');
    }
    write_output(output, &text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn hlp(
    path: &Path,
    tag: Option<String>,
    slice: Option<String>,
    accuracy: f64,
) -> Result<ExitCode> {
    let subject = match (tag, slice) {
        (Some(tag), _) => Subject::Tag(tag),
        (None, Some(slice)) => {
            let Some((column, value)) = slice.split_once('=') else {
                bail!(
                    "--slice {slice:?}: expected COLUMN=VALUE, for example --slice accent=scottish"
                );
            };
            Subject::Slice {
                column: column.to_string(),
                value: value.to_string(),
            }
        }
        (None, None) => bail!("give --tag NAME or --slice COLUMN=VALUE"),
    };
    let mut p = Project::open(path)?;
    if let Subject::Slice { column, value } = &subject {
        let set = &p.dataset.set;
        let Some(slice) = set.slice(column) else {
            let known: Vec<&str> = set.slices.iter().map(|s| s.name.as_str()).collect();
            bail!(
                "{}: no slice column {column:?}; slice columns: {}",
                path.display(),
                known.join(", ")
            );
        };
        if !slice.values.iter().any(|v| v == value) {
            bail!(
                "{}: column {column:?} has no value {value:?}; values: {}",
                path.display(),
                slice.values.join(", ")
            );
        }
    }
    let shown = subject.to_string();
    p.apply(Edit::SetHlp {
        subject,
        accuracy: Some(accuracy),
    })?;
    eprintln!("HLP of {shown} set to {accuracy} in {}", path.display());
    Ok(ExitCode::SUCCESS)
}

pub fn relocate(path: &Path, new_path: &Path) -> Result<ExitCode> {
    let p = Project::relocate(path, new_path)?;
    print_warnings(&p.warnings);
    eprintln!(
        "{} now uses the dataset at {}",
        path.display(),
        new_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Loads a dataset or project with the audit spec that applies: the spec file given (read
/// first, so a bad spec is reported before a long load), else a project's own checklist;
/// either is checked against the dataset.
fn load_with_spec(
    path: &Path,
    spec_path: Option<&Path>,
    media_metrics: bool,
    request: MappingRequest,
) -> Result<(Target, Option<AuditSpec>)> {
    let given = spec_path
        .map(|p| data::audit_spec::read(p).map(|read| (p, read)))
        .transpose()?;
    let mut target = Target::load(path, request)?;
    if media_metrics {
        target.add_media_slices()?;
    }
    let spec = match given {
        Some((spec_path, (spec, lines))) => {
            data::audit_spec::check(&spec, &lines, spec_path, target.set(), target.book())?;
            Some(spec)
        }
        None => target.stored_audit()?,
    };
    Ok((target, spec))
}

/// Runs the audit checks of `spec` and prints the pass/fail table; exit status 1 when a
/// check fails.
pub fn audit(
    path: &Path,
    spec_path: Option<&Path>,
    media_metrics: bool,
    request: MappingRequest,
) -> Result<ExitCode> {
    use crate::model::audit::Verdict;
    let (mut target, spec) = load_with_spec(path, spec_path, media_metrics, request)?;
    let drift = spec
        .as_ref()
        .filter(|s| {
            s.checks
                .iter()
                .any(|c| c.metric == crate::model::audit::Metric::Drift)
        })
        .and_then(|_| super::drift::stored_analysis(&mut target));
    let (set, book) = (target.set(), target.book());
    let Some(spec) = spec else {
        bail!(
            "{}: no audit spec: give one with --spec AUDIT.toml (docs/audit-spec.md)",
            path.display()
        );
    };
    let results =
        report::AuditResults::evaluate(&spec, set, book, drift.as_ref().map(|a| &a.drift));
    let mut rows = vec![format::AUDIT_COLUMNS.map(str::to_string)];
    rows.extend(
        format::audit_lines(&results)
            .into_iter()
            .map(|line| line.cells),
    );
    let widths: Vec<usize> = (0..7)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    let measured = &results.results;
    let count = |v: Verdict| measured.iter().filter(|m| m.verdict == v).count();
    let failed = count(Verdict::Fail);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out.push_str(&format!(
        "\n{}, {}: {} pass, {failed} fail, {} not judged\n",
        plural(spec.checks.len(), "check"),
        plural(measured.len(), "group"),
        count(Verdict::Pass),
        count(Verdict::TooFew)
    ));
    let s = &spec.signoff;
    if !(s.owner.is_empty() && s.decision.is_empty() && s.date.is_empty()) {
        let or_none = |v: &str| {
            if v.is_empty() {
                "(none)".to_string()
            } else {
                v.to_string()
            }
        };
        out.push_str(&format!(
            "sign-off: owner {}, decision {}, date {}\n",
            or_none(&s.owner),
            or_none(&s.decision),
            or_none(&s.date)
        ));
    }
    write_output(None, &out)?;
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// What `errata report` was asked besides the dataset and its mapping.
pub struct ReportOptions<'a> {
    pub format: Format,
    pub output: Option<&'a Path>,
    pub spec: Option<&'a Path>,
    pub flag_rule: FlagRule,
    pub check_media: bool,
    pub media_metrics: bool,
    pub find_slices: bool,
    /// Rows counted at a time (`Some(0)`: read whole; `None`: by the table's size).
    pub part_rows: Option<usize>,
}

/// The rows a part holds when the report of `path` is counted in parts: when asked, or
/// when a dataset's Parquet table is large and counting it in parts loses nothing asked.
fn part_rows(path: &Path, options: &ReportOptions<'_>, request: &MappingRequest) -> Option<usize> {
    if crate::data::store::looks_like_project(path) {
        return None;
    }
    let whole_figures = options.spec.is_some()
        || options.check_media
        || options.media_metrics
        || options.find_slices;
    match options.part_rows {
        Some(0) => None,
        Some(rows) => Some(rows),
        None => data::parts_for(path, request, whole_figures),
    }
}

/// The report of a dataset counted in parts; what needs every row at once is refused.
fn report_in_parts(
    path: &Path,
    options: ReportOptions<'_>,
    request: MappingRequest,
    part_rows: usize,
) -> Result<ExitCode> {
    let needs_rows = [
        (options.spec.is_some(), "--spec"),
        (options.check_media, "--check-media"),
        (options.media_metrics, "--media-metrics"),
        (options.find_slices, "--find-slices"),
    ];
    if let Some((_, flag)) = needs_rows.iter().find(|(asked, _)| *asked) {
        bail!(
            "{}: {flag} needs every row held at once, and this table is counted {part_rows} rows at a time; add --part-rows 0 to read it whole (it needs memory for every row), or leave out {flag}",
            path.display()
        );
    }
    let counted = data::count_in_parts(path, &request, part_rows, &data::Progress::default())?;
    print_warnings(&counted.warnings);
    for note in &counted.notes {
        eprintln!("note: {note}");
    }
    let mut report = report::Report::of_counted(path, &counted);
    report.flag_rule = options.flag_rule;
    write_report(&report, options.format, options.output)
}

pub fn report(
    path: &Path,
    options: ReportOptions<'_>,
    request: MappingRequest,
) -> Result<ExitCode> {
    if let Some(rows) = part_rows(path, &options, &request) {
        return report_in_parts(path, options, request, rows);
    }
    let ReportOptions {
        format,
        output,
        spec,
        flag_rule,
        check_media,
        media_metrics,
        find_slices,
        part_rows: _,
    } = options;
    let (mut target, spec) = load_with_spec(path, spec, media_metrics, request)?;
    let mut report = target.report();
    report.flag_rule = flag_rule;
    report.drift = super::drift::stored_analysis(&mut target);
    if let Some(search) = super::slices::report_search(&target, find_slices) {
        report.found_slices = Some(super::slices::find(&target, &search)?);
    }
    if check_media {
        report.add_media_check(target.dataset());
    }
    if let Some(spec) = spec {
        let (set, book) = (target.set(), target.book());
        let drift = report.drift.as_ref().map(|a| &a.drift);
        report.audit = Some(report::AuditResults::evaluate(&spec, set, book, drift));
    }
    write_report(&report, format, output)
}

/// Renders the report and writes it to `output` (a folder for CSV), or to stdout.
fn write_report(
    report: &report::Report,
    format: Format,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let Some(text) = format.render(report) else {
        let Some(folder) = output else {
            bail!("--format csv writes one file per table: give the folder with -o FOLDER");
        };
        let written = report::csv::write(report, folder)
            .with_context(|| format!("{}: cannot write the CSV tables", folder.display()))?;
        eprintln!("wrote {} tables to {}", written.len(), folder.display());
        return Ok(ExitCode::SUCCESS);
    };
    write_output(output, &text)?;
    Ok(ExitCode::SUCCESS)
}
