//! The Drift section's state: the current set paired with the project (kept in it), the
//! options, and the comparison, computed on a background thread (`errata-drift`: reading
//! the current set, measuring media, testing every column) with progress and cancel.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::data::media_metrics::{self, Measured, MetricsCache};
use crate::data::project::{DriftSettings, Project};
use crate::data::{self, MappingRequest, Progress};
use crate::model::drift::TestChoice;
use crate::model::drift::analysis::DriftAnalysis;
use crate::model::drift::monitor::{Band, Window};
use crate::model::drift::monitored::MonitoredSet;

/// What the user asks of the Drift section.
#[derive(Clone, Debug, PartialEq)]
pub enum DriftCommand {
    /// Compare with this current set (kept in the project).
    SetCurrent(PathBuf),
    SetWindow(Option<Window>),
    SetTest(String, TestChoice),
    SetBand(String, Option<Band>),
    SetMediaMetrics(bool),
    Cancel,
}

/// A finished comparison, with both sets (for the charts and the rows behind a click).
pub struct DriftResult {
    pub analysis: DriftAnalysis,
    pub reference: MonitoredSet,
    pub current: MonitoredSet,
}

type Outcome = Result<(DriftResult, Measured, Vec<String>), String>;

pub enum DriftState {
    Idle,
    Running {
        progress: Arc<Progress>,
        done: Receiver<Outcome>,
    },
    Ready(Box<DriftResult>),
    Failed(String),
}

pub struct DriftMonitor {
    pub settings: DriftSettings,
    /// Measure the media too (kept in the project's settings as the `media` option).
    pub media_metrics: bool,
    pub state: DriftState,
    pub warnings: Vec<String>,
}

impl DriftMonitor {
    /// No comparison yet.
    pub fn idle() -> DriftMonitor {
        DriftMonitor {
            settings: DriftSettings::default(),
            media_metrics: false,
            state: DriftState::Idle,
            warnings: Vec::new(),
        }
    }

    /// The project's stored comparison, started at once when it names a current set.
    pub fn of(project: &Project) -> DriftMonitor {
        let settings = project.drift_settings();
        let mut monitor = DriftMonitor {
            media_metrics: settings.media_metrics,
            settings,
            state: DriftState::Idle,
            warnings: Vec::new(),
        };
        if monitor.settings.current.is_some() {
            monitor.start(project);
        }
        monitor
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, DriftState::Running { .. })
    }

    /// Carries out a command; settings changes are kept in the project, then the comparison
    /// runs again.
    pub fn apply(&mut self, command: DriftCommand, project: &mut Project) {
        match command {
            DriftCommand::Cancel => {
                if let DriftState::Running { progress, .. } = &self.state {
                    progress.cancel();
                }
                self.state = DriftState::Idle;
                return;
            }
            DriftCommand::SetCurrent(path) => {
                self.settings.current = Some(std::path::absolute(&path).unwrap_or(path));
            }
            DriftCommand::SetWindow(window) => self.settings.options.window = window,
            DriftCommand::SetTest(column, choice) => {
                if choice == TestChoice::default() {
                    self.settings.options.choices.remove(&column);
                } else {
                    self.settings.options.choices.insert(column, choice);
                }
            }
            DriftCommand::SetBand(metric, band) => match band {
                Some(b) => {
                    self.settings.options.bands.insert(metric, b);
                }
                None => {
                    self.settings.options.bands.remove(&metric);
                }
            },
            DriftCommand::SetMediaMetrics(on) => {
                self.media_metrics = on;
                self.settings.media_metrics = on;
            }
        }
        // A read-only project still compares; the choice is then kept for this session only.
        let _ = project.set_drift_settings(&self.settings);
        self.start(project);
    }

    /// Starts the comparison on `errata-drift`.
    fn start(&mut self, project: &Project) {
        if let DriftState::Running { progress, .. } = &self.state {
            progress.cancel();
        }
        let Some(current_path) = self.settings.current.clone() else {
            self.state = DriftState::Idle;
            return;
        };
        let source = data::ReferenceSource::of(&project.dataset);
        let cache = if self.media_metrics {
            project.store.media_metrics().unwrap_or_default()
        } else {
            MetricsCache::new()
        };
        let settings = self.settings.clone();
        let media = self.media_metrics;
        let progress = Arc::new(Progress::default());
        let (tx, rx) = channel();
        let job_progress = progress.clone();
        let spawned = std::thread::Builder::new()
            .name("errata-drift".into())
            .spawn(move || {
                let outcome = data::contain::contain(|| {
                    compare(
                        &source,
                        &current_path,
                        &settings,
                        media,
                        &cache,
                        &job_progress,
                    )
                })
                .unwrap_or_else(|panic| {
                    Err(format!(
                        "{}: comparing the sets failed ({panic}); the project is unchanged",
                        current_path.display()
                    ))
                });
                let _ = tx.send(outcome);
            });
        self.state = match spawned {
            Ok(_) => DriftState::Running { progress, done: rx },
            Err(e) => DriftState::Failed(format!("cannot start the comparison: {e}")),
        };
    }

    /// Picks up a finished comparison; keeps the media measured in the project.
    pub fn poll(&mut self, project: &mut Project) -> bool {
        let DriftState::Running { done, .. } = &self.state else {
            return false;
        };
        let outcome = match done.try_recv() {
            Ok(outcome) => outcome,
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => Err("the comparison stopped unexpectedly".into()),
        };
        self.state = match outcome {
            Ok((result, measured, warnings)) => {
                if !measured.is_empty() {
                    let _ = project.store.save_media_metrics(&measured);
                }
                self.warnings = warnings;
                DriftState::Ready(Box::new(result))
            }
            Err(message) => DriftState::Failed(message),
        };
        true
    }
}

fn compare(
    source: &data::ReferenceSource,
    current_path: &std::path::Path,
    settings: &DriftSettings,
    media: bool,
    cache: &MetricsCache,
    progress: &Progress,
) -> Outcome {
    let request = MappingRequest {
        time: settings.time.clone(),
        ..MappingRequest::default()
    };
    let mut reference = data::load_reference(source, &source.table, progress)
        .map_err(|e| format!("the project's dataset: {e}"))?;
    let mut current =
        data::load_current(current_path, &source.roles, &reference, &request, progress)
            .map_err(|e| e.to_string())?;
    if matches!(settings.options.window, Some(Window::Seconds(_))) && current.times.is_none() {
        return Err(format!(
            "{}: a window of {} needs a time column (timestamp, time, date or created_at); cut by rows instead",
            current_path.display(),
            settings
                .options
                .window
                .map(|w| w.describe())
                .unwrap_or_default()
        ));
    }
    let (mut measured, mut warnings) = (Vec::new(), Vec::new());
    if media {
        for set in [&mut reference, &mut current] {
            let (new, w) =
                media_metrics::add_to(set, cache, progress).map_err(|e| e.to_string())?;
            measured.extend(new);
            warnings.extend(w);
        }
    }
    let analysis = DriftAnalysis::compute(&reference, &current, &settings.options)
        .map_err(|e| format!("{}: {e}", current_path.display()))?;
    Ok((
        DriftResult {
            analysis,
            reference,
            current,
        },
        measured,
        warnings,
    ))
}

impl std::fmt::Debug for DriftMonitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            DriftState::Idle => "idle",
            DriftState::Running { .. } => "running",
            DriftState::Ready(_) => "ready",
            DriftState::Failed(_) => "failed",
        };
        f.debug_struct("DriftMonitor")
            .field("settings", &self.settings)
            .field("state", &state)
            .finish()
    }
}
