//! A table counted in parts gives the report the table held whole gives: every figure,
//! warning and example, on sets spanning many parts, with the edge cases a part meets
//! (rows left out, empty cells, numbers binned by quantile, a column of too many values,
//! tags, ids repeated across parts).

mod common;

use std::path::{Path, PathBuf};

use errata::data::{self, MappingRequest, Progress};
use errata::model::Task;
use errata::report::{Report, json};
use polars::prelude::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A classification table of `rows` rows with every kind of column a report uses.
fn classification_frame(rows: usize, seed: u64) -> DataFrame {
    let mut rng = Rng(seed);
    let class = |i: u64| format!("c{i}");
    let mut columns: [Vec<Option<String>>; 8] = Default::default();
    let (mut confidence, mut age, mut snr, mut grade) = (vec![], vec![], vec![], vec![]);
    for i in 0..rows {
        let truth = rng.below(7);
        let right = rng.chance(75);
        let pred = if right { truth } else { rng.below(8) };
        let [id, label, prediction, human, region, speaker, tags, rating] = &mut columns;
        id.push(Some(format!("r{i}")));
        // Rows without a label, or without a prediction, are left out.
        label.push((!rng.chance(2)).then(|| class(truth)));
        prediction.push((!rng.chance(2)).then(|| class(pred)));
        human.push(
            rng.chance(60)
                .then(|| class(if rng.chance(90) { truth } else { 3 })),
        );
        region.push(
            (!rng.chance(5)).then(|| ["north", "south", "east"][rng.below(3) as usize].into()),
        );
        speaker.push(Some(format!("spk{}", rng.below(80))));
        tags.push(rng.chance(15).then(|| {
            ["noise", "far field", "noise;far field", "accent"][rng.below(4) as usize].into()
        }));
        // Numbers written as text: binned as numbers are.
        rating.push(Some(format!("{}.{}", rng.below(40), rng.below(10))));
        confidence.push((!rng.chance(3)).then(|| rng.below(1001) as f64 / 1000.0));
        age.push((!rng.chance(4)).then(|| 18 + rng.below(60) as i64));
        snr.push(rng.below(100_000) as f64 / 997.0);
        grade.push(rng.below(4) as i64);
    }
    let [id, label, prediction, human, region, speaker, tags, rating] = columns;
    df!(
        "id" => id, "label" => label, "prediction" => prediction, "confidence" => confidence,
        "human_label" => human, "region" => region, "speaker" => speaker, "tags" => tags,
        "rating" => rating, "age" => age, "snr_db" => snr, "grade" => grade,
    )
    .unwrap()
}

