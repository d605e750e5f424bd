//! Monitoring at scale: drift of 1M current rows against 1M reference rows over 10 columns
//! (5 numeric, 5 categorical of 50 values) with the output metrics, the same cut into 30
//! daily windows; and the media's input metrics (2 s clips at 16 kHz, 1-megapixel images),
//! first decoded, then read from the cache as a project keeps it.
//!
//! `cargo bench --bench drift`

use std::time::Instant;

use errata::data::Progress;
use errata::data::media_metrics::{MetricsCache, compute};
use errata::model::drift::analysis::{DriftAnalysis, DriftOptions};
use errata::model::drift::monitor::Window;
use errata::model::drift::monitored::{MonitoredSet, RoleNames};
use errata::model::{Ids, SliceCodes, SliceColumn, SliceKind, Task};

const ROWS: usize = 1_000_000;

fn set(seed: u64, shift: f64, path: &str) -> MonitoredSet {
    let mut state = seed;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut ids = Ids::with_capacity(ROWS, ROWS * 8);
    for r in 0..ROWS {
        ids.push(&format!("r{r:07}"));
    }
    let mut slices = Vec::new();
    for c in 0..5 {
        let numbers: Vec<f64> = (0..ROWS)
            .map(|_| (next() % 1_000_000) as f64 / 1000.0 + shift * c as f64)
            .collect();
        slices.push(SliceColumn {
            name: format!("number{c}"),
            kind: SliceKind::Binned,
            values: vec!["all".into()],
            codes: SliceCodes::Narrow(vec![0; ROWS]),
            numbers: Some(numbers),
        });
    }
    for c in 0..5 {
        slices.push(SliceColumn {
            name: format!("category{c}"),
            kind: SliceKind::Categorical,
            values: (0..50).map(|v| format!("value{v}")).collect(),
            codes: (0..ROWS).map(|_| (next() % 50) as u32).collect(),
            numbers: None,
        });
    }
    let predictions: Vec<u32> = (0..ROWS).map(|_| (next() % 20) as u32).collect();
    let labels: Vec<u32> = predictions
        .iter()
        .map(|&p| {
            if next() % 10 < 8 {
                p
            } else {
                (next() % 20) as u32
            }
        })
        .collect();
    MonitoredSet {
        path: path.into(),
        task: Task::Classification,
        names: RoleNames {
            label: "label".into(),
            prediction: "prediction".into(),
            confidence: Some("confidence".into()),
        },
        ids,
        predictions,
        labels: Some(labels),
        vocab: (0..20).map(|c| format!("class{c}")).collect(),
        confidence: Some((0..ROWS).map(|_| (next() % 1000) as f64 / 1000.0).collect()),
        slices,
        times: Some(
            (0..ROWS)
                .map(|r| Some(1_790_000_000 + (r as i64 * 30 * 86_400 / ROWS as i64)))
                .collect(),
        ),
        inputs: Vec::new(),
        edits: None,
        media: None,
        media_root: None,
    }
}

fn best_of(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let reference = set(0x9e37_79b9_7f4a_7c15, 0.0, "reference");
    let current = set(0x2545_f491_4f6c_dd1d, 0.5, "current");
    let options = DriftOptions::default();
    let t = best_of(3, || {
        let a = DriftAnalysis::compute(&reference, &current, &options).unwrap();
        assert_eq!(a.drift.columns.len(), 13);
    });
    println!("drift, 1M vs 1M rows, 10 columns (+ label, prediction, confidence): {t:.3} s");
    let windowed = DriftOptions {
        window: Some(Window::Seconds(86_400)),
        ..DriftOptions::default()
    };
    let t = best_of(3, || {
        let a = DriftAnalysis::compute(&reference, &current, &windowed).unwrap();
        assert!(a.windows.len() >= 30);
    });
    println!("drift and every metric over 30 days of daily windows: {t:.3} s");

    let dir = tempfile::tempdir().unwrap();
    let clips = 400;
    let mut media = Vec::new();
    for i in 0..clips {
        let name = format!("clip{i}.wav");
        write_wav(&dir.path().join(&name), i);
        media.push(Some(name));
    }
    let progress = Progress::default();
    let t = Instant::now();
    let first = compute(dir.path(), &media, &MetricsCache::new(), &progress).unwrap();
    let decode = t.elapsed().as_secs_f64();
    let cache: MetricsCache = first.measured.into_iter().collect();
    let t = Instant::now();
    let again = compute(dir.path(), &media, &cache, &progress).unwrap();
    let cached = t.elapsed().as_secs_f64();
    assert!(again.measured.is_empty());
    println!(
        "audio metrics, {clips} clips of 2 s: {:.0} clips/s decoded, {:.0} clips/s from the cache",
        clips as f64 / decode,
        clips as f64 / cached
    );
    let images = 100;
    let mut media = Vec::new();
    for i in 0..images {
        let name = format!("image{i}.png");
        let img = image::RgbImage::from_fn(1000, 1000, |x, y| {
            image::Rgb([(x + i) as u8, (y * 3) as u8, ((x ^ y) + i) as u8])
        });
        img.save(dir.path().join(&name)).unwrap();
        media.push(Some(name));
    }
    let t = Instant::now();
    let first = compute(dir.path(), &media, &MetricsCache::new(), &progress).unwrap();
    let decode = t.elapsed().as_secs_f64();
    let cache: MetricsCache = first.measured.into_iter().collect();
    let t = Instant::now();
    compute(dir.path(), &media, &cache, &progress).unwrap();
    let cached = t.elapsed().as_secs_f64();
    println!(
        "image metrics, {images} PNG images of 1 MP: {:.0} images/s decoded, {:.0} images/s from the cache",
        images as f64 / decode,
        images as f64 / cached
    );
}

/// A 2 s, 16 kHz mono 16-bit WAV: a tone with some noise.
fn write_wav(path: &std::path::Path, seed: u32) {
    let rate = 16_000u32;
    let n = 2 * rate as usize;
    let mut data = Vec::with_capacity(44 + 2 * n);
    data.extend_from_slice(b"RIFF");
    data.extend_from_slice(&(36 + 2 * n as u32).to_le_bytes());
    data.extend_from_slice(b"WAVEfmt ");
    data.extend_from_slice(&16u32.to_le_bytes());
    data.extend_from_slice(&1u16.to_le_bytes());
    data.extend_from_slice(&1u16.to_le_bytes());
    data.extend_from_slice(&rate.to_le_bytes());
    data.extend_from_slice(&(rate * 2).to_le_bytes());
    data.extend_from_slice(&2u16.to_le_bytes());
    data.extend_from_slice(&16u16.to_le_bytes());
    data.extend_from_slice(b"data");
    data.extend_from_slice(&(2 * n as u32).to_le_bytes());
    let mut state = 0x1234_5678u32 ^ seed;
    for i in 0..n {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let tone = (i as f32 * 0.05 * (1.0 + seed as f32 / 400.0)).sin() * 0.4;
        let noise = (state % 2000) as f32 / 20_000.0 - 0.05;
        let s = ((tone + noise) * 32767.0) as i16;
        data.extend_from_slice(&s.to_le_bytes());
    }
    std::fs::write(path, data).unwrap();
}
