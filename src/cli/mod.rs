//! The command line: `args` parses arguments into plain values, `target` resolves the dataset
//! or project a command names, `commands` holds one function per subcommand. Every error is
//! printed once to stderr with exit status 2; `anyhow` is used only here.

mod args;
mod commands;
mod drift;
mod slices;
mod target;

use crate::data::project::LabelVerdict;
use crate::model::slices::FlagRule;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Parser;

pub use args::{Cli, Command, DriftArgs, MappingArgs, TaskArg};

use crate::report;

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

fn execute(command: Command) -> Result<ExitCode> {
    match command {
        Command::Open { path, dashboard } => run_app(Some(path), dashboard),
        Command::Audit {
            dataset,
            spec,
            media_metrics,
            mapping,
        } => commands::audit(&dataset, spec.as_deref(), media_metrics, mapping.into()),
        Command::Report {
            dataset,
            format,
            output,
            spec,
            flag_margin,
            check_media,
            media_metrics,
            find_slices,
            part_rows,
            mapping,
        } => commands::report(
            &dataset,
            commands::ReportOptions {
                format,
                output: output.as_deref(),
                spec: spec.as_deref(),
                flag_rule: FlagRule::points(flag_margin),
                check_media,
                media_metrics,
                find_slices,
                part_rows,
            },
            mapping.into(),
        ),
        Command::Init {
            dataset,
            output,
            mapping,
        } => commands::init(&dataset, output, mapping.into()),
        Command::Tag {
            project,
            row_id,
            tags,
            remove,
            create,
        } => commands::tag(&project, row_id, tags, remove, create),
        Command::Review { project, row_ids } => commands::review(&project, row_ids),
        Command::ImportTags {
            project,
            csv,
            create,
        } => commands::import_tags(&project, &csv, create),
        Command::ImportAudit { project, spec } => commands::import_audit(&project, &spec),
        Command::ExportAudit { project, output } => {
            commands::export_audit(&project, output.as_deref())
        }
        Command::ExportTags { project, output } => {
            commands::export_tags(&project, output.as_deref())
        }
        Command::Hlp {
            project,
            tag,
            slice,
            accuracy,
        } => commands::hlp(&project, tag, slice, accuracy),
        Command::Label {
            project,
            row_id,
            label,
            confirm,
            clear,
        } => {
            let verdict = match (label, confirm, clear) {
                (_, true, _) => LabelVerdict::Confirmed,
                (_, _, true) => LabelVerdict::Cleared,
                (Some(label), ..) => LabelVerdict::Corrected(label),
                (None, ..) => unreachable!("clap requires a label, --confirm or --clear"),
            };
            commands::label(&project, row_id, verdict)
        }
        Command::ExportLabels { project, output } => {
            commands::export_labels(&project, output.as_deref())
        }
        Command::Relocate { project, new_path } => commands::relocate(&project, &new_path),
        Command::Drift(args) => drift::run(args),
        Command::Slices(args) => slices::run(args),
    }
}

/// Opens the desktop window (until it is closed).
fn run_app(open: Option<PathBuf>, dashboard: Option<crate::app::Section>) -> Result<ExitCode> {
    if let Some(path) = &open
        && !path.exists()
    {
        bail!("{}: no such file or folder", path.display());
    }
    let app_options = crate::app::Options {
        dashboard,
        ..Default::default()
    };
    crate::ui::run_window(open, app_options).map_err(|e| {
        anyhow::anyhow!(
            "cannot open the errata window: {e}. A display is needed (on Linux, an X11 or \
             Wayland session); the command-line tools work without one"
        )
    })?;
    Ok(ExitCode::SUCCESS)
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
