//! The command line's arguments as clap parses them: plain values, resolved into datasets,
//! projects and edits by the subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::data::MappingRequest;
use crate::model::Task;
use crate::report::Format;

#[derive(Debug, Parser)]
#[command(
    name = "errata",
    version,
    about = "Error analysis and auditing of machine-learning evaluation sets"
)]
pub struct Cli {
    /// Without a command, the desktop app opens on its welcome screen.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop app on a dataset or project.
    Open {
        /// A project file (.errata), a dataset folder or a table file. A dataset is opened
        /// through the project beside it, created on first open.
        path: PathBuf,
        /// Start on this section of the dashboard instead of the review view.
        #[arg(long, value_enum)]
        dashboard: Option<crate::app::Section>,
    },
    /// Run the audit checks of a spec file (TOML, docs/audit-spec.md) on a dataset or
    /// project: prints a pass/fail table; exit status 1 when any check fails.
    Audit {
        /// A project file (.errata), a dataset folder or a table file.
        dataset: PathBuf,
        /// The audit spec (optional for a project that has its own checklist).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Measure the media's input metrics and add them as slices (checks may name
        /// them); a project keeps the measurements.
        #[arg(long)]
        media_metrics: bool,
        #[command(flatten)]
        mapping: MappingArgs,
    },
    /// Compute every metric of a dataset or project and write a report.
    Report {
        /// A project file (.errata), a dataset folder (with metadata.csv, .tsv, .parquet or
        /// .jsonl) or a table file.
        dataset: PathBuf,
        /// Report format.
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        /// Output file (json, md, html) or folder (csv). Without it, the report goes to
        /// stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Include the audit checklist of this spec (TOML, docs/audit-spec.md).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// Flag slice values whose 95 % interval lies more than this many percentage points
        /// below the overall accuracy (0: entirely below it), as the app's Slices section.
        #[arg(long, value_name = "POINTS", default_value_t = 0.0, value_parser = parse_margin)]
        flag_margin: f64,
        /// Probe every media file (in parallel, headers only) and report those that cannot
        /// be decoded (`dataset.undecodable_media`, the first names in the warnings).
        #[arg(long)]
        check_media: bool,
        /// Measure the media's input metrics (audio level, clipping, silence; image
        /// brightness, contrast, sharpness) and add them as slices; a project keeps the
        /// measurements.
        #[arg(long)]
        media_metrics: bool,
        /// Include the slices the finder ranks (`found_slices`), with the project's kept
        /// search or the default parameters. A project that keeps a search includes them
        /// without this flag.
        #[arg(long)]
        find_slices: bool,
        /// Count a Parquet dataset N rows at a time instead of holding it whole (0: read it
        /// whole). Without this flag, Parquet tables of more than 1,048,576 rows are counted
        /// in parts of that size when that loses nothing asked, and always above 20,000,000
        /// rows. The report is the same, but for annotator agreement and suspected label
        /// errors, which need every row at once.
        #[arg(long, value_name = "N")]
        part_rows: Option<usize>,
        #[command(flatten)]
        mapping: MappingArgs,
    },
    /// Create a project file for a dataset (beside it unless -o says where).
    Init {
        dataset: PathBuf,
        /// The project file to create (default: <dataset>.errata beside the dataset).
        #[arg(short, long, value_name = "FILE.errata")]
        output: Option<PathBuf>,
        #[command(flatten)]
        mapping: MappingArgs,
    },
    /// Put tags on a row (or take them off with --remove).
    Tag {
        project: PathBuf,
        row_id: String,
        #[arg(required = true)]
        tags: Vec<String>,
        /// Take the tags off instead.
        #[arg(long)]
        remove: bool,
        /// Create tags that do not exist yet.
        #[arg(long, conflicts_with = "remove")]
        create: bool,
    },
    /// Mark rows as reviewed.
    Review {
        project: PathBuf,
        #[arg(required = true)]
        row_ids: Vec<String>,
    },
    /// Add tag assignments from a CSV file of `id,tag` lines (one edit, all or nothing).
    ImportTags {
        project: PathBuf,
        csv: PathBuf,
        /// Create tags that do not exist yet.
        #[arg(long)]
        create: bool,
    },
    /// Save an audit spec (TOML, docs/audit-spec.md) in a project as its audit checklist,
    /// after checking it against the dataset; undoable in the app.
    ImportAudit { project: PathBuf, spec: PathBuf },
    /// Write a project's audit checklist as an audit spec file.
    ExportAudit {
        project: PathBuf,
        /// Output file (stdout without it).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write every tag assignment as `id,tag` CSV.
    ExportTags {
        project: PathBuf,
        /// Output file (stdout without it).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Enter the human-level performance of a tag or slice value (a fraction, e.g. 0.95).
    #[command(group(clap::ArgGroup::new("subject").required(true).args(["tag", "slice"])))]
    Hlp {
        project: PathBuf,
        /// The tag.
        #[arg(long)]
        tag: Option<String>,
        /// The slice value, as COLUMN=VALUE.
        #[arg(long, value_name = "COLUMN=VALUE")]
        slice: Option<String>,
        accuracy: f64,
    },
    /// Record a corrected label for a row (the dataset file is never changed), or with
    /// --confirm mark its given label as checked and right; --clear removes either.
    #[command(group(clap::ArgGroup::new("verdict").required(true).args(["label", "confirm", "clear"])))]
    Label {
        project: PathBuf,
        row_id: String,
        /// The right label for the row.
        label: Option<String>,
        /// The given label is right.
        #[arg(long)]
        confirm: bool,
        /// Remove the row's correction or confirmation.
        #[arg(long)]
        clear: bool,
    },
    /// Write the corrected and confirmed labels as CSV (id, given, corrected, status,
    /// author, time), for the labeling tool.
    ExportLabels {
        project: PathBuf,
        /// Output file (stdout without it).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Compare a current set (production data; labels optional) with a reference (the
    /// evaluation set, or a project): drift per column as Evidently tests it, output
    /// metrics, and with --window every metric over time against alarm bands. Exit status 1
    /// when the data set drifts or an alarm fires.
    Drift(DriftArgs),
    /// Find the slices where the model errs most (SliceLine, as the `sliceline` package's
    /// Slicefinder): conjunctions of slice values, tags and classes, ranked by a score that
    /// weighs their error rate against their size.
    Slices(SlicesArgs),
    /// Point a project at its dataset's new location.
    Relocate { project: PathBuf, new_path: PathBuf },
}

/// Column-mapping flags shared by every command that reads a dataset.
#[derive(Debug, Default, Args)]
pub struct MappingArgs {
    /// Column holding the row ids.
    #[arg(long, value_name = "COLUMN")]
    pub id: Option<String>,
    /// Column holding the ground truth.
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// Column holding the model's prediction.
    #[arg(long, value_name = "COLUMN")]
    pub prediction: Option<String>,
    /// Column holding the model's confidence (0 to 1).
    #[arg(long, value_name = "COLUMN")]
    pub confidence: Option<String>,
    /// Column holding media paths, relative to the dataset folder.
    #[arg(long, value_name = "COLUMN")]
    pub media: Option<String>,
    /// Column holding a human's label, for human-level performance.
    #[arg(long, value_name = "COLUMN")]
    pub human: Option<String>,
    /// Column holding a baseline model's prediction.
    #[arg(long, value_name = "COLUMN")]
    pub baseline: Option<String>,
    /// Column holding `;`-separated tags.
    #[arg(long = "tags-column", value_name = "COLUMN")]
    pub tags_column: Option<String>,
    /// Column holding each row's time (ISO 8601 or epoch seconds); detected by the names
    /// timestamp, time, date and created_at. Never a slice.
    #[arg(long, value_name = "COLUMN")]
    pub time: Option<String>,
    /// Use this column as a slice (repeatable); without it every other column is tried.
    #[arg(long = "slice", value_name = "COLUMN")]
    pub slices: Vec<String>,
    /// The kind of task; detected from the labels when omitted.
    #[arg(long, value_enum)]
    pub task: Option<TaskArg>,
    /// The table file inside a dataset folder holding several.
    #[arg(long, value_name = "FILE")]
    pub table: Option<PathBuf>,
    /// Compare labels, predictions, human labels and baselines trimmed, in Unicode NFC and
    /// lowercase ("Dog", "dog " and a decomposed "dog" become one class).
    #[arg(long)]
    pub normalize_labels: bool,
    /// The field separator of a CSV/TSV table: `,` `;` `tab` or `|`; detected from the
    /// header and first lines when omitted.
    #[arg(long, value_name = "SEPARATOR", value_parser = parse_separator)]
    pub separator: Option<char>,
    /// Column holding one annotator's labels (repeatable); without it, columns named
    /// annotator_*, labeler_*, rater_* or human_label_* are the annotators.
    #[arg(long = "annotator", value_name = "COLUMN")]
    pub annotators: Vec<String>,
    /// A CSV file of annotations, one `id,annotator,label` line each (as labeling tools
    /// export them); rows may have any number of annotations.
    #[arg(long, value_name = "FILE")]
    pub annotations: Option<PathBuf>,
}

fn parse_margin(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(points) if (0.0..=100.0).contains(&points) => Ok(points),
        _ => Err(format!(
            "`{text}` is not a margin: give percentage points from 0 to 100"
        )),
    }
}

fn parse_separator(text: &str) -> Result<char, String> {
    match text {
        "," | "comma" => Ok(','),
        ";" | "semicolon" => Ok(';'),
        "\t" | "\\t" | "tab" => Ok('\t'),
        "|" | "bar" => Ok('|'),
        other => Err(format!(
            "`{other}` is not a separator errata reads: use `,` `;` `tab` or `|`"
        )),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TaskArg {
    Classification,
    Transcription,
}

impl From<MappingArgs> for MappingRequest {
    fn from(a: MappingArgs) -> Self {
        MappingRequest {
            id: a.id,
            label: a.label,
            prediction: a.prediction,
            confidence: a.confidence,
            media: a.media,
            human: a.human,
            baseline: a.baseline,
            tags: a.tags_column,
            time: a.time,
            slices: a.slices,
            task: a.task.map(|t| match t {
                TaskArg::Classification => Task::Classification,
                TaskArg::Transcription => Task::Transcription,
            }),
            table: a.table,
            normalize_labels: a.normalize_labels,
            separator: a.separator,
            annotators: a.annotators,
            // Kept absolute: the project records it and is opened from anywhere.
            annotations: a.annotations.map(|p| std::path::absolute(&p).unwrap_or(p)),
        }
    }
}

/// `errata drift`'s arguments.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The reference: a project file (.errata), a dataset folder or a table file.
    pub reference: PathBuf,
    /// The current set, with the reference's columns (labels optional). Without it, the
    /// current set the project keeps (see --save).
    pub current: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Output file (json, md, html) or folder (csv). Without it, the report goes to
    /// stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Cut the current set into windows: a duration (1h, 1d, 1w) with a time column, or
    /// a row count (500 rows).
    #[arg(long, value_name = "WINDOW")]
    pub window: Option<String>,
    /// The test (ks, chisquare, z, wasserstein, jensenshannon, psi) and threshold of a
    /// column, instead of the default (repeatable).
    #[arg(long = "test", value_name = "COLUMN=TEST[:THRESHOLD]")]
    pub tests: Vec<String>,
    /// Alarm bounds of a metric per window, instead of the reference windows' mean ± 3
    /// standard deviations; either bound may be empty (repeatable).
    #[arg(long = "alarm", value_name = "METRIC=LOW:HIGH")]
    pub alarms: Vec<String>,
    /// The share of drifted columns at which the data set drifts.
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    pub drift_share: f64,
    /// Measure the media (audio: duration, level, clipping, silence; images: size,
    /// brightness, contrast, sharpness, saturation) and compare them too. A project
    /// keeps the measurements, so each file is decoded once.
    #[arg(long)]
    pub media_metrics: bool,
    /// Keep the current set and these options in the reference project, for the app's
    /// Drift section and later runs.
    #[arg(long)]
    pub save: bool,
    #[command(flatten)]
    pub mapping: MappingArgs,
}

/// `errata slices`' arguments.
#[derive(Debug, Args)]
pub struct SlicesArgs {
    /// A project file (.errata), a dataset folder or a table file.
    pub dataset: PathBuf,
    /// Weight of a slice's error rate against its size, above 0 and at most 1.
    #[arg(long)]
    pub alpha: Option<f64>,
    /// How many slices to keep (those tied with the k-th are kept too).
    #[arg(long)]
    pub k: Option<usize>,
    /// The most predicates a slice may combine.
    #[arg(long, value_name = "L")]
    pub max_level: Option<usize>,
    /// The fewest rows a slice may have: a count (50), a share (0.01) or a percentage
    /// (1%); by default 1 % of the rows and at least 10.
    #[arg(long, value_name = "N")]
    pub min_support: Option<String>,
    /// What counts as a row's error: misclassified (classification's default), wer (the
    /// row's word error rate, transcription's default) or regressions (the baseline was
    /// right, the model is wrong).
    #[arg(long, value_name = "ERRORS")]
    pub errors: Option<String>,
    /// Search only these features (slice columns, `tag: NAME`, `true class`, `predicted
    /// class`), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "COL,...")]
    pub columns: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: SlicesFormat,
    /// Output file; without it, stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Measure the media's input metrics and search them too; a project keeps the
    /// measurements.
    #[arg(long)]
    pub media_metrics: bool,
    /// Keep this search in the project: its reports then include what it finds, and the
    /// app's Find slices section starts from it.
    #[arg(long)]
    pub save: bool,
    #[command(flatten)]
    pub mapping: MappingArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum SlicesFormat {
    Json,
    Md,
    Csv,
}
