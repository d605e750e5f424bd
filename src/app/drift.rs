//! The Drift section's state: the current set paired with the project (kept in it), the
//! options, and the comparison, computed on a background thread (`errata-drift`: reading
//! the current set, measuring media, testing every column) with progress and cancel.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::data::comparison::{self, Comparison};
use crate::data::project::{DriftSettings, Project};
use crate::data::{self, Progress};
use crate::model::drift::TestChoice;
use crate::model::drift::monitor::{Band, Window};

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

/// A finished comparison (both sets kept, for the charts and the rows behind a click).
pub type DriftResult = Comparison;

type Outcome = Result<Comparison, String>;

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
    pub state: DriftState,
    pub warnings: Vec<String>,
}

impl DriftMonitor {
    /// No comparison yet.
    pub fn idle() -> DriftMonitor {
        DriftMonitor {
            settings: DriftSettings::default(),
            state: DriftState::Idle,
            warnings: Vec::new(),
        }
    }

    /// The project's stored comparison, started at once when it names a current set.
    pub fn of(project: &Project) -> DriftMonitor {
        let settings = project.drift_settings();
        let mut monitor = DriftMonitor {
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
            DriftCommand::SetMediaMetrics(on) => self.settings.media_metrics = on,
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
        // The cache is read here: the store belongs to this thread.
        let cache = self
            .settings
            .media_metrics
            .then(|| project.store.media_metrics().unwrap_or_default());
        let settings = self.settings.clone();
        let progress = Arc::new(Progress::default());
        let (tx, rx) = channel();
        let job_progress = progress.clone();
        let spawned = std::thread::Builder::new()
            .name("errata-drift".into())
            .spawn(move || {
                let outcome = data::contain::contain(|| {
                    comparison::compare(
                        &comparison::Request {
                            reference: &source,
                            shown_reference: &source.table,
                            current: &current_path,
                            time: settings.time.clone(),
                            options: &settings.options,
                            media: cache.as_ref(),
                        },
                        &job_progress,
                    )
                    .map_err(|e| e.to_string())
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
            Ok(mut result) => {
                let measured = std::mem::take(&mut result.measured);
                if !measured.is_empty() {
                    // A read-only project measures again next time; nothing is lost.
                    let _ = project.store.save_media_metrics(&measured);
                }
                self.warnings = std::mem::take(&mut result.warnings);
                DriftState::Ready(Box::new(result))
            }
            Err(message) => DriftState::Failed(message),
        };
        true
    }
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
