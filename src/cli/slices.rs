//! `errata slices`: the slices where the model errs most, from a dataset or a project.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::args::{SlicesArgs, SlicesFormat};
use super::target::Target;
use super::write_output;
use crate::model::slice_finder::{ErrorKind, FoundSlices, MinSupport, Search};
use crate::report::{csv, found_slices, markdown};

/// The search the arguments ask for: the project's kept search (or the defaults) with
/// each given parameter in its place.
fn search_of(args: &SlicesArgs, kept: Option<Search>) -> Result<Search> {
    let mut search = kept.unwrap_or_default();
    let p = &mut search.params;
    if let Some(alpha) = args.alpha {
        p.alpha = alpha;
    }
    if let Some(k) = args.k {
        p.k = k;
    }
    if let Some(level) = args.max_level {
        p.max_level = level;
    }
    if let Some(support) = &args.min_support {
        p.min_support = MinSupport::parse(support).context("--min-support")?;
    }
    if let Some(errors) = &args.errors {
        search.errors = Some(ErrorKind::parse(errors).with_context(|| {
            format!("--errors {errors:?}: use misclassified, wer or regressions")
        })?);
    }
    if !args.columns.is_empty() {
        search.columns = args.columns.iter().map(|c| c.trim().to_string()).collect();
    }
    search.params.check().context("cannot search for slices")?;
    Ok(search)
}

/// The search a project keeps (`--save`, or the app's last).
fn kept_search(target: &Target) -> Option<Search> {
    match target {
        Target::Project(p) => p.slice_search(),
        Target::Dataset(..) => None,
    }
}

/// The search a report includes: the project's kept one, or the defaults when asked.
pub fn report_search(target: &Target, asked: bool) -> Option<Search> {
    kept_search(target).or_else(|| asked.then(Search::default))
}

/// Runs a search over a loaded target, naming the dataset in its errors.
pub fn find(target: &Target, search: &Search) -> Result<FoundSlices> {
    search
        .run(target.set(), target.book(), &|_| true)
        .with_context(|| {
            format!(
                "{}: cannot search for slices",
                target.dataset().table.path.display()
            )
        })
}

pub fn run(mut args: SlicesArgs) -> Result<ExitCode> {
    let request = std::mem::take(&mut args.mapping).into();
    let mut target = Target::load(&args.dataset, request)?;
    let search = search_of(&args, kept_search(&target))?;
    if args.save && !matches!(target, Target::Project(_)) {
        bail!(
            "--save keeps the search in a project: give a .errata file (errata init creates one)"
        );
    }
    if args.media_metrics {
        target.add_media_slices()?;
    }
    let found = find(&target, &search)?;
    if args.save
        && let Target::Project(project) = &mut target
    {
        project.set_slice_search(&search)?;
    }
    let text = match args.format {
        SlicesFormat::Json => {
            // Serialized directly (not through `json!`), so predicates keep feature order.
            #[derive(serde::Serialize)]
            struct Doc<'a> {
                found_slices: &'a FoundSlices,
            }
            serde_json::to_string_pretty(&Doc {
                found_slices: &found,
            })? + "\n"
        }
        SlicesFormat::Md => {
            let mut out = String::new();
            markdown::plain_tables(&mut out, found_slices::tables(&found));
            out
        }
        SlicesFormat::Csv => csv::plain_files(found_slices::tables(&found))
            .into_iter()
            .map(|(_, text)| text)
            .collect(),
    };
    write_output(args.output.as_deref(), &text)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_parameters_replace_the_kept_ones() {
        use clap::Parser;
        let cli = crate::cli::args::Cli::parse_from([
            "errata",
            "slices",
            "x",
            "--alpha",
            "0.9",
            "--columns",
            "a, b",
            "--min-support",
            "2%",
        ]);
        let Some(crate::cli::args::Command::Slices(args)) = cli.command else {
            panic!()
        };
        let kept = Search {
            errors: Some(ErrorKind::Regressions),
            ..Search::default()
        };
        let s = search_of(&args, Some(kept)).unwrap();
        assert_eq!(s.params.alpha, 0.9);
        assert_eq!(s.params.k, 10);
        assert_eq!(s.params.min_support, MinSupport::Share(0.02));
        assert_eq!(s.columns, vec!["a", "b"]);
        assert_eq!(s.errors, Some(ErrorKind::Regressions));
    }
}
