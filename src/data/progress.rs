//! How far a long load has got, and the user's wish to cancel it: shared between the thread
//! that loads and the window that shows a progress bar. Loading checks for cancellation
//! between steps, so a cancelled load stops without writing anything.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::error::LoadError;

/// The steps of opening a dataset or project, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    ReadingTable,
    Encoding,
    ReadingTags,
    CreatingProject,
    Computing,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::ReadingTable,
        Step::Encoding,
        Step::ReadingTags,
        Step::CreatingProject,
        Step::Computing,
    ];

    /// What the progress screen says, "Reading the table".
    pub fn label(self) -> &'static str {
        match self {
            Step::ReadingTable => "Reading the table",
            Step::Encoding => "Checking columns and encoding labels",
            Step::ReadingTags => "Reading tags from the project",
            Step::CreatingProject => "Creating the project",
            Step::Computing => "Computing the figures",
        }
    }

    /// Its place in [`Step::ALL`], from 0.
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Default)]
pub struct Progress {
    step: AtomicUsize,
    rows: AtomicUsize,
    /// Items finished by a job that counts them (media measured).
    done: AtomicUsize,
    cancelled: AtomicBool,
}

impl Progress {
    /// Records that `step` starts; fails if the user cancelled.
    pub fn enter(&self, step: Step) -> Result<(), LoadError> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(LoadError::Cancelled);
        }
        self.step.store(step.index(), Ordering::Relaxed);
        Ok(())
    }

    pub fn set_rows(&self, rows: usize) {
        self.rows.store(rows, Ordering::Relaxed);
    }

    pub fn set_done(&self, done: usize) {
        self.done.store(done, Ordering::Relaxed);
    }

    /// Items finished of [`Self::snapshot`]'s rows.
    pub fn done(&self) -> usize {
        self.done.load(Ordering::Relaxed)
    }

    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// The current step and the rows read so far.
    pub fn snapshot(&self) -> (Step, usize) {
        (
            Step::ALL[self.step.load(Ordering::Relaxed)],
            self.rows.load(Ordering::Relaxed),
        )
    }
}
