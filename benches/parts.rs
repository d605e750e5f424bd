//! Reports a synthetic Parquet set counted in parts of 1,048,576 rows, as `errata report`
//! does with tables too large to hold, and prints the time.
//!
//! Run: `cargo bench --bench parts -- --rows 100000000` (default 10,000,000). The file is
//! written once, a million rows at a time, to `target/bench-data/`; the whole process's peak
//! memory is measured with `/usr/bin/time -v errata report FILE` (BENCHMARKS.md).

use std::path::Path;
use std::time::Instant;

use errata::data::{self, MappingRequest, PART_ROWS, Progress};
use errata::report::{Report, json};
mod common;

fn main() {
    let rows = common::rows_arg(10_000_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let start = Instant::now();
    let parquet = common::synthetic_parquet(&dir, rows);
    println!(
        "{rows} rows in {} ({:.1} s to make or find)",
        parquet.display(),
        start.elapsed().as_secs_f64()
    );
    for run in 1..=3 {
        let start = Instant::now();
        let counted = data::count_in_parts(
            &parquet,
            &MappingRequest::default(),
            PART_ROWS,
            &Progress::default(),
        )
        .unwrap();
        let counting = start.elapsed();
        let text = json::render(&Report::of_counted(&parquet, &counted));
        println!(
            "run {run}: counted in parts {:.2} s, report and JSON {:.1} ms ({} bytes)",
            counting.as_secs_f64(),
            (start.elapsed() - counting).as_secs_f64() * 1e3,
            text.len()
        );
    }
}
