//! The `.errata` project file: one SQLite database holding everything the analyst adds to a
//! dataset (tags, reviewed marks, notes, HLP values, ratings) and the edit log for undo/redo.
//! The CLI and the app both edit projects only through [`Store`].
//!
//! Durability: WAL journal with `synchronous = FULL`. Every edit is one transaction that is
//! committed — and fsynced — before the call returns, so an acknowledged edit survives a killed
//! process and a power cut. Writers wait up to [`BUSY_TIMEOUT`] for another writer, then
//! report the project as busy.

//!
//! The file is split by what a caller does: `open` (create, open, migrate, the dataset
//! record), `reads`, and `edits` (every undoable change, undo and redo).

mod edit;
mod edits;
mod error;
mod open;
mod reads;
mod schema;
pub mod tag_csv;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

pub use edit::{LabelReview, Op, TagDef};
pub use edits::next_tag_def;
pub use error::StoreError;
pub use reads::HLP_FROM;
pub use schema::CURRENT_VERSION;

use super::MappingRequest;
use super::table::Fingerprint;

pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Colours given to new tags in turn (distinguishable, also for colour-blind users).
pub const PALETTE: [&str; 9] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f",
];

/// Where the project's dataset is and how its columns are mapped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    /// Relative to the project file's folder; tried first, so a project and its dataset can
    /// move together.
    pub relative_path: PathBuf,
    pub absolute_path: PathBuf,
    pub fingerprint: Fingerprint,
    pub mapping: MappingRequest,
}

/// What an edit (or an undo or redo) committed: its description and the operations just
/// applied, so that a caller holding derived state (the tag book, cached notes) follows
/// without reading the project again. No operations: nothing changed, nothing was written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Committed {
    pub description: String,
    pub ops: Vec<Op>,
}

impl Committed {
    /// Whether the edit changed anything.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// How many rows the edit put a tag on, took one off, or marked.
    pub fn rows_changed(&self) -> usize {
        self.ops
            .iter()
            .map(|op| match op {
                Op::Assign { rows, .. }
                | Op::Unassign { rows, .. }
                | Op::MarkReviewed { rows, .. } => rows.len(),
                _ => 0,
            })
            .sum()
    }
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    read_only: bool,
    /// Opened for reading only because the disk is full: edits say so.
    disk_full: bool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .field("read_only", &self.read_only)
            .finish()
    }
}

const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Whether `path` is an SQLite file (a project, or something errata will say is not one).
pub fn looks_like_project(path: &Path) -> bool {
    let mut header = [0u8; 16];
    path.is_file()
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut header))
            .is_ok()
        && &header == SQLITE_HEADER
}
