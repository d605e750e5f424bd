//! What each fuzz target checks, one function per target. The targets call these on
//! libFuzzer's inputs; `tests/fuzz_regressions.rs` includes this file and calls them on the
//! inputs in `tests/data/fuzz/`, so a crash once found stays fixed.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use errata::data::audit_spec;
use errata::data::media::{check_relative, resolve};
use errata::data::project::Project;
use errata::data::store::tag_csv;
use errata::data::{Dataset, MappingRequest, load};
use errata::model::analysis::ManualInputs;
use errata::report::{Format, Report};

/// A folder private to this process, removed when it exits normally.
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a scratch folder"))
        .path()
}

/// Analyses a dataset and renders the report formats, as `errata report` would.
fn analyse_and_report(
    path: &Path,
    dataset: &Dataset,
    tags: &errata::model::TagBook,
    inputs: &ManualInputs,
) {
    let report = Report::new(path, dataset, tags, inputs);
    for format in [Format::Json, Format::Md, Format::Html] {
        assert!(format.render(&report).is_some());
    }
}

/// Any bytes as a table named `file_name` (`metadata.csv`, `metadata.jsonl`): loading fails
/// with a message, or the dataset analyses and reports.
pub fn table(file_name: &str, data: &[u8]) {
    let path = scratch().join(file_name);
    std::fs::write(&path, data).unwrap();
    match load(&path, &MappingRequest::default()) {
        Ok(dataset) => analyse_and_report(&path, &dataset, &dataset.tags, &ManualInputs::default()),
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// A dataset folder holding a file, a subfolder, a link to the subfolder and links that lead
/// out of it (to its parent and to a file beside it).
fn media_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let scratch = scratch();
        let root = scratch.join("dataset");
        std::fs::create_dir_all(root.join("clips/deep")).unwrap();
        std::fs::write(root.join("clips/a.wav"), b"RIFF").unwrap();
        std::fs::write(root.join("clips/deep/b.png"), b"PNG").unwrap();
        std::fs::write(scratch.join("outside.wav"), b"RIFF").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("clips", root.join("inside")).unwrap();
            symlink("..", root.join("up")).unwrap();
            symlink(scratch.join("outside.wav"), root.join("clips/escape.wav")).unwrap();
        }
        root.canonicalize().unwrap()
    })
}

/// Any text as a media path: a path errata accepts never leads outside the dataset folder.
pub fn media_path(value: &str) {
    let root = media_root();
    if check_relative(value).is_err() {
        return;
    }
    if let Ok(Some(found)) = resolve(root, value) {
        assert!(
            found.starts_with(root),
            "{value:?} led to {}",
            found.display()
        );
    }
}

/// Any text as an audit spec: parsing fails with a message, or the spec survives being
/// written and read back.
pub fn audit_spec(text: &str) {
    match audit_spec::parse_with_lines(text, Path::new("fuzz.toml")) {
        Ok((spec, lines)) => {
            assert_eq!(lines.len(), spec.checks.len());
            let written = audit_spec::render(&spec);
            let again = audit_spec::parse(&written, Path::new("written.toml"))
                .unwrap_or_else(|e| panic!("a written spec does not read back: {e}\n{written}"));
            assert_eq!(again, spec, "written as:\n{written}");
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
}

/// Any text as a tag CSV: parsing fails naming a line, or the assignments survive being
/// exported and read back.
pub fn tag_csv(text: &str) {
    match tag_csv::parse(Path::new("fuzz.csv"), text) {
        Ok(pairs) => {
            let written = tag_csv::render(&pairs);
            let again = tag_csv::parse(Path::new("written.csv"), &written)
                .unwrap_or_else(|e| panic!("written tags do not read back: {e}\n{written}"));
            assert_eq!(again, pairs, "written as:\n{written}");
        }
        Err(error) => assert!(error.to_string().contains("line")),
    }
}

/// The repository: this file is built in the fuzz crate (one folder down) and in errata's
/// tests (at the top).
fn repository() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    if manifest.join("tests").is_dir() {
        manifest.to_path_buf()
    } else {
        manifest.join("..")
    }
}

/// `<scratch>/projects/fuzz.errata`, beside the dataset the seed projects point to
/// (`../oracle/multiclass.csv`).
fn project_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let scratch = scratch();
        std::fs::create_dir_all(scratch.join("projects")).unwrap();
        std::fs::create_dir_all(scratch.join("oracle")).unwrap();
        let dataset = repository().join("tests/data/oracle/multiclass.csv");
        std::fs::copy(dataset, scratch.join("oracle/multiclass.csv")).unwrap();
        scratch.join("projects/fuzz.errata")
    })
}

/// Any bytes as a project file: opening fails with a message, or the project's tags,
/// checklist and report can all be read.
pub fn project(data: &[u8]) {
    let path = project_path();
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
    std::fs::write(path, data).unwrap();
    let project = match Project::open(path) {
        Ok(project) => project,
        Err(error) => {
            assert!(!error.to_string().is_empty());
            return;
        }
    };
    let _ = project.store.tags();
    let _ = project.store.audit_spec();
    let inputs = project.inputs().clone();
    analyse_and_report(
        &project.dataset_path,
        &project.dataset,
        &project.book,
        &inputs,
    );
}