/// A transcription table: sentences, hypotheses with errors, some empty.
fn transcription_frame(rows: usize) -> DataFrame {
    let mut rng = Rng(7);
    let words = [
        "turn", "on", "the", "light", "off", "music", "play", "stop", "call", "mom",
    ];
    let sentence = |rng: &mut Rng, n: u64| {
        (0..n)
            .map(|_| words[rng.below(10) as usize])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (mut id, mut reference, mut hypothesis, mut noise) = (vec![], vec![], vec![], vec![]);
    for i in 0..rows {
        let words = 2 + rng.below(5);
        let truth = sentence(&mut rng, words);
        let heard = match rng.below(10) {
            0..=5 => Some(truth.clone()),
            6 => None,
            _ => Some(sentence(&mut rng, words)),
        };
        id.push(format!("utt{i}"));
        reference.push(truth);
        hypothesis.push(heard);
        noise.push(["car", "babble", "none"][rng.below(3) as usize]);
    }
    df!("id" => id, "transcript" => reference, "hypothesis" => hypothesis, "noise" => noise)
        .unwrap()
}

/// Writes `frame` as a Parquet file in a folder removed when the returned guard drops.
fn write(frame: &mut DataFrame, name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    ParquetWriter::new(std::fs::File::create(&path).unwrap())
        .finish(frame)
        .unwrap();
    (dir, path)
}

/// The JSON report of the table held whole, and counted `part_rows` rows at a time.
fn both_reports(path: &Path, request: &MappingRequest, part_rows: usize) -> (String, String) {
    let whole = data::load(path, request).unwrap();
    let whole = Report::new(path, &whole, &whole.tags, &Default::default());
    let counted = data::count_in_parts(path, request, part_rows, &Progress::default()).unwrap();
    let counted = Report::of_counted(path, &counted);
    let mut whole = json::render(&whole);
    let mut counted = json::render(&counted);
    for report in [&mut whole, &mut counted] {
        // The only line that differs between two reports of the same table.
        let date = report.find("\"generated\"").unwrap();
        let end = date + report[date..].find('\n').unwrap();
        report.replace_range(date..end, "");
    }
    (whole, counted)
}

/// The messages refusing the table held whole, and counted `part_rows` rows at a time.
fn both_errors(path: &Path, part_rows: usize) -> (String, String) {
    let request = MappingRequest::default();
    let whole = data::load(path, &request).unwrap_err();
    let counted = data::count_in_parts(path, &request, part_rows, &Progress::default());
    (whole.to_string(), counted.unwrap_err().to_string())
}

/// The table without its `snr_db` column: every slice column has few enough values for the
/// parts to be counted in one pass, by cell value. With it (about 18,000 values) the pass
/// stops after a few parts and two passes count the table.
fn without_snr(frame: &DataFrame) -> DataFrame {
    frame.drop("snr_db").unwrap()
}

#[test]
fn a_classification_table_counted_in_parts_reports_as_held_whole() {
    let frame = classification_frame(20_000, 11);
    let (_dir, path) = write(&mut frame.clone(), "classes.parquet");
    let (_one_pass, one_pass) = write(&mut without_snr(&frame), "one-pass.parquet");
    for path in [&path, &one_pass] {
        for part_rows in [997, 4096, 20_000] {
            let (whole, counted) = both_reports(path, &MappingRequest::default(), part_rows);
            assert_eq!(whole, counted, "{path:?} in parts of {part_rows} rows");
        }
    }
    let (whole, _) = both_reports(&path, &MappingRequest::default(), 997);
    // The report holds what the test means to compare.
    for expected in [
        "rows excluded",
        "\"column\": \"snr_db\"",
        "\"column\": \"rating\"",
        "\"column\": \"age\"",
        "\"value\": \"(missing)\"",
        "\"tag\": \"far field\"",
        "\"hlp_source\": \"human_labels\"",
        "\"threshold\": 0.99",
    ] {
        assert!(whole.contains(expected), "{expected} in {whole}");
    }
    assert!(
        !whole.contains("\"column\": \"speaker\""),
        "80 values: no slice"
    );
}

#[test]
fn explicit_slices_and_normalised_labels_in_parts() {
    let (_dir, path) = write(&mut classification_frame(6_000, 5), "explicit.parquet");
    let request = MappingRequest {
        slices: vec!["grade".into(), "region".into()],
        normalize_labels: true,
        ..MappingRequest::default()
    };
    let (whole, counted) = both_reports(&path, &request, 500);
    assert_eq!(whole, counted);
    // A slice column that cannot be one is refused, as when held whole.
    let request = MappingRequest {
        slices: vec!["speaker".into()],
        ..MappingRequest::default()
    };
    let err = data::count_in_parts(&path, &request, 500, &Progress::default()).unwrap_err();
    assert!(err.to_string().contains("speaker"), "{err}");
}

#[test]
fn a_transcription_table_counted_in_parts_reports_as_held_whole() {
    let (_dir, path) = write(&mut transcription_frame(9_000), "speech.parquet");
    let (whole, counted) = both_reports(&path, &MappingRequest::default(), 1000);
    assert_eq!(whole, counted);
    assert!(whole.contains("\"task\": \"transcription\""));
    // The task given: one pass, by cell value.
    let given = MappingRequest {
        task: Some(Task::Transcription),
        ..MappingRequest::default()
    };
    let (whole, counted) = both_reports(&path, &given, 1000);
    assert_eq!(whole, counted);
    let counted = data::count_in_parts(&path, &Default::default(), 1000, &Progress::default());
    assert_eq!(counted.unwrap().counts.task, Task::Transcription);
}

#[test]
fn ids_repeated_in_different_parts_are_refused_as_when_held_whole() {
    let mut frame = classification_frame(3_000, 3);
    let ids: Vec<String> = (0..3_000)
        .map(|i| match i {
            2_500 => "r10".to_string(),
            2_900 => "r2000".to_string(),
            i => format!("r{i}"),
        })
        .collect();
    frame
        .replace("id", Series::new("id".into(), ids).into())
        .unwrap();
    let (_dir, path) = write(&mut frame, "repeated.parquet");
    let (whole, counted) = both_errors(&path, 700);
    assert_eq!(whole, counted);
    assert!(counted.contains("\"r10\""), "{counted}");
}

#[test]
fn the_command_line_counts_in_parts_when_asked() {
    let (_dir, path) = write(&mut classification_frame(5_000, 9), "cli.parquet");
    let path = path.to_str().unwrap();
    let whole = common::run_errata(&["report", path, "--format", "md", "--part-rows", "0"]);
    let parts = common::run_errata(&["report", path, "--format", "md", "--part-rows", "600"]);
    assert!(whole.status.success() && parts.status.success());
    let body = |out: &std::process::Output| {
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.lines()
            .filter(|l| !l.contains("UTC"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&whole), body(&parts));
    // What needs every row is refused, saying how to get it.
    let refused = common::run_errata(&["report", path, "--part-rows", "600", "--find-slices"]);
    assert_eq!(refused.status.code(), Some(2));
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("--part-rows 0"), "{message}");
}

#[test]
fn small_tables_and_other_formats_are_read_whole() {
    let (_dir, path) = write(&mut classification_frame(2_000, 1), "small.parquet");
    assert_eq!(
        data::parts_for(&path, &MappingRequest::default(), false),
        None
    );
    let csv = common::root().join("sample_data/speech");
    assert_eq!(
        data::parts_for(&csv, &MappingRequest::default(), false),
        None
    );
}

#[test]
fn a_bad_time_in_a_late_part_is_refused_as_when_held_whole() {
    let times = |bad: &str| {
        let cells: Vec<String> = (0..3_000)
            .map(|i| match i {
                2_777 => bad.to_string(),
                i => format!("2026-11-{:02}T10:00:00Z", 1 + i % 28),
            })
            .collect();
        Column::from(Series::new("timestamp".into(), cells))
    };
    let mut frame = classification_frame(3_000, 4);
    frame.with_column(times("not a date")).unwrap();
    let (_dir, path) = write(&mut frame, "times.parquet");
    let (_one_pass, one_pass) = write(&mut without_snr(&frame), "times-one-pass.parquet");
    for path in [&path, &one_pass] {
        let (whole, counted) = both_errors(path, 700);
        assert_eq!(whole, counted);
        assert!(counted.contains("2778"), "{counted}");
    }
    // With every time readable, the reports agree.
    frame
        .replace("timestamp", times("2026-11-02T10:00:00Z"))
        .unwrap();
    let (_fixed, path) = write(&mut frame, "times-fixed.parquet");
    let (whole, counted) = both_reports(&path, &MappingRequest::default(), 700);
    assert_eq!(whole, counted);
}

#[test]
fn ids_in_ascending_order_are_checked_across_parts_as_when_held_whole() {
    let padded = |i: usize| format!("r{i:05}");
    let with_ids = |ids: Vec<String>| {
        let mut frame = classification_frame(3_000, 3);
        frame
            .replace("id", Series::new("id".into(), ids).into())
            .unwrap();
        frame
    };
    // Every id greater than the one before: no hash of them needs sorting, same report.
    let (_dir, path) = write(&mut with_ids((0..3_000).map(padded).collect()), "a.parquet");
    let (whole, counted) = both_reports(&path, &MappingRequest::default(), 700);
    assert_eq!(whole, counted);
    // Each part ascends, but the first id of the third part repeats the last of the second;
    // then the same with a part that does not ascend; then a fourth part that does not
    // ascend repeats an id of the first (whose ids, ascending then, were not hashed).
    for (row, repeated) in [(1_400, 1_399), (2_001, 1_990), (2_500, 10)] {
        let ids = (0..3_000)
            .map(|i| padded(if i == row { repeated } else { i }))
            .collect();
        let (_dir, path) = write(&mut with_ids(ids), "repeated.parquet");
        let (whole, counted) = both_errors(&path, 700);
        assert_eq!(whole, counted);
        assert!(
            counted.contains(&format!("{:?}", padded(repeated))),
            "{counted}"
        );
    }
}
