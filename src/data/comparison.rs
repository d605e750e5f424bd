//! A drift comparison from files, as the CLI, the report and the app's background job all
//! run it: the reference's table read again, the current set read with its roles, the media
//! measured (through a cache) when asked, then every figure of `DriftAnalysis`.

use std::path::{Path, PathBuf};

use super::load::{ReferenceSource, load_current, load_reference};
use super::media_metrics::{self, Measured, MetricsCache};
use super::{LoadError, MappingRequest, Progress};
use crate::model::drift::DriftError;
use crate::model::drift::analysis::{DriftAnalysis, DriftOptions};
use crate::model::drift::monitor::Window;
use crate::model::drift::monitored::MonitoredSet;

/// A finished comparison, with both sets (for the charts and the rows behind a click) and
/// the media measured now, for the caller to keep in its project.
pub struct Comparison {
    pub analysis: DriftAnalysis,
    pub reference: MonitoredSet,
    pub current: MonitoredSet,
    pub measured: Measured,
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ComparisonError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(
        "{}: a window of {window} needs a time column (named timestamp, time, date or created_at, or given with --time COLUMN); or cut by rows (500 rows)",
        path.display()
    )]
    NoTimes { path: PathBuf, window: String },
    #[error("{}: {source}", path.display())]
    Drift { path: PathBuf, source: DriftError },
}

/// What to compare and how.
pub struct Request<'a> {
    pub reference: &'a ReferenceSource,
    /// The reference as the user named it (a project or dataset path), for the report.
    pub shown_reference: &'a Path,
    pub current: &'a Path,
    /// The current set's time column, when the user named it.
    pub time: Option<String>,
    pub options: &'a DriftOptions,
    /// Measure the media, taking what the cache already knows.
    pub media: Option<&'a MetricsCache>,
}

pub fn compare(request: &Request<'_>, progress: &Progress) -> Result<Comparison, ComparisonError> {
    let mut reference = load_reference(request.reference, request.shown_reference, progress)?;
    let current_request = MappingRequest {
        time: request.time.clone(),
        ..MappingRequest::default()
    };
    let mut current = load_current(
        request.current,
        &request.reference.roles,
        &reference,
        &current_request,
        progress,
    )?;
    if let Some(window @ Window::Seconds(_)) = request.options.window
        && current.times.is_none()
    {
        return Err(ComparisonError::NoTimes {
            path: request.current.to_path_buf(),
            window: window.describe(),
        });
    }
    let (mut measured, mut warnings) = (Vec::new(), Vec::new());
    if let Some(cache) = request.media {
        for set in [&mut reference, &mut current] {
            let (new, w) = media_metrics::add_to(set, cache, progress)?;
            measured.extend(new);
            warnings.extend(w);
        }
    }
    let analysis =
        DriftAnalysis::compute(&reference, &current, request.options).map_err(|source| {
            ComparisonError::Drift {
                path: request.current.to_path_buf(),
                source,
            }
        })?;
    Ok(Comparison {
        analysis,
        reference,
        current,
        measured,
        warnings,
    })
}
