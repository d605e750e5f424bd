//! Loads and reports a synthetic 1,000,000-row evaluation set (20 classes, 5 slice columns,
//! a tags column) from CSV and from Parquet, and prints the timings.
//!
//! Run: `cargo bench --bench load_report` (add `-- --rows N` for another size). The data is
//! written once to `target/bench-data/` and reused. Peak memory and the pandas comparison
//! are measured by `benches/compare.sh`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use errata::data::{self, MappingRequest};
use errata::model::analysis::{Analysis, ManualInputs};
use errata::report::{Report, json};
use polars::prelude::*;

/// A small deterministic generator (xorshift64*), so every run benchmarks the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Writes `<dir>/eval_<rows>.csv` and `.parquet` unless they exist; returns both paths.
pub fn synthetic(dir: &Path, rows: usize) -> (PathBuf, PathBuf) {
    let csv = dir.join(format!("eval_{rows}.csv"));
    let parquet = dir.join(format!("eval_{rows}.parquet"));
    if csv.exists() && parquet.exists() {
        return (csv, parquet);
    }
    std::fs::create_dir_all(dir).unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let class = |i: u64| format!("class_{i:02}");
    let regions = ["north", "south", "east", "west", "central"];
    let devices = ["phone", "tablet", "laptop", "kiosk"];
    let tag_names = [
        "blurry",
        "occluded",
        "low light",
        "mislabelled",
        "rare pose",
        "small object",
    ];
    let (mut ids, mut labels, mut preds, mut conf, mut human) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut region, mut device, mut age, mut snr, mut speaker, mut tags) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..rows {
        let truth = rng.below(20);
        let right = rng.unit() < 0.82;
        let pred = if right { truth } else { rng.below(20) };
        ids.push(format!("ex{i:07}"));
        labels.push(class(truth));
        preds.push(class(pred));
        conf.push(((if right { 0.6 } else { 0.3 } + 0.4 * rng.unit()) * 1000.0).round() / 1000.0);
        human.push(class(if rng.unit() < 0.95 {
            truth
        } else {
            rng.below(20)
        }));
        region.push(regions[rng.below(5) as usize]);
        device.push(devices[rng.below(4) as usize]);
        age.push(18 + rng.below(63) as i64);
        snr.push((rng.unit() * 400.0).round() / 10.0);
        speaker.push(format!("spk_{:02}", rng.below(40)));
        tags.push(if rng.unit() < 0.1 {
            let first = tag_names[rng.below(6) as usize];
            if rng.unit() < 0.3 {
                format!("{first};{}", tag_names[rng.below(6) as usize])
            } else {
                first.to_string()
            }
        } else {
            String::new()
        });
    }
    let mut df = df!(
        "id" => ids, "label" => labels, "prediction" => preds, "confidence" => conf, "human_label" => human,
        "region" => region, "device" => device, "age" => age, "snr_db" => snr, "speaker" => speaker, "tags" => tags,
    )
    .unwrap();
    CsvWriter::new(std::fs::File::create(&csv).unwrap())
        .finish(&mut df)
        .unwrap();
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut df)
        .unwrap();
    (csv, parquet)
}

/// Timings of one run: reading the table, building the evaluation set, computing and
/// rendering the report (each cumulative from the start).
struct Run {
    read: Duration,
    load: Duration,
    analysis: Duration,
    total: Duration,
    bytes: usize,
}

fn load_and_report(path: &Path) -> Run {
    let start = Instant::now();
    let table = data::table::locate(path, None).unwrap();
    let _ = data::table::read(&table).unwrap();
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
    Run {
        read,
        load,
        analysis: analysed - load,
        total,
        bytes: text.len(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows = args
        .iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
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
            "{name:8} load + full report {:>7.1} ms (median of 5; best {:.1} ms) = load {:.1} ms (of which reading the table {:.1} ms) + analysis and JSON {:.1} ms; analysis alone {:.1} ms; report {} bytes",
            ms(r.total),
            ms(best),
            ms(r.load),
            ms(r.read),
            ms(r.total - r.load),
            ms(r.analysis),
            r.bytes
        );
    }
}
