//! Report writers. A [`Report`] gathers the dataset summary and every figure of the
//! analysis; each format renders the same content.

pub mod csv;
pub mod drift;
pub mod format;
pub mod found_slices;
pub mod html;
pub mod json;
pub mod labels;
pub mod markdown;

use std::path::Path;

use serde::Serialize;

pub use crate::data::files::write_atomically;

use crate::data::project::Project;
use crate::data::table::{Fingerprint, TableFormat};
use crate::data::{ColumnRoles, Dataset};
use crate::model::analysis::{Analysis, ManualInputs};
use crate::model::audit::{self, AuditSpec, Check, Measured, SignOff, Verdict};
use crate::model::slices::FlagRule;
use crate::model::{EvalSet, TagBook, Task};

/// Version of the JSON layout (docs/report-schema.md); bumped only on breaking changes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Md,
    Html,
    Csv,
}

impl Format {
    /// The single-file format a file name asks for (`.html`, `.htm`, `.md`, `.json`).
    pub fn of_file(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "html" | "htm" => Some(Format::Html),
            "md" | "markdown" => Some(Format::Md),
            "json" => Some(Format::Json),
            _ => None,
        }
    }

    /// The report as text; `None` for CSV (one file per table: see `csv::write`).
    pub fn render(self, report: &Report) -> Option<String> {
        match self {
            Format::Json => Some(json::render(report)),
            Format::Md => Some(markdown::render(report)),
            Format::Html => Some(html::render(report)),
            Format::Csv => None,
        }
    }
}

pub use format::signed_points;

#[derive(Debug, Serialize)]
pub struct DatasetSummary {
    /// The dataset as the user named it.
    pub path: String,
    /// The table file, relative to the dataset folder.
    pub table: String,
    pub format: TableFormat,
    pub rows: usize,
    pub excluded_rows: usize,
    pub missing_media: usize,
    pub fingerprint: Fingerprint,
    pub columns: ColumnRoles,
    pub warnings: Vec<String>,
    /// The project file the tags came from, when the report was made from a project.
    pub project: Option<String>,
    /// Media files that exist but cannot be decoded; only with `report --check-media`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undecodable_media: Option<usize>,
    /// How a CSV/TSV table was split into fields; absent for Parquet and JSON Lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separator: Option<SeparatorSummary>,
}

