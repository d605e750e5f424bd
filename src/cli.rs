//! The command line: parses arguments into plain values, runs the command, and turns every
//! error into a message on stderr with exit status 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::data::project::{self, Project};
use crate::data::store::{Store, looks_like_project, tag_csv};
use crate::data::{self, MappingRequest};
use crate::model::Task;
use crate::model::analysis::ManualInputs;
use crate::model::hlp::Subject;
use crate::report::{self, Format, Report};

#[derive(Debug, Parser)]
#[command(
    name = "errata",
    version,
    about = "Error analysis and auditing of machine-learning evaluation sets"
)]
pub struct Cli {
    /// Without a command, the desktop app opens on its welcome screen.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app on a dataset or project.
    Open {
        /// A project file (.errata), a dataset folder or a table file. A dataset is opened
        /// through the project beside it, created on first open.
        path: PathBuf,
        /// Start on this section of the dashboard instead of the review view.
        #[arg(long, value_enum)]
        dashboard: Option<DashboardSection>,
    },
    /// Run the audit checks of a spec file (TOML, docs/audit-spec.md) on a dataset or
    /// project: prints a pass/fail table; exit status 1 when any check fails.
    Audit {
        /// A project file (.errata), a dataset folder or a table file.
        dataset: PathBuf,
        /// The audit spec (optional for a project that has its own checklist).
        #[arg(long)]
        spec: Option<PathBuf>,
        #[command(flatten)]
        mapping: MappingArgs,
    },
    /// Compute every metric of a dataset or project and write a report.
    Report {
        /// A project file (.errata), a dataset folder (with metadata.csv, .tsv, .parquet or
        /// .jsonl) or a table file.
        dataset: PathBuf,
        /// Report format.
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Output file (json, md, html) or folder (csv). Without it, the report goes to
        /// stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Include the audit checklist of this spec (TOML, docs/audit-spec.md).
        #[arg(long)]
        spec: Option<PathBuf>,
        #[command(flatten)]
        mapping: MappingArgs,
    },
    /// Create a project file for a dataset (beside it unless -o says where).
    Init {
        dataset: PathBuf,
        /// The project file to create (default: <dataset>.errata beside the dataset).
        #[arg(short, long, value_name = "FILE.errata")]
        output: Option<PathBuf>,
        #[command(flatten)]
        mapping: MappingArgs,
    },
    /// Put tags on a row (or take them off with --remove).
    Tag {
        project: PathBuf,
        row_id: String,
        #[arg(required = true)]
        tags: Vec<String>,
        /// Take the tags off instead.
        #[arg(long)]
        remove: bool,
        /// Create tags that do not exist yet.
        #[arg(long, conflicts_with = "remove")]
        create: bool,
    },
    /// Mark rows as reviewed.
    Review {
        project: PathBuf,
        #[arg(required = true)]
        row_ids: Vec<String>,
    },
    /// Add tag assignments from a CSV file of `id,tag` lines (one edit, all or nothing).
    ImportTags {
        project: PathBuf,
        csv: PathBuf,
        /// Create tags that do not exist yet.
        #[arg(long)]
        create: bool,
    },
    /// Save an audit spec (TOML, docs/audit-spec.md) in a project as its audit checklist,
    /// after checking it against the dataset; undoable in the app.
    ImportAudit { project: PathBuf, spec: PathBuf },
    /// Write a project's audit checklist as an audit spec file.
    ExportAudit {
        project: PathBuf,
        /// Output file (stdout without it).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write every tag assignment as `id,tag` CSV.
    ExportTags {
        project: PathBuf,
        /// Output file (stdout without it).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Enter the human-level performance of a tag or slice value (a fraction, e.g. 0.95).
    #[command(group(clap::ArgGroup::new("subject").required(true).args(["tag", "slice"])))]
    Hlp {
        project: PathBuf,
        /// The tag.
        #[arg(long)]
        tag: Option<String>,
        /// The slice value, as COLUMN=VALUE.
        #[arg(long, value_name = "COLUMN=VALUE")]
        slice: Option<String>,
        accuracy: f64,
    },
    /// Point a project at its dataset's new location.
    Relocate { project: PathBuf, new_path: PathBuf },
}

/// Column-mapping flags shared by every command that reads a dataset.
#[derive(Debug, Default, Args)]
pub struct MappingArgs {
    /// Column holding the row ids.
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// Column holding the ground truth.
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// Column holding the model's prediction.
    #[arg(long, value_name = "COLUMN")]
    pub prediction: Option<String>,
    /// Column holding the model's confidence (0 to 1).
    #[arg(long, value_name = "COLUMN")]
    pub confidence: Option<String>,
    /// Column holding media paths, relative to the dataset folder.
    #[arg(long, value_name = "COLUMN")]
    pub media: Option<String>,
    /// Column holding a human's label, for human-level performance.
    #[arg(long, value_name = "COLUMN")]
    pub human: Option<String>,
    /// Column holding a baseline model's prediction.
    #[arg(long, value_name = "COLUMN")]
    pub baseline: Option<String>,
    /// Column holding `;`-separated tags.
    #[arg(long = "tags-column", value_name = "COLUMN")]
    pub tags_column: Option<String>,
    /// Use this column as a slice (repeatable); without it every other column is tried.
    #[arg(long = "slice", value_name = "COLUMN")]
    pub slices: Vec<String>,
    /// The kind of task; detected from the labels when omitted.
    #[arg(long, value_enum)]
    pub task: Option<TaskArg>,
    /// The table file inside a dataset folder holding several.
    #[arg(long, value_name = "FILE")]
    pub table: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TaskArg {
    Classification,
    Transcription,
}

impl From<MappingArgs> for MappingRequest {
    fn from(a: MappingArgs) -> Self {
        MappingRequest {
            id: a.id,
            label: a.label,
            prediction: a.prediction,
            confidence: a.confidence,
            media: a.media,
            human: a.human,
            baseline: a.baseline,
            tags: a.tags_column,
            slices: a.slices,
            task: a.task.map(|t| match t {
                TaskArg::Classification => Task::Classification,
                TaskArg::Transcription => Task::Transcription,
            }),
            table: a.table,
        }
    }
}

/// Runs the command line and returns the process exit status.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        None => run_app(None, None),
        Some(Command::Open { path, dashboard }) => run_app(Some(path), dashboard),
        Some(command) => execute(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum DashboardSection {
    Priorities,
    Slices,
    Classes,
    Confidence,
    Comparison,
    Audit,
}

/// Opens the desktop window (until it is closed).
fn run_app(open: Option<PathBuf>, dashboard: Option<DashboardSection>) -> Result<ExitCode> {
    if let Some(path) = &open
        && !path.exists()
    {
        bail!("{}: no such file or folder", path.display());
    }
    let app_options = crate::app::Options {
        dashboard: dashboard.map(|d| match d {
            DashboardSection::Priorities => crate::app::Section::Priorities,
            DashboardSection::Slices => crate::app::Section::Slices,
            DashboardSection::Classes => crate::app::Section::Classes,
            DashboardSection::Confidence => crate::app::Section::Confidence,
            DashboardSection::Comparison => crate::app::Section::Comparison,
            DashboardSection::Audit => crate::app::Section::Audit,
        }),
        ..Default::default()
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([800.0, 500.0])
            .with_title("errata"),
        ..Default::default()
    };
    eframe::run_native("errata", options, Box::new(move |cc| Ok(Box::new(crate::app::ErrataApp::with_options(cc, open, app_options.clone())))))
        .map_err(|e| anyhow::anyhow!("cannot open the errata window: {e}. A display is needed (on Linux, an X11 or Wayland session); the command-line tools work without one"))?;
    Ok(ExitCode::SUCCESS)
}

fn execute(command: Command) -> Result<ExitCode> {
    match command {
        Command::Open { path, dashboard } => run_app(Some(path), dashboard),
        Command::Audit {
            dataset,
            spec,
            mapping,
        } => audit(&dataset, spec.as_deref(), mapping.into()),
        Command::Report {
            dataset,
            format,
            output,
            spec,
            mapping,
        } => report(
            &dataset,
            format,
            output.as_deref(),
            spec.as_deref(),
            mapping.into(),
        ),
        Command::Init {
            dataset,
            output,
            mapping,
        } => {
            let target = output.unwrap_or_else(|| project::default_project_path(&dataset));
            let project = Project::init(&dataset, &mapping.into(), &target)?;
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
        Command::Tag {
            project,
            row_id,
            tags,
            remove,
            create,
        } => {
            let mut p = Project::open(&project)?;
            p.check_ids(&[row_id.as_str()])?;
            if create {
                for name in &tags {
                    if p.store.tag(name)?.is_none() {
                        let def = p.store.new_tag_def(name)?;
                        p.store.create_tag(def)?;
                    }
                }
            }
            let changed = if remove {
                let mut changed = 0;
                for tag in &tags {
                    changed += p.store.remove_tag(tag, &[&row_id])?;
                }
                changed
            } else {
                // All the tags in one edit: one undo step.
                let pairs: Vec<(String, String)> =
                    tags.iter().map(|t| (row_id.clone(), t.clone())).collect();
                p.store.assign_many(&pairs)?
            };
            eprintln!("{changed} change(s) saved to {}", project.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Review { project, row_ids } => {
            let mut p = Project::open(&project)?;
            let ids: Vec<&str> = row_ids.iter().map(String::as_str).collect();
            p.check_ids(&ids)?;
            let changed = p.store.set_reviewed(&ids, true)?;
            eprintln!("{changed} row(s) marked reviewed in {}", project.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportTags {
            project,
            csv,
            create,
        } => {
            let text = std::fs::read_to_string(&csv).with_context(|| {
                format!(
                    "{}: cannot read the tag file (expected UTF-8 CSV with id,tag lines)",
                    csv.display()
                )
            })?;
            let pairs = tag_csv::parse(&csv, &text)?;
            let mut p = Project::open(&project)?;
            let ids: Vec<&str> = pairs.iter().map(|(id, _)| id.as_str()).collect();
            p.check_ids(&ids)?;
            let added = p.store.import_assignments(&pairs, create)?;
            eprintln!(
                "{added} new assignment(s) of {} line(s) saved to {}",
                pairs.len(),
                project.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::ImportAudit { project, spec } => {
            let text = std::fs::read_to_string(&spec)
                .with_context(|| format!("{}: cannot read the audit spec", spec.display()))?;
            let (parsed, lines) = data::audit_spec::parse_with_lines(&text, &spec)?;
            let mut p = Project::open(&project)?;
            print_warnings(&p.warnings);
            check_spec(&parsed, &lines, &spec, &p.dataset.set, &p.book)?;
            p.store.set_audit_spec(Some(&text))?;
            eprintln!(
                "saved the audit checklist ({} checks) in {}",
                parsed.checks.len(),
                project.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::ExportAudit { project, output } => {
            let store = Store::open(&project)?;
            let Some(text) = store.audit_spec()? else {
                bail!(
                    "{}: the project has no audit checklist yet (errata import-audit adds one)",
                    project.display()
                );
            };
            write_output(output.as_deref(), &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::ExportTags { project, output } => {
            let store = Store::open(&project)?;
            let text = tag_csv::render(&store.assignments()?);
            write_output(output.as_deref(), &text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Hlp {
            project,
            tag,
            slice,
            accuracy,
        } => {
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
            let mut p = Project::open(&project)?;
            if let Subject::Slice { column, value } = &subject {
                let Some(slice) = p.dataset.set.slice(column) else {
                    let known: Vec<&str> = p
                        .dataset
                        .set
                        .slices
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect();
                    bail!(
                        "{}: no slice column {column:?}; slice columns: {}",
                        project.display(),
                        known.join(", ")
                    );
                };
                if !slice.values.iter().any(|v| v == value) {
                    bail!(
                        "{}: column {column:?} has no value {value:?}; values: {}",
                        project.display(),
                        slice.values.join(", ")
                    );
                }
            }
            p.store.set_hlp(&subject, Some(accuracy))?;
            eprintln!(
                "HLP of {subject} set to {accuracy} in {}",
                project.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Relocate { project, new_path } => {
            let p = Project::relocate(&project, &new_path)?;
            print_warnings(&p.warnings);
            eprintln!(
                "{} now uses the dataset at {}",
                project.display(),
                new_path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_warnings(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// Writes to the file atomically, or to stdout (a closed pipe is not an error).
fn write_output(output: Option<&Path>, text: &str) -> Result<()> {
    match output {
        Some(file) => {
            report::write_atomically(file, text.as_bytes())
                .with_context(|| format!("{}: cannot write", file.display()))?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e).context("cannot write to standard output");
            }
        }
    }
    Ok(())
}

/// A dataset, or a project with its dataset, loaded for a report or an audit.
enum Target {
    Project(PathBuf, Box<Project>),
    Dataset(PathBuf, Box<data::Dataset>),
}

impl Target {
    /// Loads it, printing warnings and notes to stderr.
    fn load(path: &Path, request: MappingRequest) -> Result<Target> {
        if looks_like_project(path) {
            if request != MappingRequest::default() {
                bail!(
                    "{}: a project keeps its own column mapping; mapping flags apply to datasets only",
                    path.display()
                );
            }
            let project = Project::open(path)?;
            print_warnings(&project.warnings);
            return Ok(Target::Project(path.to_path_buf(), Box::new(project)));
        }
        let dataset = data::load(path, &request)?;
        print_warnings(&dataset.warnings);
        for note in &dataset.notes {
            eprintln!("note: {note}");
        }
        Ok(Target::Dataset(path.to_path_buf(), Box::new(dataset)))
    }

    fn set(&self) -> &crate::model::EvalSet {
        match self {
            Target::Project(_, p) => &p.dataset.set,
            Target::Dataset(_, d) => &d.set,
        }
    }

    fn book(&self) -> &crate::model::TagBook {
        match self {
            Target::Project(_, p) => &p.book,
            Target::Dataset(_, d) => &d.tags,
        }
    }

    /// A project's own audit checklist, with the line of each check and the name messages use.
    fn stored_audit(
        &self,
    ) -> Result<Option<(crate::model::audit::AuditSpec, Vec<usize>, PathBuf)>> {
        let Target::Project(path, project) = self else {
            return Ok(None);
        };
        let Some(text) = project.store.audit_spec()? else {
            return Ok(None);
        };
        let mut source = path.as_os_str().to_owned();
        source.push(" (audit checklist)");
        let source = PathBuf::from(source);
        let (spec, lines) = data::audit_spec::parse_with_lines(&text, &source)?;
        Ok(Some((spec, lines, source)))
    }

    fn report(&self) -> Result<Report> {
        Ok(match self {
            Target::Project(path, project) => {
                let mut report = Report::new(
                    &project.dataset_path,
                    &project.dataset,
                    &project.book,
                    &project.inputs()?,
                );
                report.dataset.warnings = project.warnings.clone();
                report.dataset.project = Some(path.display().to_string());
                report.describe_tags(&project.store.tags()?);
                report
            }
            Target::Dataset(path, dataset) => {
                Report::new(path, dataset, &dataset.tags, &ManualInputs::default())
            }
        })
    }
}

/// Fails with the first check that does not fit the dataset, naming the spec's line.
fn check_spec(
    spec: &crate::model::audit::AuditSpec,
    lines: &[usize],
    spec_path: &Path,
    set: &crate::model::EvalSet,
    book: &crate::model::TagBook,
) -> Result<()> {
    if let Some(problem) = crate::model::audit::validate(spec, set, book).first() {
        bail!(
            "{}: line {}: check {:?}: {}",
            spec_path.display(),
            lines[problem.check],
            spec.checks[problem.check].risk,
            problem.message
        );
    }
    Ok(())
}

/// Runs the audit checks of `spec` and prints the pass/fail table; exit status 1 when a
/// check fails.
fn audit(path: &Path, spec_path: Option<&Path>, request: MappingRequest) -> Result<ExitCode> {
    use crate::model::audit::{self, Verdict};
    let read = spec_path.map(data::audit_spec::read).transpose()?;
    let target = Target::load(path, request)?;
    let Some((spec, lines, spec_path)) = read
        .map(|(spec, lines)| (spec, lines, spec_path.unwrap_or(path).to_path_buf()))
        .or(target.stored_audit()?)
    else {
        bail!(
            "{}: no audit spec: give one with --spec AUDIT.toml (docs/audit-spec.md)",
            path.display()
        );
    };
    let (set, book) = (target.set(), target.book());
    check_spec(&spec, &lines, &spec_path, set, book)?;
    let measured = audit::evaluate(&spec, set, book);
    let value = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    let mut rows = vec![[
        "check".to_string(),
        "metric".into(),
        "group".into(),
        "value".into(),
        "threshold".into(),
        "n".into(),
        "result".into(),
    ]];
    for m in &measured {
        let check = &spec.checks[m.check];
        let metric = match &check.class {
            Some(class) => format!("{} of {class}", check.metric.as_str()),
            None => check.metric.as_str().to_string(),
        };
        let shown = match m.reference {
            Some(r) => format!("{} (refs {})", value(m.value), value(Some(r))),
            None => value(m.value),
        };
        let threshold = match check.threshold {
            audit::Threshold::MaxGap(_) => {
                format!("{} (overall {})", check.threshold, value(m.overall))
            }
            _ => check.threshold.to_string(),
        };
        let result = match m.verdict {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::TooFew => "not judged (n < min_support)",
        };
        rows.push([
            check.risk.clone(),
            metric,
            m.group.clone(),
            shown,
            threshold,
            m.n.to_string(),
            result.into(),
        ]);
    }
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

fn report(
    path: &Path,
    format: Format,
    output: Option<&Path>,
    spec: Option<&Path>,
    request: MappingRequest,
) -> Result<ExitCode> {
    // A bad spec is reported before the (possibly long) load.
    let spec = spec
        .map(|p| data::audit_spec::read(p).map(|(s, lines)| (s, lines, p.to_path_buf())))
        .transpose()?;
    let target = Target::load(path, request)?;
    let mut report = target.report()?;
    let spec = match spec {
        Some(given) => Some(given),
        None => target.stored_audit()?,
    };
    if let Some((spec, lines, spec_path)) = spec {
        let (set, book) = (target.set(), target.book());
        check_spec(&spec, &lines, &spec_path, set, book)?;
        report.audit = Some(report::AuditResults::evaluate(&spec, set, book));
    }
    let Some(text) = format.render(&report) else {
        let Some(folder) = output else {
            bail!("--format csv writes one file per table: give the folder with -o FOLDER");
        };
        let written = report::csv::write(&report, folder)
            .with_context(|| format!("{}: cannot write the CSV tables", folder.display()))?;
        eprintln!("wrote {} tables to {}", written.len(), folder.display());
        return Ok(ExitCode::SUCCESS);
    };
    write_output(output, &text)?;
    Ok(ExitCode::SUCCESS)
}
