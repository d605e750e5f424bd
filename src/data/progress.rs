//! How far a long load has got, and the user's wish to cancel it: shared between the thread
//! that loads and the window that shows a progress bar. Loading checks for cancellation
//! between steps, so a cancelled load stops without writing anything.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::error::LoadError;

/// The steps of opening a dataset or project, in order.
pub const STEPS: [&str; 5] = [
    "Reading the table",
    "Checking columns and encoding labels",
    "Reading tags from the project",
    "Creating the project",
    "Computing the figures",
];

/// The step of [`STEPS`] in which an opened project's figures are computed.
pub const COMPUTING: usize = 4;

#[derive(Debug, Default)]
pub struct Progress {
    step: AtomicUsize,
    rows: AtomicUsize,
    cancelled: AtomicBool,
}

impl Progress {
    /// Records that `step` (an index into [`STEPS`]) starts; fails if the user cancelled.
    pub fn enter(&self, step: usize) -> Result<(), LoadError> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(LoadError::Cancelled);
        }
        self.step.store(step, Ordering::Relaxed);
        Ok(())
    }

    pub fn set_rows(&self, rows: usize) {
        self.rows.store(rows, Ordering::Relaxed);
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// The current step (index into [`STEPS`]) and the rows read so far.
    pub fn snapshot(&self) -> (usize, usize) {
        (
            self.step.load(Ordering::Relaxed),
            self.rows.load(Ordering::Relaxed),
        )
    }
}
