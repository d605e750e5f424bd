//! Loads and reports a synthetic 1,000,000-row evaluation set (20 classes, 5 slice columns,
//! a tags column) from CSV and from Parquet, and prints the timings.
//!
//! Run: `cargo bench --bench load_report` (add `-- --rows N` for another size). The data is
//! written once to `target/bench-data/` and reused. Peak memory and the pandas comparison
//! are measured by `benches/compare.sh`.

use std::path::Path;
use std::time::{Duration, Instant};

use errata::data::{self, MappingRequest};
use errata::model::analysis::{Analysis, ManualInputs};
use errata::model::filter::{Outcome, RowFilter};
use errata::report::{Report, json};
mod common;

use common::synthetic;

/// Timings of one run: reading the table, building the evaluation set, computing and
/// rendering the report (each cumulative from the start).
struct Run {
    read: Duration,
    load: Duration,
    analysis: Duration,
    total: Duration,
    bytes: usize,
    /// Filtering the rows to errors whose id, label or prediction contains a text.
    filter: Duration,
}

fn load_and_report(path: &Path) -> Run {
    let start = Instant::now();
    let table = data::table::locate(path, None).unwrap();
    // One pass over the file (checks, fingerprint, splitting) keeping no column.
    let _ = data::table::read(
        &table,
        None,
        &mut |_| Vec::new(),
        0,
        &data::Progress::default(),
    )
    .unwrap();
    let read = start.elapsed();
    let start = Instant::now();
    let dataset = data::load(path, &MappingRequest::default()).unwrap();
    let load = start.elapsed();
    let analysis = Analysis::compute(&dataset.set, &dataset.tags, &ManualInputs::default());
    let analysed = start.elapsed();
    let report = Report::new(path, &dataset, &dataset.tags, &ManualInputs::default());
    let text = json::render(&report);
    let total = start.elapsed() - (analysed - load);
    drop(analysis);
    let filter_start = Instant::now();
    let filtered = RowFilter {
        outcome: Outcome::Errors,
        search: "class_0".into(),
        ..Default::default()
    }
    .rows(&dataset.set, &dataset.tags);
    let filter = filter_start.elapsed();
    std::hint::black_box(filtered);
    Run {
        filter,
        read,
        load,
        analysis: analysed - load,
        total,
        bytes: text.len(),
    }
}

fn main() {
    let rows = common::rows_arg(1_000_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let (csv, parquet) = synthetic(&dir, rows);
    println!("{rows} rows, 20 classes, 5 slice columns, tags column");
    for (name, path) in [("csv", &csv), ("parquet", &parquet)] {
        let mut runs: Vec<Run> = (0..5).map(|_| load_and_report(path)).collect();
        runs.sort_by_key(|r| r.total);
        let best = runs[0].total;
        let r = &runs[runs.len() / 2];
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "{name:8} load + full report {:>7.1} ms (median of 5; best {:.1} ms) = load {:.1} ms (of which one pass over the table keeping no column {:.1} ms) + analysis and JSON {:.1} ms; analysis alone {:.1} ms; report {} bytes",
            ms(r.total),
            ms(best),
            ms(r.load),
            ms(r.read),
            ms(r.total - r.load),
            ms(r.analysis),
            r.bytes
        );
        println!(
            "{name:8} filter (errors containing a text): {:.1} ms",
            ms(r.filter)
        );
    }
}
