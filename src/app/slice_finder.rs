//! The Find slices section's state: the search (kept in the project), the slices found on a
//! background thread (`errata-slices`) with progress and cancel, and the two-feature grid.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

use crate::data::project::Project;
use crate::model::slice_finder::grid::Grid;
use crate::model::slice_finder::{self, FoundSlices, Search};

/// What the user asks of the Find slices section.
#[derive(Clone, Debug, PartialEq)]
pub enum FinderCommand {
    /// Search with these parameters (kept in the project).
    Run(Search),
    Cancel,
    /// Cross two features (by name) in the grid.
    Grid(String, String),
    /// Show the rows of a found slice (by rank) in the review table.
    ShowSlice(usize),
    /// Show the rows of a grid cell (grid row, grid column).
    ShowCell(usize, usize),
    /// Add a found slice (by rank) to the audit checklist.
    AddCheck(usize),
}

pub enum FinderState {
    Idle,
    Running {
        /// The share done, as f32 bits.
        progress: Arc<AtomicU32>,
        cancel: Arc<AtomicBool>,
        done: Receiver<Result<FoundSlices, String>>,
    },
    Ready(Box<FoundSlices>),
    Failed(String),
}

pub struct SliceFinder {
    pub search: Search,
    pub state: FinderState,
    /// The two features crossed, and their grid (computed once per choice).
    pub grid: Option<Grid>,
}

impl SliceFinder {
    /// No search yet.
    pub fn idle() -> SliceFinder {
        SliceFinder {
            search: Search::default(),
            state: FinderState::Idle,
            grid: None,
        }
    }

    /// The project's kept search, run at once in the background.
    pub fn of(project: &Project) -> SliceFinder {
        let kept = project.slice_search();
        let mut finder = SliceFinder {
            search: kept.clone().unwrap_or_default(),
            state: FinderState::Idle,
            grid: None,
        };
        if kept.is_some() {
            finder.start(project);
        }
        finder
    }

    pub fn is_running(&self) -> bool {
        matches!(self.state, FinderState::Running { .. })
    }

    /// The share of the search done, while it runs.
    pub fn progress(&self) -> Option<f32> {
        match &self.state {
            FinderState::Running { progress, .. } => {
                Some(f32::from_bits(progress.load(Ordering::Relaxed)))
            }
            _ => None,
        }
    }

    pub fn found(&self) -> Option<&FoundSlices> {
        match &self.state {
            FinderState::Ready(found) => Some(found),
            _ => None,
        }
    }

    /// Runs `search` (kept in the project) or cancels the one running.
    pub fn run(&mut self, search: Option<Search>, project: &mut Project) {
        match search {
            Some(search) => {
                self.search = search;
                // A read-only project still searches; the choice then holds for this session.
                let _ = project.set_slice_search(&self.search);
                self.start(project);
            }
            None => {
                if let FinderState::Running { cancel, .. } = &self.state {
                    cancel.store(true, Ordering::Relaxed);
                }
                self.state = FinderState::Idle;
            }
        }
    }

    fn start(&mut self, project: &Project) {
        if let FinderState::Running { cancel, .. } = &self.state {
            cancel.store(true, Ordering::Relaxed);
        }
        if let Err(e) = self.search.params.check() {
            self.state = FinderState::Failed(e.to_string());
            return;
        }
        let set = project.dataset.set.clone();
        let book = project.book.clone();
        let search = self.search.clone();
        let progress = Arc::new(AtomicU32::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = channel();
        let (job_progress, job_cancel) = (progress.clone(), cancel.clone());
        let spawned = std::thread::Builder::new()
            .name("errata-slices".into())
            .spawn(move || {
                let keep_going = |done: f32| {
                    job_progress.store(done.clamp(0.0, 1.0).to_bits(), Ordering::Relaxed);
                    !job_cancel.load(Ordering::Relaxed)
                };
                let outcome = crate::data::contain::contain(|| {
                    search
                        .run(&set, &book, &keep_going)
                        .map_err(|e| e.to_string())
                })
                .unwrap_or_else(|panic| Err(format!("the search failed ({panic})")));
                let _ = tx.send(outcome);
            });
        self.state = match spawned {
            Ok(_) => FinderState::Running {
                progress,
                cancel,
                done: rx,
            },
            Err(e) => FinderState::Failed(format!("cannot start the search: {e}")),
        };
    }

    /// Picks up a finished search.
    pub fn poll(&mut self) -> bool {
        let FinderState::Running { done, .. } = &self.state else {
            return false;
        };
        self.state = match done.try_recv() {
            Ok(Ok(found)) => FinderState::Ready(Box::new(found)),
            Ok(Err(message)) => FinderState::Failed(message),
            Err(TryRecvError::Empty) => return false,
            Err(TryRecvError::Disconnected) => {
                FinderState::Failed("the search stopped unexpectedly".into())
            }
        };
        true
    }

    /// Crosses two features of the project's set (one pass over the rows).
    pub fn set_grid(&mut self, down: &str, across: &str, project: &Project) -> Result<(), String> {
        let [d, a] = pair_of_features(project, down, across)?;
        self.grid = Some(Grid::compute(&d, &a, &project.dataset.set.correct));
        Ok(())
    }

    /// The rows of one grid cell.
    pub fn cell_rows(&self, i: usize, j: usize, project: &Project) -> Option<Vec<u32>> {
        let grid = self.grid.as_ref()?;
        let [d, a] = pair_of_features(project, &grid.down, &grid.across).ok()?;
        Some(grid.rows(&d, &a, i, j))
    }
}

/// Two features of the project by name (the same one twice crosses it with itself).
fn pair_of_features<'a>(
    project: &'a Project,
    down: &str,
    across: &str,
) -> Result<[slice_finder::Feature<'a>; 2], String> {
    let names = [down.to_string(), across.to_string()];
    let features = slice_finder::features(&project.dataset.set, &project.book, Some(&names[..]))
        .map_err(|e| e.to_string())?;
    let find = |name: &str| {
        features
            .iter()
            .find(|f| f.name == name)
            .cloned()
            .ok_or_else(|| format!("no feature named {name:?}"))
    };
    Ok([find(down)?, find(across)?])
}

impl std::fmt::Debug for SliceFinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            FinderState::Idle => "idle",
            FinderState::Running { .. } => "running",
            FinderState::Ready(_) => "ready",
            FinderState::Failed(_) => "failed",
        };
        f.debug_struct("SliceFinder")
            .field("search", &self.search)
            .field("state", &state)
            .finish()
    }
}
