//! The synthetic evaluation set shared by the benchmarks (each uses a part of it).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use polars::prelude::*;

/// The bench's `--rows N` argument, or `default`.
pub fn rows_arg(default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--rows")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

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
    let mut generator = Generator::new();
    let mut df = generator.frame(rows);
    CsvWriter::new(std::fs::File::create(&csv).unwrap())
        .finish(&mut df)
        .unwrap();
    ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
        .finish(&mut df)
        .unwrap();
    (csv, parquet)
}

/// Writes `<dir>/eval_<rows>.parquet` a million rows at a time unless it exists (the same
/// rows [`synthetic`] writes), so sets larger than memory can be made; returns its path.
pub fn synthetic_parquet(dir: &Path, rows: usize) -> PathBuf {
    let parquet = dir.join(format!("eval_{rows}.parquet"));
    if parquet.exists() {
        return parquet;
    }
    std::fs::create_dir_all(dir).unwrap();
    let partial = dir.join(format!("eval_{rows}.parquet.partial"));
    let mut generator = Generator::new();
    let mut writer = None;
    let mut written = 0;
    while written < rows {
        let part = generator.frame((rows - written).min(1 << 20));
        let writer = writer.get_or_insert_with(|| {
            ParquetWriter::new(std::fs::File::create(&partial).unwrap())
                .batched(part.schema())
                .unwrap()
        });
        writer.write_batch(&part).unwrap();
        written += part.height();
    }
    writer.unwrap().finish().unwrap();
    std::fs::rename(&partial, &parquet).unwrap();
    parquet
}

/// The rows of the synthetic set, frame after frame.
struct Generator {
    rng: Rng,
    next_id: usize,
}

impl Generator {
    fn new() -> Self {
        Generator {
            rng: Rng(0x9E37_79B9_7F4A_7C15),
            next_id: 0,
        }
    }

    /// The next `rows` rows.
    fn frame(&mut self, rows: usize) -> DataFrame {
        let rng = &mut self.rng;
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
        for i in self.next_id..self.next_id + rows {
            let truth = rng.below(20);
            let right = rng.unit() < 0.82;
            let pred = if right { truth } else { rng.below(20) };
            ids.push(format!("ex{i:07}"));
            labels.push(class(truth));
            preds.push(class(pred));
            conf.push(
                ((if right { 0.6 } else { 0.3 } + 0.4 * rng.unit()) * 1000.0).round() / 1000.0,
            );
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
        self.next_id += rows;
        df!(
            "id" => ids, "label" => labels, "prediction" => preds, "confidence" => conf, "human_label" => human,
            "region" => region, "device" => device, "age" => age, "snr_db" => snr, "speaker" => speaker, "tags" => tags,
        )
        .unwrap()
    }
}
