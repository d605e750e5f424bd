//! The command line: parses arguments into plain values, runs the command, and turns every
//! error into a message on stderr with exit status 2.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};

use crate::data::{self, MappingRequest};
use crate::model::Task;
use crate::model::analysis::ManualInputs;
use crate::report::{self, Format, Report};

#[derive(Debug, Parser)]
#[command(
    name = "errata",
    version,
    about = "Error analysis and auditing of machine-learning evaluation sets"
)]
#[command(arg_required_else_help = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compute every metric of a dataset and write a report.
    Report {
        /// A dataset folder (with metadata.csv, .tsv, .parquet or .jsonl) or a table file.
        dataset: PathBuf,
        /// Report format.
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Output file (json, md) or folder (csv). JSON and Markdown go to stdout without it.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        mapping: MappingArgs,
    },
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
    match execute(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn execute(command: Command) -> Result<ExitCode> {
    match command {
        Command::Report {
            dataset,
            format,
            output,
            mapping,
        } => report(&dataset, format, output.as_deref(), mapping.into()),
    }
}

fn print_diagnostics(dataset: &data::Dataset) {
    for warning in &dataset.warnings {
        eprintln!("warning: {warning}");
    }
    for note in &dataset.notes {
        eprintln!("note: {note}");
    }
}

fn report(
    path: &Path,
    format: Format,
    output: Option<&Path>,
    request: MappingRequest,
) -> Result<ExitCode> {
    let dataset = data::load(path, &request)?;
    print_diagnostics(&dataset);
    let report = Report::new(path, &dataset, &ManualInputs::default());
    let text = match format {
        Format::Json => report::json::render(&report),
        Format::Md => report::markdown::render(&report),
        Format::Csv => {
            let Some(folder) = output else {
                bail!("--format csv writes one file per table: give the folder with -o FOLDER");
            };
            let written = report::csv::write(&report, folder)
                .with_context(|| format!("{}: cannot write the CSV tables", folder.display()))?;
            eprintln!("wrote {} tables to {}", written.len(), folder.display());
            return Ok(ExitCode::SUCCESS);
        }
    };
    match output {
        Some(file) => {
            report::write_atomically(file, text.as_bytes())
                .with_context(|| format!("{}: cannot write the report", file.display()))?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`errata report … | head`) is not an error worth reporting.
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e).context("cannot write to standard output");
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
