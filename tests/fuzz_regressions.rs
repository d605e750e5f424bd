//! Every input in `tests/data/fuzz/<target>/` (crashes the fuzzers found, and hand-made
//! hostile inputs) goes through the same checks as its fuzz target (`fuzz/src/lib.rs`), so
//! what was fixed stays fixed. See fuzz/README.md.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::path::Path;

/// Runs `check` on every file of `tests/data/fuzz/<target>/`; returns how many there were.
fn each_input(target: &str, check: impl Fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in &files {
        eprintln!("{}", file.display());
        check(&std::fs::read(file).unwrap());
    }
    files.len()
}

/// libFuzzer hands text targets only valid UTF-8; so do these tests.
fn text(check: fn(&str)) -> impl Fn(&[u8]) {
    move |bytes| {
        if let Ok(text) = std::str::from_utf8(bytes) {
            check(text)
        }
    }
}

#[test]
fn table_csv_inputs() {
    assert!(each_input("table_csv", |d| checks::table("metadata.csv", d)) > 0);
}

#[test]
fn table_jsonl_inputs() {
    assert!(each_input("table_jsonl", |d| checks::table("metadata.jsonl", d)) > 0);
}

#[test]
fn media_path_inputs() {
    assert!(each_input("media_path", text(checks::media_path)) > 0);
}

#[test]
fn audit_spec_inputs() {
    assert!(each_input("audit_spec", text(checks::audit_spec)) > 0);
}

#[test]
fn tag_csv_inputs() {
    assert!(each_input("tag_csv", text(checks::tag_csv)) > 0);
}

#[test]
fn project_open_inputs() {
    assert!(each_input("project_open", checks::project) > 0);
}
