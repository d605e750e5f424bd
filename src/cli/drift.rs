//! `errata drift`: a reference (dataset or project) against a current set.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use super::args::DriftArgs;
use super::target::Target;
use super::write_output;
use crate::data::comparison::{self, Comparison};
use crate::data::media_metrics::MetricsCache;
use crate::data::project::DriftSettings;
use crate::data::{self, MappingRequest, Progress};
use crate::model::drift::analysis::{DriftAnalysis, DriftOptions};
use crate::model::drift::monitor::{Band, Window};
use crate::model::drift::{DriftTest, TestChoice};
use crate::report::{self, Format};

/// `COLUMN=TEST[:THRESHOLD]`
pub fn parse_test(text: &str) -> Result<(String, TestChoice)> {
    let Some((column, rest)) = text.rsplit_once('=') else {
        bail!(
            "--test {text:?}: write COLUMN=TEST or COLUMN=TEST:THRESHOLD (for example device=psi:0.2)"
        );
    };
    let (name, threshold) = match rest.split_once(':') {
        Some((name, t)) => (name, Some(t)),
        None => (rest, None),
    };
    let test = DriftTest::from_name(name).with_context(|| {
        format!(
            "--test {text:?}: {name:?} is not a test errata knows; use one of {}",
            DriftTest::ALL.map(|t| t.name()).join(", ")
        )
    })?;
    let threshold = threshold
        .map(|t| {
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .with_context(|| {
                    format!("--test {text:?}: the threshold {t:?} is not a number ≥ 0")
                })
        })
        .transpose()?;
    Ok((
        column.trim().to_string(),
        TestChoice {
            test: Some(test),
            threshold,
        },
    ))
}

/// `METRIC=LOW:HIGH`, either bound empty.
pub fn parse_alarm(text: &str) -> Result<(String, Band)> {
    let bad = || {
        anyhow::anyhow!(
            "--alarm {text:?}: write METRIC=LOW:HIGH (for example \"mean confidence=0.6:\"), either bound may be empty"
        )
    };
    let (metric, bounds) = text.rsplit_once('=').ok_or_else(bad)?;
    let (low, high) = bounds.split_once(':').ok_or_else(bad)?;
    let bound = |b: &str| -> Result<Option<f64>> {
        let b = b.trim();
        if b.is_empty() {
            return Ok(None);
        }
        b.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(bad)
    };
    let band = Band {
        low: bound(low)?,
        high: bound(high)?,
    };
    if band.low.is_none() && band.high.is_none() {
        return Err(bad());
    }
    Ok((metric.trim().to_string(), band))
}

