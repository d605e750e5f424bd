//! Project-file performance on the synthetic 1,000,000-row set: single tag edits (latency
//! percentiles), one bulk edit of 100,000 rows, and opening a project holding 1,000,000
//! assignments and computing its report.
//!
//! Run: `cargo bench --bench project`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::synthetic;
use errata::data::MappingRequest;
use errata::data::project::Project;
use errata::report::{Report, json};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let (_, parquet) = synthetic(&dir, 1_000_000);
    let project_path = dir.join(format!("bench-{}.errata", std::process::id()));

    let start = Instant::now();
    let mut project = Project::init(&parquet, &MappingRequest::default(), &project_path).unwrap();
    println!(
        "init (load 1,000,000 rows, import {} tag assignments): {:.0} ms",
        project.store.assignments().unwrap().len(),
        ms(start.elapsed())
    );
    let ids: Vec<String> = project.dataset.set.ids.iter().map(str::to_string).collect();

    // Single edits, each its own committed (fsynced) transaction.
    let store = &mut project.store;
    store
        .create_tag(store.new_tag_def("bench single").unwrap())
        .unwrap();
    let mut latencies: Vec<Duration> = (0..1000)
        .map(|i| {
            let row = ids[(i * 7919) % ids.len()].as_str();
            let start = Instant::now();
            store.add_tag("bench single", &[row]).unwrap();
            start.elapsed()
        })
        .collect();
    latencies.sort();
    let pct =
        |p: f64| ms(latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)]);
    println!(
        "single tag edit, 1000 edits: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 < 5 ms)",
        pct(0.5),
        pct(0.99),
        ms(latencies[latencies.len() - 1])
    );

    // One bulk edit of 100,000 rows.
    store
        .create_tag(store.new_tag_def("bench bulk").unwrap())
        .unwrap();
    let rows: Vec<&str> = ids.iter().step_by(10).map(String::as_str).collect();
    let start = Instant::now();
    let changed = store.add_tag("bench bulk", &rows).unwrap().rows_changed();
    println!(
        "bulk edit tagging {changed} rows: {:.0} ms (target < 500 ms)",
        ms(start.elapsed())
    );
    let start = Instant::now();
    store.undo().unwrap();
    println!("undo of that bulk edit: {:.0} ms", ms(start.elapsed()));

    // A project holding 1,000,000 assignments.
    store
        .create_tag(store.new_tag_def("bench all").unwrap())
        .unwrap();
    let all: Vec<&str> = ids.iter().map(String::as_str).collect();
    let start = Instant::now();
    store.add_tag("bench all", &all).unwrap();
    println!(
        "bulk edit tagging 1,000,000 rows: {:.0} ms",
        ms(start.elapsed())
    );
    let total = project.store.assignments().unwrap().len();
    drop(project);

    let start = Instant::now();
    let project = Project::open(&project_path).unwrap();
    let opened = start.elapsed();
    let report = Report::new(
        &project.dataset_path,
        &project.dataset,
        &project.book,
        project.inputs(),
    );
    let text = json::render(&report);
    println!(
        "open project with {total} assignments + full report: {:.0} ms (of which open {:.0} ms; report {} bytes) (target < 1500 ms)",
        ms(start.elapsed()),
        ms(opened),
        text.len()
    );
    drop(project);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", project_path.display()));
    }
}
