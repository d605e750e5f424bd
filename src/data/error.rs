//! Everything that can go wrong while reading an evaluation set. Each message says what was
//! wrong, where (file, column, line or row) and what errata expected, so the user can fix it.

use std::path::PathBuf;

use thiserror::Error;

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".to_string()
    } else {
        items.join(", ")
    }
}

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("{}: no such file or folder", .0.display())]
    NotFound(PathBuf),

    #[error("loading was cancelled")]
    Cancelled,

    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: no table file in this folder; expected metadata.csv, metadata.tsv, metadata.parquet or metadata.jsonl (or one .csv/.tsv/.parquet/.jsonl file)", .0.display())]
    NoTable(PathBuf),

    #[error("{}: several table files found ({}); choose one with --table FILE", dir.display(), list(found))]
    SeveralTables { dir: PathBuf, found: Vec<String> },

    #[error("{}: unsupported table format; expected a .csv, .tsv, .parquet or .jsonl file", .0.display())]
    UnsupportedFormat(PathBuf),

    #[error("{}: the file is empty; expected a header line with column names, then one line per example", .0.display())]
    Empty(PathBuf),

    #[error("{}: the file has column names but no rows", .0.display())]
    HeaderOnly(PathBuf),

    #[error("{}: line {line} is not valid UTF-8 (byte {byte} of the line); save the file as UTF-8", path.display())]
    InvalidUtf8 {
        path: PathBuf,
        line: usize,
        byte: usize,
    },

    #[error("{}: line {line} has {found} fields but the header has {expected}; check for a missing or extra separator or an unclosed quote", path.display())]
    Ragged {
        path: PathBuf,
        line: usize,
        expected: usize,
        found: usize,
    },

    #[error("{}: line {line}: a quoted field is never closed", path.display())]
    UnclosedQuote { path: PathBuf, line: usize },

    #[error("{}: cannot parse the table: {message}", path.display())]
    Parse { path: PathBuf, message: String },

    #[error("{}: the column name {column:?} appears more than once in the header; rename the repeated columns so each name is unique", path.display())]
    DuplicateColumn { path: PathBuf, column: String },

    #[error("{}: no {role} column. Columns found: {}. Names tried: {}. Name the column with {flag} COLUMN", path.display(), list(found), tried.join(", "))]
    MissingRole {
        path: PathBuf,
        role: &'static str,
        flag: &'static str,
        tried: Vec<&'static str>,
        found: Vec<String>,
    },

    #[error("{}: {flag} {column:?}: no such column. Columns found: {}", path.display(), list(found))]
    UnknownColumn {
        path: PathBuf,
        flag: &'static str,
        column: String,
        found: Vec<String>,
    },

    #[error("{}: column {column:?} is used for both {first} and {second}; give each role its own column", path.display())]
    ColumnTwice {
        path: PathBuf,
        column: String,
        first: &'static str,
        second: &'static str,
    },

    #[error("{}: column {column:?}, row {row}: confidence {value:?} {problem}; expected a number between 0 and 1", path.display())]
    BadConfidence {
        path: PathBuf,
        column: String,
        row: usize,
        value: String,
        problem: &'static str,
    },

    #[error("{}: column {column:?}, row {row}: time {value:?} is not a date or time; write ISO 8601 (2026-11-03 or 2026-11-03T14:05:00Z) or seconds since 1970", path.display())]
    BadTime {
        path: PathBuf,
        column: String,
        row: usize,
        value: String,
    },

    #[error("{}: the current set has no column {column:?}, which the reference uses as its {role}; both sets need the same columns (this one has: {})", path.display(), found.join(", "))]
    MissingLikeReference {
        path: PathBuf,
        column: String,
        role: &'static str,
        found: Vec<String>,
    },

    #[error("{}: column {column:?}, row {row}: {value:?} is not a number, but the column is numeric in the reference; both sets need the same kind of values", path.display())]
    TypeUnlikeReference {
        path: PathBuf,
        column: String,
        row: usize,
        value: String,
    },

    #[error("{}: column {column:?}, row {row}: the id is empty; every row needs an id", path.display())]
    EmptyId {
        path: PathBuf,
        column: String,
        row: usize,
    },

    #[error("{}: column {column:?} has {count} duplicate ids, first: {}; ids must be unique (tags are stored by id)", path.display(), examples.join("; "))]
    DuplicateIds {
        path: PathBuf,
        column: String,
        count: usize,
        examples: Vec<String>,
    },

    #[error("{}: column {column:?}, row {row}: media path {value:?} {problem}; media paths must be relative and stay inside {}", path.display(), root.display())]
    MediaOutsideDataset {
        path: PathBuf,
        column: String,
        row: usize,
        value: String,
        problem: &'static str,
        root: PathBuf,
    },

    #[error("{}: --slice {column:?}: {problem}", path.display())]
    BadSlice {
        path: PathBuf,
        column: String,
        problem: String,
    },

    #[error("{}: no rows left: every row has an empty {column:?} value", path.display())]
    NoRowsLeft { path: PathBuf, column: String },

    #[error("{}: column {column:?}, row {row}: probability {value:?} {problem}; expected a number between 0 and 1", path.display())]
    BadProbability {
        path: PathBuf,
        column: String,
        row: usize,
        value: String,
        problem: &'static str,
    },

    #[error("{}: {problem}; nothing was loaded. Expected a CSV file with the columns id, annotator, label (one annotation per line)", path.display())]
    BadAnnotations { path: PathBuf, problem: String },
}