pub fn run(args: DriftArgs) -> Result<ExitCode> {
    if !(args.drift_share > 0.0 && args.drift_share <= 1.0) {
        bail!("--drift-share {}: give a share in (0, 1]", args.drift_share);
    }
    // --time names the current set's time column too; for a project it is the only
    // mapping flag allowed.
    let mapping: MappingRequest = args.mapping.into();
    let time = mapping.time.clone();
    let is_project = data::store::looks_like_project(&args.reference);
    let reference_request = if is_project {
        MappingRequest {
            time: None,
            ..mapping
        }
    } else {
        mapping
    };
    let target = Target::load(&args.reference, reference_request)?;
    let stored = match &target {
        Target::Project(p) => p.drift_settings(),
        Target::Dataset(..) => DriftSettings::default(),
    };
    let current_path = match (&args.current, &stored.current) {
        (Some(c), _) => c.clone(),
        (None, Some(c)) => c.clone(),
        (None, None) => bail!(
            "{}: no current set: give one (errata drift REFERENCE CURRENT)",
            args.reference.display()
        ),
    };
    let mut options = if args.current.is_none() {
        stored.options.clone()
    } else {
        DriftOptions::default()
    };
    options.drift_share = args.drift_share;
    if let Some(w) = &args.window {
        options.window = Some(Window::parse(w).map_err(anyhow::Error::msg)?);
    }
    for t in &args.tests {
        let (column, choice) = parse_test(t)?;
        options.choices.insert(column, choice);
    }
    for a in &args.alarms {
        let (metric, band) = parse_alarm(a)?;
        options.bands.insert(metric, band);
    }
    let mut target = target;
    let cache = media_cache(&target, args.media_metrics)?;
    let Comparison {
        analysis,
        measured,
        warnings,
        ..
    } = comparison::compare(
        &comparison::Request {
            reference: &data::ReferenceSource::of(target.dataset()),
            shown_reference: &args.reference,
            current: &current_path,
            time: time.clone().or(stored.time.clone()),
            options: &options,
            media: cache.as_ref(),
        },
        &Progress::default(),
    )?;
    super::print_warnings(&warnings);
    keep_measured(&mut target, &measured)?;
    check_choices(&options, &analysis, &current_path)?;
    if args.save {
        let Target::Project(mut project) = target else {
            bail!(
                "--save keeps the comparison in a project: give a project file (.errata) as the reference"
            );
        };
        project.set_drift_settings(&DriftSettings {
            current: Some(std::path::absolute(&current_path).unwrap_or(current_path.clone())),
            time: time.clone(),
            options: options.clone(),
            media_metrics: args.media_metrics,
        })?;
    }
    write(&analysis, args.format, args.output.as_deref())?;
    let d = &analysis.drift;
    eprintln!(
        "{} of {} columns drifted ({:.0} %): {}; {} windows with an alarm",
        d.drifted,
        d.columns.len(),
        d.drift_share * 100.0,
        if d.dataset_drift {
            "the data set drifts"
        } else {
            "no data set drift"
        },
        analysis.alarm_count()
    );
    Ok(if d.dataset_drift || analysis.alarm_count() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The comparison a project keeps (its current set and options), for `errata report`;
/// `None` without one. A current set that cannot be read is a warning, not a failed report.
pub fn stored_analysis(target: &mut Target) -> Option<DriftAnalysis> {
    let Target::Project(project) = target else {
        return None;
    };
    let settings = project.drift_settings();
    let current_path = settings.current.clone()?;
    let result = (|| -> Result<DriftAnalysis> {
        let cache = media_cache(target, settings.media_metrics)?;
        let found = comparison::compare(
            &comparison::Request {
                reference: &data::ReferenceSource::of(target.dataset()),
                shown_reference: &target.dataset().table.path,
                current: &current_path,
                time: settings.time.clone(),
                options: &settings.options,
                media: cache.as_ref(),
            },
            &Progress::default(),
        )?;
        super::print_warnings(&found.warnings);
        keep_measured(target, &found.measured)?;
        Ok(found.analysis)
    })();
    match result {
        Ok(analysis) => Some(analysis),
        Err(e) => {
            eprintln!("warning: the drift section is left out: {e:#}");
            None
        }
    }
}

/// The media metrics measured before, when the media are to be measured: a project's, or
/// none yet for a dataset.
fn media_cache(target: &Target, media: bool) -> Result<Option<MetricsCache>> {
    Ok(match (media, target) {
        (false, _) => None,
        (true, Target::Project(p)) => Some(p.store.media_metrics()?),
        (true, Target::Dataset(..)) => Some(MetricsCache::new()),
    })
}

/// Keeps what was measured in the project, so the files are decoded once.
fn keep_measured(
    target: &mut Target,
    measured: &crate::data::media_metrics::Measured,
) -> Result<()> {
    if let Target::Project(p) = target
        && !measured.is_empty()
    {
        p.store.save_media_metrics(measured)?;
    }
    Ok(())
}

/// A chosen test or band must name a column or metric the comparison has.
fn check_choices(options: &DriftOptions, analysis: &DriftAnalysis, current: &Path) -> Result<()> {
    let d = &analysis.drift;
    let columns: Vec<&str> = d
        .columns
        .iter()
        .map(|c| c.column.as_str())
        .chain(d.skipped.iter().map(|(c, _)| c.as_str()))
        .collect();
    if let Some(column) = options
        .choices
        .keys()
        .find(|c| !columns.contains(&c.as_str()))
    {
        bail!(
            "{}: --test names column {column:?}, which is not compared; the columns are: {}",
            current.display(),
            columns.join(", ")
        );
    }
    let metrics: Vec<&str> = analysis.outputs.iter().map(|o| o.metric.as_str()).collect();
    if let Some(metric) = options
        .bands
        .keys()
        .find(|m| !metrics.contains(&m.as_str()))
    {
        bail!(
            "{}: --alarm names metric {metric:?}, which is not followed; the metrics are: {}",
            current.display(),
            metrics.join(", ")
        );
    }
    Ok(())
}

fn write(analysis: &DriftAnalysis, format: Format, output: Option<&Path>) -> Result<()> {
    match report::drift::render_standalone(format, analysis) {
        Some(text) => write_output(output, &text),
        None => {
            let Some(folder) = output else {
                bail!("--format csv writes one file per table: give the folder with -o FOLDER");
            };
            let files = report::csv::plain_files(report::drift::tables(analysis));
            let written = report::csv::write_files(folder, files)
                .with_context(|| format!("{}: cannot write the CSV tables", folder.display()))?;
            eprintln!("wrote {} tables to {}", written.len(), folder.display());
            Ok(())
        }
    }
}
