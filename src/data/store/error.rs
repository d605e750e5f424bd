//! What can go wrong with a project file. Every message names the file and says what to do.

use std::path::PathBuf;

use thiserror::Error;

use crate::data::LoadError;

/// Names as a message lists them: hidden characters shown, long names cut, at most ten.
fn shown(names: &[String]) -> String {
    let mut listed: Vec<String> = names
        .iter()
        .take(10)
        .map(|n| crate::model::text::shorten(n, 60))
        .collect();
    if names.len() > 10 {
        listed.push(format!("and {} more", names.len() - 10));
    }
    listed.join(", ")
}

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{}: no such project file", .0.display())]
    NotFound(PathBuf),

    #[error("{}: a file already exists there; choose another name with -o FILE", .0.display())]
    Exists(PathBuf),

    #[error("{}: not an errata project ({reason})", path.display())]
    NotAProject { path: PathBuf, reason: &'static str },

    #[error("{}: the project file is damaged: {detail}. Restore it from a backup; errata has not changed it", path.display())]
    Corrupt { path: PathBuf, detail: String },

    #[error("{}: written by a newer errata (project format {found}, this errata reads up to {supported}); update errata to open it. The file was not changed", path.display())]
    NewerVersion {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("{}: the project file is read-only; copy it somewhere writable (or change its permissions) to edit it", .0.display())]
    ReadOnly(PathBuf),

    #[error("{}: the project is busy (another errata is writing to it); try again in a moment", .0.display())]
    Busy(PathBuf),

    #[error("{}: the disk holding it is full{}; free some space and try again. Nothing was written", path.display(), free_mb.map_or(String::new(), |mb| format!(" ({mb} MB free)")))]
    DiskFull {
        path: PathBuf,
        /// Free space on that disk, when the system says.
        free_mb: Option<u64>,
    },

    #[error("{}: unknown tag {}; known tags: {}. Create a tag with --create", path.display(), shown(names), if known.is_empty() { "(none)".to_string() } else { shown(known) })]
    UnknownTags {
        path: PathBuf,
        names: Vec<String>,
        known: Vec<String>,
    },

    #[error("{}: a tag named {name:?} already exists", path.display())]
    TagExists { path: PathBuf, name: String },

    #[error("{}: {count} unknown row ids, first: {}; ids must match the dataset's id column", path.display(), first.join(", "))]
    UnknownIds {
        path: PathBuf,
        count: usize,
        first: Vec<String>,
    },

    #[error("{}: line {line}: {problem}", path.display())]
    BadCsvLine {
        path: PathBuf,
        line: usize,
        problem: String,
    },

    #[error("{}: {problem}", path.display())]
    Invalid { path: PathBuf, problem: String },

    #[error("{}: the dataset was not found at {} (relative to the project) nor at {}. If it moved, run: errata relocate {} NEW_PATH", project.display(), relative.display(), absolute.display(), project.display())]
    DatasetMoved {
        project: PathBuf,
        relative: PathBuf,
        absolute: PathBuf,
    },

    #[error(transparent)]
    Dataset(#[from] LoadError),

    /// An audit spec that does not parse or does not fit the dataset (names its line).
    #[error(transparent)]
    AuditSpec(#[from] crate::data::audit_spec::AuditSpecError),

    #[error("{}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
