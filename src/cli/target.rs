//! What `report` and `audit` run on: a dataset (with mapping flags) or a project (with its
//! own mapping, tags, entered values and audit checklist).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::print_warnings;
use crate::data::project::Project;
use crate::data::store::looks_like_project;
use crate::data::{self, MappingRequest};
use crate::model::analysis::{Analysis, ManualInputs};
use crate::model::audit::AuditSpec;
use crate::model::{EvalSet, TagBook};
use crate::report::Report;

/// A dataset, or a project with its dataset, loaded for a report or an audit.
pub enum Target {
    Project(Box<Project>),
    Dataset(PathBuf, Box<data::Dataset>),
}

impl Target {
    /// Loads it, printing warnings and notes to stderr.
    pub fn load(path: &Path, request: MappingRequest) -> Result<Target> {
        if looks_like_project(path) {
            if request != MappingRequest::default() {
                bail!(
                    "{}: a project keeps its own column mapping; mapping flags apply to datasets only",
                    path.display()
                );
            }
            let project = Project::open(path)?;
            print_warnings(&project.warnings);
            return Ok(Target::Project(Box::new(project)));
        }
        let dataset = data::load(path, &request)?;
        print_warnings(&dataset.warnings);
        for note in &dataset.notes {
            eprintln!("note: {note}");
        }
        Ok(Target::Dataset(path.to_path_buf(), Box::new(dataset)))
    }

    /// Measures the media's input metrics (through a project's cache, which then keeps
    /// them) and adds them as slice columns.
    pub fn add_media_slices(&mut self) -> Result<()> {
        use crate::data::media_metrics;
        let dataset = self.dataset();
        let Some(media) = dataset.media.clone() else {
            eprintln!("note: no media column, so no input metrics");
            return Ok(());
        };
        let root = dataset.table.root.clone();
        let cache = match self {
            Target::Project(p) => p.store.media_metrics()?,
            Target::Dataset(..) => media_metrics::MetricsCache::new(),
        };
        let measured =
            media_metrics::compute(&root, &media, &cache, &crate::data::Progress::default())?;
        if !measured.failed.is_empty() {
            eprintln!(
                "warning: {} media files could not be measured and count as unknown ({})",
                measured.failed.len(),
                measured
                    .failed
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        let slices = media_metrics::as_slices(&measured.columns);
        match self {
            Target::Project(p) => {
                if !measured.measured.is_empty() {
                    p.store.save_media_metrics(&measured.measured)?;
                }
                p.add_input_slices(slices);
            }
            Target::Dataset(_, d) => {
                d.set = std::sync::Arc::new(d.set.with_slices(slices));
                d.tags = d.tags.recounted(&d.set);
            }
        }
        Ok(())
    }

    pub fn set(&self) -> &EvalSet {
        &self.dataset().set
    }

    pub fn dataset(&self) -> &crate::data::Dataset {
        match self {
            Target::Project(p) => &p.dataset,
            Target::Dataset(_, d) => d,
        }
    }

    pub fn book(&self) -> &TagBook {
        match self {
            Target::Project(p) => &p.book,
            Target::Dataset(_, d) => &d.tags,
        }
    }

    /// A project's own audit checklist, checked against its dataset.
    pub fn stored_audit(&self) -> Result<Option<AuditSpec>> {
        match self {
            Target::Project(project) => Ok(project.audit_checklist().transpose()?),
            Target::Dataset(..) => Ok(None),
        }
    }

    /// The report, without audit results.
    pub fn report(&self) -> Report {
        match self {
            Target::Project(project) => {
                let analysis =
                    Analysis::compute(&project.dataset.set, &project.book, project.inputs());
                Report::of_project(project, analysis)
            }
            Target::Dataset(path, dataset) => {
                Report::new(path, dataset, &dataset.tags, &ManualInputs::default())
            }
        }
    }
}