impl DatasetSummary {
    /// The summary of a table before its rows are counted: where it is, what it is, how
    /// its columns are used.
    fn of_table(
        dataset_path: &Path,
        table: &crate::data::table::TableFile,
        fingerprint: &Fingerprint,
        columns: &ColumnRoles,
    ) -> Self {
        let name = table.path.strip_prefix(&table.root).unwrap_or(&table.path);
        DatasetSummary {
            path: dataset_path.display().to_string(),
            table: name.display().to_string(),
            format: table.format,
            rows: 0,
            excluded_rows: 0,
            missing_media: 0,
            fingerprint: fingerprint.clone(),
            columns: columns.clone(),
            warnings: Vec::new(),
            project: None,
            undecodable_media: None,
            separator: None,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SeparatorSummary {
    /// The separator itself: `,` `;` `\t` or `|`.
    pub character: String,
    /// Found from the table's first lines rather than given with `--separator`.
    pub detected: bool,
    /// Numbers written `0,93` were read as 0.93.
    pub decimal_comma: bool,
}

impl SeparatorSummary {
    /// "semicolon-separated (detected), decimal commas read as points", for report headers.
    pub fn describe(&self) -> String {
        let name = crate::data::table::separator_name(self.character.as_bytes()[0]);
        format!(
            "{name}-separated{}{}",
            if self.detected { " (detected)" } else { "" },
            if self.decimal_comma {
                ", decimal commas read as points"
            } else {
                ""
            }
        )
    }
}

/// A tag as defined in the project, with the first rows that carry it.
#[derive(Debug, Serialize)]
pub struct TagDefinition {
    pub name: String,
    pub description: String,
    /// `#rrggbb`, empty when the tags came from a dataset column.
    pub color: String,
    pub rows: u64,
    /// The ids of the first rows with the tag (at most [`EXAMPLES`]).
    pub examples: Vec<String>,
}

/// Example ids listed per tag.
pub const EXAMPLES: usize = 5;

/// The audit checklist: each check, every group it measured, and the sign-off.
#[derive(Clone, Debug, Serialize)]
pub struct AuditResults {
    pub checks: Vec<Check>,
    pub results: Vec<Measured>,
    pub signoff: SignOff,
}

impl AuditResults {
    /// `drift`: the comparison with a current set, for `drift` checks (not judged without).
    pub fn evaluate(
        spec: &AuditSpec,
        set: &EvalSet,
        book: &TagBook,
        drift: Option<&crate::model::drift::DatasetDrift>,
    ) -> Self {
        AuditResults {
            checks: spec.checks.clone(),
            results: audit::evaluate_with_drift(spec, set, book, drift),
            signoff: spec.signoff.clone(),
        }
    }

    pub fn failed(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .count()
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: u32,
    pub errata_version: &'static str,
    /// When the report was made (UTC; `SOURCE_DATE_EPOCH` fixes it for reproducible builds).
    /// The only line that differs between two reports of the same project.
    pub generated: String,
    pub task: Task,
    pub dataset: DatasetSummary,
    #[serde(flatten)]
    pub analysis: Analysis,
    pub tag_definitions: Vec<TagDefinition>,
    pub audit: Option<AuditResults>,
    /// Drift against a current set, when the project pairs one with its dataset.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "drift::serialize_section"
    )]
    pub drift: Option<crate::model::drift::analysis::DriftAnalysis>,
    /// The slices the finder ranked, when the project keeps a search or one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_slices: Option<crate::model::slice_finder::FoundSlices>,
    /// Which slice values are flagged "below overall" (the app's rule when exported from it).
    pub flag_rule: FlagRule,
}

impl Report {
    /// Probes every media file of `dataset` and records those that cannot be decoded: their
    /// count, and a warning naming the first ones.
    pub fn add_media_check(&mut self, dataset: &Dataset) {
        let Some(media) = &dataset.media else {
            self.dataset.undecodable_media = Some(0);
            return;
        };
        let rows: Vec<usize> = (0..media.len()).collect();
        let root = dataset
            .table
            .root
            .canonicalize()
            .unwrap_or_else(|_| dataset.table.root.clone());
        let found = crate::data::media::check(&root, media, &rows);
        self.dataset.undecodable_media = Some(found.undecodable.len());
        if !found.undecodable.is_empty() {
            let first: Vec<String> = found
                .undecodable
                .iter()
                .take(5)
                .map(|(_, why)| crate::model::text::shorten(why, 200))
                .collect();
            self.dataset.warnings.push(format!(
                "{} of {} media files cannot be decoded (first: {})",
                found.undecodable.len(),
                found.probed,
                first.join("; ")
            ));
        }
    }

    /// Whether a slice value is flagged, by [`Report::flag_rule`]: every format flags the
    /// same values, as the app does.
    pub fn below_overall(&self, slice: &crate::model::slices::SliceStats) -> bool {
        self.flag_rule.flags(slice, self.analysis.overall.accuracy)
    }
}

/// Now (or `SOURCE_DATE_EPOCH`) as `YYYY-MM-DD HH:MM UTC`.
pub fn generated_now() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    format_epoch(seconds)
}

fn format_epoch(seconds: i64) -> String {
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = crate::model::drift::monitor::civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

impl Report {
    /// The report of a dataset with the given tags and entered values (from the dataset's
    /// tags column, or from a project).
    pub fn new(
        dataset_path: &Path,
        dataset: &Dataset,
        tags: &TagBook,
        inputs: &ManualInputs,
    ) -> Self {
        let analysis = Analysis::compute(&dataset.set, tags, inputs);
        Report::from_analysis(dataset_path, dataset, tags, analysis)
    }

    /// The report around an analysis already computed (the app keeps one current).
    pub fn from_analysis(
        dataset_path: &Path,
        dataset: &Dataset,
        tags: &TagBook,
        analysis: Analysis,
    ) -> Self {
        let summary = DatasetSummary {
            rows: dataset.set.len(),
            excluded_rows: dataset.excluded_rows,
            missing_media: dataset.missing_media,
            warnings: dataset.warnings.clone(),
            separator: dataset.delimited.map(|d| SeparatorSummary {
                character: char::from(d.separator).to_string(),
                detected: d.detected,
                decimal_comma: d.decimal_comma(),
            }),
            ..DatasetSummary::of_table(
                dataset_path,
                &dataset.table,
                &dataset.fingerprint,
                &dataset.roles,
            )
        };
        let tag_definitions = tags
            .names()
            .iter()
            .enumerate()
            .map(|(id, name)| TagDefinition {
                name: name.clone(),
                description: String::new(),
                color: String::new(),
                rows: tags.counts(id).n,
                examples: tags
                    .rows(id)
                    .iter()
                    .take(EXAMPLES)
                    .map(|&r| dataset.set.ids.get(r as usize).to_string())
                    .collect(),
            })
            .collect();
        Report::assemble(dataset.set.task, summary, analysis, tag_definitions)
    }

    /// The report of a project: its dataset, tags and entered values, the project's warnings
    /// and tag definitions, around `analysis` (computed from the project, or the one the app
    /// keeps current). The audit checklist's results are the caller's to add.
    pub fn of_project(project: &Project, mut analysis: Analysis) -> Self {
        if analysis.corrected_labels.is_none() {
            analysis.set_corrections(project.given_set(), &project.label_corrections());
        }
        let mut report = Report::from_analysis(
            &project.dataset_path,
            &project.dataset,
            &project.book,
            analysis,
        );
        report.dataset.warnings = project.warnings.clone();
        report.dataset.project = Some(project.store.path().display().to_string());
        report.describe_tags(project.tag_defs());
        report
    }

    /// The report of a table counted in parts (see [`crate::data::CountedDataset`]): the
    /// same as the table held whole gives, but for the figures that need the rows.
    pub fn of_counted(dataset_path: &Path, dataset: &crate::data::CountedDataset) -> Self {
        let inputs = ManualInputs::default();
        let analysis = Analysis::of_counts(&dataset.counts, &dataset.tags, &inputs);
        let tags = &dataset.tags;
        let summary = DatasetSummary {
            rows: dataset.counts.overall.n as usize,
            excluded_rows: dataset.excluded_rows,
            missing_media: dataset.missing_media,
            warnings: dataset.warnings.clone(),
            ..DatasetSummary::of_table(
                dataset_path,
                &dataset.table,
                &dataset.fingerprint,
                &dataset.roles,
            )
        };
        let tag_definitions = tags
            .names
            .iter()
            .zip(&tags.counts)
            .map(|(name, counts)| TagDefinition {
                name: name.clone(),
                description: String::new(),
                color: String::new(),
                rows: counts.n,
                examples: dataset.tag_examples.get(name).cloned().unwrap_or_default(),
            })
            .collect();
        Report::assemble(dataset.counts.task, summary, analysis, tag_definitions)
    }

    /// A report of a dataset, before audit results, drift and found slices are added.
    fn assemble(
        task: Task,
        dataset: DatasetSummary,
        analysis: Analysis,
        tag_definitions: Vec<TagDefinition>,
    ) -> Self {
        Report {
            schema: SCHEMA_VERSION,
            errata_version: env!("CARGO_PKG_VERSION"),
            generated: generated_now(),
            task,
            dataset,
            analysis,
            tag_definitions,
            audit: None,
            drift: None,
            found_slices: None,
            flag_rule: FlagRule::default(),
        }
        .with_sorted_tags()
    }

    fn with_sorted_tags(mut self) -> Self {
        self.tag_definitions.sort_by(|a, b| a.name.cmp(&b.name));
        self
    }

    /// Takes descriptions and colours from the project's tag definitions.
    pub fn describe_tags(&mut self, defs: &[crate::data::store::TagDef]) {
        for tag in &mut self.tag_definitions {
            if let Some(def) = defs.iter().find(|d| d.name == tag.name) {
                tag.description = def.description.clone();
                tag.color = def.color.clone();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil_utc() {
        assert_eq!(format_epoch(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_epoch(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_epoch(1_795_395_660), "2026-11-23 01:01 UTC");
    }
}
