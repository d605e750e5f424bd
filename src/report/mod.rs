//! Report writers. A [`Report`] gathers the dataset summary and every figure of the
//! analysis; each format renders the same content.

pub mod csv;
pub mod json;
pub mod markdown;

use std::path::Path;

use serde::Serialize;

use crate::data::table::{Fingerprint, TableFormat};
use crate::data::{ColumnRoles, Dataset};
use crate::model::analysis::{Analysis, ManualInputs};
use crate::model::{TagBook, Task};

/// Version of the JSON layout (docs/report-schema.md); bumped only on breaking changes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Md,
    Csv,
}

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
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: u32,
    pub errata_version: &'static str,
    pub task: Task,
    pub dataset: DatasetSummary,
    #[serde(flatten)]
    pub analysis: Analysis,
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
        let table = dataset
            .table
            .path
            .strip_prefix(&dataset.table.root)
            .unwrap_or(&dataset.table.path);
        Report {
            schema: SCHEMA_VERSION,
            errata_version: env!("CARGO_PKG_VERSION"),
            task: dataset.set.task,
            dataset: DatasetSummary {
                path: dataset_path.display().to_string(),
                table: table.display().to_string(),
                format: dataset.table.format,
                rows: dataset.set.len(),
                excluded_rows: dataset.excluded_rows,
                missing_media: dataset.missing_media,
                fingerprint: dataset.fingerprint.clone(),
                columns: dataset.roles.clone(),
                warnings: dataset.warnings.clone(),
                project: None,
            },
            analysis: Analysis::compute(&dataset.set, tags, inputs),
        }
    }
}

pub use crate::data::files::write_atomically;
