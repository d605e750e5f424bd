//! The `errata` binary as a user runs it: on the bundled samples and on every kind of bad input.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

mod common;

use common::{errata_command, root, run_errata as errata};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_report(args: &[&str]) -> (Value, String) {
    let o = errata(args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    (
        serde_json::from_slice(&o.stdout).expect("valid JSON on stdout"),
        stderr(&o),
    )
}

/// Every file under `dir` with its size and modification time, to prove nothing was written.
fn snapshot(dir: &Path) -> Vec<(PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = std::fs::symlink_metadata(entry.path()).unwrap();
        if meta.is_dir() {
            out.extend(snapshot(&entry.path()));
        } else {
            out.push((entry.path(), meta.len(), meta.modified().unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn speech_sample_json_report_is_complete() {
    let (r, _) = json_report(&["report", "sample_data/speech", "--format", "json"]);
    for key in [
        "schema",
        "errata_version",
        "task",
        "dataset",
        "overall",
        "classes",
        "averages",
        "confusion",
        "slices",
        "tags",
        "priorities",
        "automation",
    ] {
        assert!(r.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(r["schema"], 1);
    assert_eq!(r["task"], "transcription");
    assert_eq!(r["dataset"]["rows"], 60);
    assert_eq!(r["dataset"]["missing_media"], 0);
    assert!(r["dataset"]["fingerprint"]["xxh3"].as_str().unwrap().len() == 16);
    let overall = &r["overall"];
    assert!(overall["wer"].as_f64().unwrap() > 0.0 && overall["wer"].as_f64().unwrap() < 1.0);
    assert!(overall["cer"].is_number());
    assert_eq!(overall["n"], 60);
    assert_eq!(overall["ci95"].as_array().unwrap().len(), 2);
    // Every metadata column that is not a role becomes a slice; duration is binned.
    let columns: Vec<&str> = r["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["column"].as_str().unwrap())
        .collect();
    for c in ["speaker_gender", "accent", "device", "noise", "duration_s"] {
        assert!(columns.contains(&c), "no slice for {c}");
    }
    let duration: Vec<&Value> = r["slices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["column"] == "duration_s")
        .collect();
    assert_eq!(duration.len(), 5);
    assert!(duration[0]["value"].as_str().unwrap().starts_with('['));
    assert!(r["slices"][0]["wer"].is_number());
    // The tags column gives the course's categories, with HLP from the human transcripts.
    let tags: Vec<&str> = r["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["tag"].as_str().unwrap())
        .collect();
    assert!(
        tags.contains(&"car noise")
            && tags.contains(&"people noise")
            && tags.contains(&"clean speech"),
        "{tags:?}"
    );
    assert!(
        r["tags"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["hlp_source"] == "human_labels")
    );
    assert_eq!(r["automation"].as_array().unwrap().len(), 11);
    assert!(!r["priorities"].as_array().unwrap().is_empty());
}

#[test]
fn phones_sample_markdown_report_is_complete() {
    let o = errata(&["report", "sample_data/phones", "--format", "md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = stdout(&o);
    for section in [
        "# Error analysis",
        "## Overall",
        "## Per class",
        "## Confusion matrix",
        "## Slices",
        "## Tags",
        "## Prioritisation",
        "## Partial automation",
    ] {
        assert!(md.contains(section), "missing {section}");
    }
    for class in ["dent", "none", "pit", "scratch"] {
        assert!(md.contains(&format!("| {class} |")), "no row for {class}");
    }
    assert!(md.contains("| lighting | dim |"));
    assert!(md.contains("macro avg"));
}

#[test]
fn csv_report_writes_one_file_per_table_and_json_to_a_file() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("tables");
    let o = errata(&[
        "report",
        "sample_data/phones",
        "--format",
        "csv",
        "-o",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in [
        "overall.csv",
        "classes.csv",
        "averages.csv",
        "confusion.csv",
        "slices.csv",
        "tags.csv",
        "priorities.csv",
        "automation.csv",
    ] {
        let text = std::fs::read_to_string(folder.join(name))
            .unwrap_or_else(|_| panic!("{name} not written"));
        assert!(text.lines().count() >= 2, "{name} has no rows");
    }
    let file = out.path().join("report.json");
    let o = errata(&["report", "sample_data/phones", "-o", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(o.stdout.is_empty());
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(r["task"], "classification");
    assert_eq!(r["dataset"]["rows"], 80);

    let o = errata(&["report", "sample_data/phones", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("-o FOLDER"));
}

#[test]
fn reports_are_identical_across_runs_and_formats_of_the_same_table() {
    let (a, _) = json_report(&["report", "sample_data/phones"]);
    let (b, _) = json_report(&["report", "sample_data/phones"]);
    assert_eq!(a, b);
    // The same table as Parquet-free TSV through --table gives the same figures.
    let dir = tempfile::tempdir().unwrap();
    let csv = std::fs::read_to_string(root().join("tests/data/oracle/multiclass.csv")).unwrap();
    std::fs::write(dir.path().join("copy.tsv"), csv.replace(',', "\t")).unwrap();
    std::fs::write(dir.path().join("other.csv"), "id,label,prediction\n1,a,b\n").unwrap();
    let (tsv, _) = json_report(&[
        "report",
        dir.path().to_str().unwrap(),
        "--table",
        "copy.tsv",
    ]);
    let (orig, _) = json_report(&["report", "tests/data/oracle/multiclass.csv"]);
    assert_eq!(tsv["classes"], orig["classes"]);
    assert_eq!(tsv["slices"], orig["slices"]);
}

#[test]
fn mapping_flags_override_detection() {
    let (r, _) = json_report(&[
        "report",
        "tests/data/oracle/multiclass.csv",
        "--slice",
        "region",
        "--label",
        "prediction",
        "--prediction",
        "label",
    ]);
    let columns = &r["dataset"]["columns"];
    assert_eq!(columns["label"], "prediction");
    assert_eq!(columns["slices"], serde_json::json!(["region"]));
    let (r, _) = json_report(&[
        "report",
        "sample_data/speech",
        "--task",
        "classification",
        "--slice",
        "noise",
    ]);
    assert_eq!(r["task"], "classification");
    assert_eq!(r["slices"].as_array().unwrap().len(), 3);
}

#[test]
fn warnings_are_printed_and_counted_not_fatal() {
    let data = root().join("tests/data/warnings");
    let before = snapshot(&data);
    let (r, err) = json_report(&["report", "tests/data/warnings"]);
    assert!(
        err.contains("warning: 1 rows excluded: empty \"label\" (rows 3)"),
        "{err}"
    );
    assert!(err.contains("clips/missing.wav (row 2)"), "{err}");
    assert!(err.contains("no \"confidence\" value"), "{err}");
    assert_eq!(r["dataset"]["excluded_rows"], 1);
    assert_eq!(r["dataset"]["missing_media"], 1);
    assert_eq!(r["dataset"]["rows"], 3);
    assert_eq!(r["dataset"]["warnings"].as_array().unwrap().len(), 3);
    assert_eq!(snapshot(&data), before, "the dataset folder was modified");
}

/// Runs `errata report` on a bad input and checks it fails cleanly with a useful message.
fn fails_with(args: &[&str], expected: &[&str]) {
    let bad = root().join("tests/data/bad");
    let before = snapshot(&bad);
    let o = errata(args);
    let err = stderr(&o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "{args:?}: status {:?}, stderr {err}",
        o.status
    );
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    assert!(o.stdout.is_empty(), "{args:?} wrote a report");
    for text in expected {
        assert!(err.contains(text), "{args:?}: {text:?} not in {err}");
    }
    assert_eq!(snapshot(&bad), before, "{args:?} modified the input folder");
}

#[test]
fn bad_inputs_fail_with_clear_messages() {
    let cases: &[(&str, &[&str])] = &[
        (
            "tests/data/bad/nope.csv",
            &["nope.csv", "no such file or folder"],
        ),
        (
            "tests/data/bad/empty.csv",
            &["empty.csv", "the file is empty", "header line"],
        ),
        (
            "tests/data/bad/header_only.csv",
            &["header_only.csv", "no rows"],
        ),
        (
            "tests/data/bad/no_prediction.csv",
            &[
                "no_prediction.csv",
                "no prediction column",
                "Columns found: id, label, score, notes",
                "Names tried: prediction, pred, y_pred",
                "--prediction",
            ],
        ),
        (
            "tests/data/bad/ragged.csv",
            &["ragged.csv", "line 3 has 4 fields but the header has 3"],
        ),
        (
            "tests/data/bad/unclosed_quote.csv",
            &["unclosed_quote.csv", "line 2", "never closed"],
        ),
        (
            "tests/data/bad/invalid_utf8.csv",
            &["invalid_utf8.csv", "line 3", "not valid UTF-8"],
        ),
        (
            "tests/data/bad/nan_confidence.csv",
            &[
                "nan_confidence.csv",
                "\"confidence\"",
                "row 2",
                "is not a number (NaN)",
                "between 0 and 1",
            ],
        ),
        (
            "tests/data/bad/confidence_out_of_range.csv",
            &[
                "confidence_out_of_range.csv",
                "row 3",
                "1.7",
                "outside [0, 1]",
            ],
        ),
        (
            // Typed numbers, read without text; an excluded row and an empty cell before.
            "tests/data/bad/typed_confidence_out_of_range.jsonl",
            &[
                "typed_confidence_out_of_range.jsonl",
                "row 4",
                "1.7",
                "outside [0, 1]",
            ],
        ),
        (
            "tests/data/bad/text_confidence.csv",
            &["text_confidence.csv", "row 1", "\"high\" is not a number"],
        ),
        (
            "tests/data/bad/huge_integer.jsonl",
            &[
                "huge_integer.jsonl",
                "cannot be represented",
                "numbers too large for 64 bits",
            ],
        ),
        (
            "tests/data/bad/duplicate_column.csv",
            &[
                "duplicate_column.csv",
                "\"label\" appears more than once in the header",
            ],
        ),
        (
            "tests/data/bad/duplicate_ids.csv",
            &[
                "duplicate_ids.csv",
                "2 duplicate ids",
                "\"a1\" (rows 1 and 3)",
                "\"a2\" (rows 2 and 5)",
            ],
        ),
        (
            "tests/data/bad/several_tables",
            &[
                "several_tables",
                "several table files found (test.csv, train.csv)",
                "--table FILE",
            ],
        ),
        (
            "tests/data/bad/escaping_media",
            &[
                "metadata.csv",
                "row 2",
                "../../secret.wav",
                "climbs out of the folder",
            ],
        ),
        (
            "tests/data/bad/absolute_media",
            &["row 1", "/etc/passwd", "is absolute"],
        ),
        (
            "tests/data/bad/broken.jsonl",
            &[
                "broken.jsonl",
                "line 2, column 25 is not valid JSON: key must be a string",
            ],
        ),
        (
            "tests/data/bad/corrupt.parquet",
            &["corrupt.parquet", "cannot parse the table"],
        ),
        (
            "tests/data/bad/table.xlsx",
            &["table.xlsx", "unsupported table format", ".csv"],
        ),
    ];
    for (path, expected) in cases {
        fails_with(&["report", path], expected);
    }
    let o = errata(&[
        "report",
        "tests/data/oracle/multiclass.csv",
        "--label",
        "truth",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--label \"truth\": no such column. Columns found: id, label, prediction, confidence, region"), "{}", stderr(&o));
    fails_with(
        &[
            "report",
            "tests/data/bad/several_tables",
            "--table",
            "missing.csv",
        ],
        &["missing.csv", "no such file"],
    );
}

#[cfg(unix)]
#[test]
fn symlinked_media_leading_outside_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.wav"), b"RIFF").unwrap();
    let dataset = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.wav"),
        dataset.path().join("clip.wav"),
    )
    .unwrap();
    std::fs::write(
        dataset.path().join("metadata.csv"),
        "id,file_name,label,prediction\n1,clip.wav,a,a\n",
    )
    .unwrap();
    let o = errata(&["report", dataset.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("leads outside the dataset folder"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_with_status_2() {
    let o = errata(&["report"]);
    assert_eq!(o.status.code(), Some(2));
    let o = errata(&["report", "sample_data/phones", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("pdf"));
    let o = errata(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn audit_exit_status_is_0_on_pass_1_on_fail_2_on_a_bad_spec() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let speech = root().join("sample_data/speech");
    let run = |spec: &str| errata(&["audit", speech.to_str().unwrap(), "--spec", spec]);

    let pass = spec(
        "pass.toml",
        "[[check]]\nrisk = \"sentence accuracy\"\nmetric = \"accuracy\"\nmin = 0.4\n",
    );
    let o = run(&pass);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("sentence accuracy") && out.contains("pass"),
        "{out}"
    );

    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/speech-audit.toml");
    let o = run(bundled.to_str().unwrap());
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let failing: Vec<&str> = out.lines().filter(|l| l.contains("FAIL")).collect();
    assert_eq!(failing.len(), 1, "{out}");
    assert!(
        failing[0].contains("noise=babble") && failing[0].contains("30.6 %"),
        "{out}"
    );

    let typo = spec(
        "typo.toml",
        "[[check]]\nrisk = \"r\"\nmetric = \"accuracy\"\nminimum = 0.4\n",
    );
    let o = run(&typo);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("typo.toml: line 4") && err.contains("minimum"),
        "{err}"
    );

    let unknown = spec(
        "unknown.toml",
        "\n[[check]]\nrisk = \"gender\"\nmetric = \"accuracy\"\nslice = \"gender\"\nmax_gap = 0.1\n",
    );
    let o = run(&unknown);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("unknown.toml: line 2") && err.contains("no slice column \"gender\""),
        "{err}"
    );
}

/// Runs errata with a fixed report date, so that reports are byte-for-byte reproducible.
fn errata_dated(args: &[&str]) -> Output {
    errata_command()
        .args(args)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", "1795395660")
        .output()
        .expect("run errata")
}

/// The table's modification time (part of the JSON fingerprint) differs on every checkout.
fn without_mtime(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("\"modified\":") {
                "      \"modified\": 0,"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// Compares with the committed golden file, or rewrites it when `UPDATE_GOLDEN=1`.
fn golden(name: &str, actual: &str) {
    let path = root().join("tests/golden").join(name);
    if std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 writes it)", path.display()));
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(actual.lines().count()), |l| l);
        panic!(
            "{name} differs from the golden file at line {}:\n expected: {:?}\n actual:   {:?}\n(UPDATE_GOLDEN=1 rewrites it after a deliberate change)",
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn reports_of_the_samples_match_their_golden_files_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for sample in ["speech", "phones"] {
        let dataset = format!("sample_data/{sample}");
        let spec = format!("sample_data/{sample}-audit.toml");
        for (format, extension) in [("json", "json"), ("md", "md"), ("html", "html")] {
            let o = errata_dated(&["report", &dataset, "--format", format, "--spec", &spec]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            golden(
                &format!("{sample}.{extension}"),
                &without_mtime(&stdout(&o)),
            );
        }
        let folder = dir.path().join(sample);
        let o = errata_dated(&[
            "report",
            &dataset,
            "--format",
            "csv",
            "--spec",
            &spec,
            "-o",
            folder.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let text = std::fs::read_to_string(folder.join(&name)).unwrap();
            golden(&format!("{sample}-csv/{name}"), &text);
        }
    }
    // Without a fixed date, two runs differ only in the date line.
    let a = stdout(&errata(&["report", "sample_data/phones", "--format", "md"]));
    let b = stdout(&errata_dated(&[
        "report",
        "sample_data/phones",
        "--format",
        "md",
    ]));
    let differing: Vec<(&str, &str)> = a.lines().zip(b.lines()).filter(|(x, y)| x != y).collect();
    assert!(differing.len() <= 1, "{differing:?}");
    assert!(differing.iter().all(|(x, _)| x.contains("generated")));
}

#[test]
fn hostile_text_is_inert_in_every_report_format() {
    let dir = tempfile::tempdir().unwrap();
    let labels = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "say \"hi\"",
        "a|b",
        "=HYPERLINK(\"http://evil\",\"x\")",
    ];
    let mut csv = String::from("id,label,prediction,tags,site\n");
    for i in 0..40 {
        let label = labels[i % labels.len()];
        let prediction = labels[(i / 3) % labels.len()];
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!(
            "r{i},{},{},{},{}\n",
            quote(label),
            quote(prediction),
            quote(labels[i % 2]),
            quote(labels[(i + 1) % labels.len()])
        ));
    }
    let data = dir.path().join("hostile.csv");
    std::fs::write(&data, csv).unwrap();
    let data = data.to_str().unwrap();

    let html = stdout(&errata(&["report", data, "--format", "html"]));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the label is shown"
    );
    for live in ["<script", "<img", "onerror=alert(1)>"] {
        assert!(
            !html.contains(live),
            "live markup {live:?} in the HTML report"
        );
    }

    let md = stdout(&errata(&["report", data, "--format", "md"]));
    assert!(!md.contains("<script") && !md.contains("<img"));
    // Every table row has as many unescaped column separators as its header.
    let separators = |line: &str| {
        let bytes = line.as_bytes();
        (0..bytes.len())
            .filter(|&i| bytes[i] == b'|' && (i == 0 || bytes[i - 1] != b'\\'))
            .count()
    };
    let mut header = None;
    for line in md.lines() {
        if !line.starts_with('|') {
            header = None;
            continue;
        }
        let n = separators(line);
        match header {
            None => header = Some(n),
            Some(h) => assert_eq!(n, h, "row breaks its table: {line}"),
        }
    }

    let folder = dir.path().join("tables");
    let o = errata(&[
        "report",
        data,
        "--format",
        "csv",
        "-o",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut cells = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            for field in line.split(',') {
                let bare = field.trim_start_matches('"');
                assert!(
                    !bare.starts_with(['=', '+', '@', '\t', '\r']),
                    "formula cell {field:?} in {line}"
                );
                cells += usize::from(bare.starts_with("'="));
            }
        }
    }
    assert!(cells > 0, "the formula labels were written, neutralised");
}

#[test]
fn a_project_keeps_its_audit_checklist() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("phones.errata");
    let p = project.to_str().unwrap();
    let o = errata(&["init", "sample_data/phones", "-o", p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Without a spec, the project has nothing to audit.
    let o = errata(&["audit", p]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--spec"), "{}", stderr(&o));
    // A spec that does not fit the dataset is refused, with its line.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[check]]\nrisk = \"r\"\nmetric = \"recall\"\nclass = \"crack\"\nmin = 0.5\n",
    )
    .unwrap();
    let o = errata(&["import-audit", p, bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("bad.toml: line 1") && stderr(&o).contains("\"crack\""),
        "{}",
        stderr(&o)
    );
    // The bundled spec is saved, exported unchanged, and used by audit and report.
    let o = errata(&["import-audit", p, "sample_data/phones-audit.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let exported = stdout(&errata(&["export-audit", p]));
    assert_eq!(
        exported,
        std::fs::read_to_string(root().join("sample_data/phones-audit.toml")).unwrap()
    );
    let o = errata(&["audit", p]);
    assert_eq!(o.status.code(), Some(1), "lighting=bright fails");
    assert!(
        stdout(&o).contains("3 checks, 6 groups: 2 pass, 4 fail"),
        "{}",
        stdout(&o)
    );
    let (report, _) = json_report(&["report", p]);
    assert_eq!(report["audit"]["signoff"]["owner"], "Quality lead");
    assert_eq!(report["audit"]["results"].as_array().unwrap().len(), 6);
}

#[test]
fn many_distinct_labels_give_a_bounded_report_and_a_free_text_warning() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("free.csv");
    let classes = 2000;
    let mut csv = String::from("id,label,prediction\n");
    for i in 0..classes {
        // Every tenth row is wrong, predicted as the next label.
        let prediction = if i % 10 == 0 { (i + 1) % classes } else { i };
        csv.push_str(&format!("r{i},L{i:05},L{prediction:05}\n"));
    }
    std::fs::write(&table, csv).unwrap();
    let path = table.to_str().unwrap();
    let (json, err) = json_report(&["report", path]);
    assert!(
        err.contains("2000 distinct labels") && err.contains("--task transcription"),
        "{err}"
    );
    assert_eq!(json["classes"].as_array().unwrap().len(), classes);
    let confusion = &json["confusion"];
    assert_eq!(confusion["labels"].as_array().unwrap().len(), 50);
    assert_eq!(confusion["matrix"].as_array().unwrap().len(), 50);
    assert_eq!(confusion["omitted_classes"], 1950);
    let md = errata(&["report", path, "--format", "md"]);
    assert_eq!(md.status.code(), Some(0), "{}", stderr(&md));
    assert!(
        stdout(&md).contains("1,950 more classes"),
        "{}",
        stdout(&md)
    );
    assert!(
        stdout(&md).len() < 100_000,
        "the Markdown report stays small"
    );
    let folder = dir.path().join("tables");
    let o = errata(&[
        "report",
        path,
        "--format",
        "csv",
        "-o",
        folder.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let cells = std::fs::read_to_string(folder.join("confusion_cells.csv")).unwrap();
    assert_eq!(cells.lines().count(), 1 + classes, "every non-zero cell");
    assert!(cells.contains("L00010,L00011,1"), "{cells:.200}");
    // Told it is classification on purpose, errata does not warn.
    let o = errata(&["report", path, "--task", "classification"]);
    assert!(!stderr(&o).contains("distinct labels"), "{}", stderr(&o));
}

#[test]
fn links_images_and_hidden_characters_stay_inert_in_reports_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = [
        "![t](http://evil.example/x.png)",
        "[click](javascript:alert(1))",
        "esc\u{1b}[31mred",
        "nul\u{0}byte",
        "rtl\u{202e}txt.exe",
    ];
    let mut csv = String::from("id,label,prediction,site\n");
    for i in 0..30 {
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        csv.push_str(&format!(
            "r{i},{},{},{}\n",
            quote(hostile[i % hostile.len()]),
            quote(hostile[(i / 2) % hostile.len()]),
            quote(hostile[(i + 1) % hostile.len()])
        ));
    }
    let data = dir.path().join("hostile.csv");
    std::fs::write(&data, csv).unwrap();
    let data = data.to_str().unwrap();
    for format in ["md", "html"] {
        let o = errata(&["report", data, "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let text = stdout(&o);
        for hidden in ['\u{1b}', '\u{0}', '\u{202e}'] {
            assert!(!text.contains(hidden), "{hidden:?} in the {format} report");
        }
        assert!(text.contains("\\u{202e}"), "shown visibly in {format}");
        if format == "md" {
            for live in ["![t](", "[click]("] {
                assert!(!text.contains(live), "live {live:?} in the Markdown report");
            }
            assert!(
                text.contains("[click\\](javascript"),
                "the text itself is kept"
            );
        }
    }
    // Tag names: refused when they cannot round-trip, shown visibly and cut in messages.
    let project = dir.path().join("hostile.errata");
    let project = project.to_str().unwrap();
    assert_eq!(
        errata(&["init", data, "-o", project]).status.code(),
        Some(0)
    );
    for name in ["two\nlines", "  spaced  ", "esc\u{1b}[2J", "semi;colon"] {
        let o = errata(&["tag", project, "r1", name, "--create"]);
        assert_eq!(o.status.code(), Some(2), "{name:?}");
        assert!(
            stderr(&o).contains("not a valid tag name"),
            "{}",
            stderr(&o)
        );
        assert!(
            !stderr(&o).contains('\u{1b}'),
            "no escape code reaches the terminal"
        );
    }
    let long = format!("\u{1b}[31m{}", "x".repeat(10_000));
    let o = errata(&["tag", project, "r1", &long]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("unknown tag") && err.contains("\\u{1b}"),
        "{err:.300}"
    );
    assert!(err.len() < 1_000, "the name is cut: {} bytes", err.len());
    // Every name errata accepts survives export and import unchanged.
    let names = ["a, \"quoted\" name", "x=1", "ünïcode"];
    for name in names {
        let o = errata(&["tag", project, "r2", name, "--create"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let exported = dir.path().join("tags.csv");
    let o = errata(&["export-tags", project, "-o", exported.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let copy = dir.path().join("copy.errata");
    let copy = copy.to_str().unwrap();
    assert_eq!(errata(&["init", data, "-o", copy]).status.code(), Some(0));
    let o = errata(&["import-tags", copy, exported.to_str().unwrap(), "--create"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again = dir.path().join("again.csv");
    errata(&["export-tags", copy, "-o", again.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(&exported).unwrap(),
        std::fs::read_to_string(&again).unwrap()
    );
}

#[test]
fn labels_that_read_alike_are_named_in_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("alike.csv");
    std::fs::write(
        &table,
        "id,label,prediction\nr1,Dog,dog\nr2,dog,dog\nr3,caf\u{e9},cafe\u{301}\nr4,\" cat\",cat\nr5,cat,cat\n",
    )
    .unwrap();
    let (json, err) = json_report(&["report", table.to_str().unwrap()]);
    for part in [
        "differ only in case, surrounding spaces or Unicode form",
        "\"Dog\" / \"dog\"",
        "\" cat\" / \"cat\"",
        "(decomposed Unicode)",
    ] {
        assert!(err.contains(part), "{part:?} in {err}");
    }
    assert!(
        json["dataset"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("differ only in case")),
        "the report carries it too"
    );
    assert!(
        err.contains("--normalize-labels"),
        "the way out is named: {err}"
    );
    // Normalised, they are one class each.
    let (json, err) = json_report(&["report", table.to_str().unwrap(), "--normalize-labels"]);
    assert!(!err.contains("differ only"), "{err}");
    let classes: Vec<&str> = json["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(classes, ["café", "cat", "dog"]);
    assert_eq!(json["overall"]["accuracy"], 1.0);
    // Distinct labels raise nothing.
    let (_, err) = json_report(&["report", "sample_data/phones"]);
    assert!(!err.contains("differ only"), "{err}");
}

#[test]
fn a_european_excel_csv_is_read_with_its_separator_and_decimal_commas() {
    // Semicolons, decimal commas, a byte-order mark and CRLF line ends, as Excel saves a
    // CSV in a European locale.
    let table = "tests/data/european";
    let (report, _) = json_report(&["report", table, "--format", "json"]);
    let dataset = &report["dataset"];
    assert_eq!(dataset["rows"], 6);
    assert_eq!(dataset["separator"]["character"], ";");
    assert_eq!(dataset["separator"]["detected"], true);
    assert_eq!(dataset["separator"]["decimal_comma"], true);
    assert_eq!(dataset["columns"]["confidence"], "confidence");
    assert_eq!(dataset["columns"]["slices"], serde_json::json!(["snr_db"]));
    // 0,93 is 0.93: at a threshold of 0.9, the two rows above it are automated.
    let at_90 = report["automation"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["threshold"] == 0.9)
        .unwrap();
    assert_eq!(at_90["covered"], 2);
    assert_eq!(report["slices"][0]["value"], "1.5");

    let md = errata(&["report", table, "--format", "md"]);
    assert!(
        stdout(&md).contains("semicolon-separated (detected), decimal commas read as points"),
        "{}",
        stdout(&md)
    );

    // Told to split at commas, the table has one column and no label: a clear refusal.
    let forced = errata(&["report", table, "--separator", ",", "--format", "json"]);
    assert_eq!(forced.status.code(), Some(2), "{}", stderr(&forced));
    let bad = errata(&["report", table, "--separator", "x"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("not a separator errata reads"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn check_media_names_the_files_that_cannot_be_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let images = root().join("tests/data/images");
    let mut csv = String::from("id,label,prediction,image\n");
    for (i, ext) in ["png", "jpg", "bmp", "gif", "tiff", "webp"]
        .iter()
        .enumerate()
    {
        std::fs::copy(
            images.join(format!("tiny.{ext}")),
            dir.path().join(format!("ok.{ext}")),
        )
        .unwrap();
        csv.push_str(&format!("r{i},a,a,ok.{ext}\n"));
    }
    std::fs::write(dir.path().join("broken.png"), b"\x89PNG but not really").unwrap();
    std::fs::write(
        dir.path().join("broken.wav"),
        b"RIFF\x00\x00\x00\x00WAVEnothing",
    )
    .unwrap();
    csv.push_str("r6,a,b,broken.png\nr7,b,b,broken.wav\n");
    std::fs::write(dir.path().join("metadata.csv"), csv).unwrap();
    let folder = dir.path().to_str().unwrap();

    let (plain, _) = json_report(&["report", folder]);
    assert!(plain["dataset"].get("undecodable_media").is_none());
    let (checked, _) = json_report(&["report", folder, "--check-media"]);
    assert_eq!(checked["dataset"]["undecodable_media"], 2);
    let warning = checked["dataset"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|w| w.as_str().filter(|w| w.contains("cannot be decoded")))
        .expect("a warning names them")
        .to_string();
    assert!(warning.starts_with("2 of 8 media files"), "{warning}");
    assert!(
        warning.contains("broken.png") && warning.contains("broken.wav"),
        "{warning}"
    );
    assert!(
        !warning.contains(folder),
        "named as the table names them: {warning}"
    );
}

#[test]
fn an_annotations_file_adds_annotators_and_a_bad_one_is_refused_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("m.csv");
    std::fs::write(
        &table,
        "id,label,prediction\na,cat,cat\nb,dog,cat\nc,dog,dog\n",
    )
    .unwrap();
    let notes = dir.path().join("annotations.csv");
    std::fs::write(
        &notes,
        "id,annotator,label\na,kim,cat\na,lee,cat\nb,kim,dog\nb,lee,cat\nc,kim,dog\n",
    )
    .unwrap();
    let (report, _) = json_report(&[
        "report",
        table.to_str().unwrap(),
        "--annotations",
        notes.to_str().unwrap(),
    ]);
    let agreement = &report["agreement"];
    assert_eq!(agreement["annotators"], serde_json::json!(["kim", "lee"]));
    assert_eq!(agreement["pairs"][0]["n"], 2);
    assert_eq!(agreement["percent_agreement"], 0.5);
    assert_eq!(agreement["per_annotator"][0]["accuracy"], 1.0);
    // An unknown id and a repeated annotation are refused with their line; nothing is made.
    let project = dir.path().join("m.errata");
    for (content, line) in [
        ("id,annotator,label\na,kim,cat\nzz,kim,dog\n", "line 3"),
        (
            "id,annotator,label\na,kim,cat\nb,kim,dog\na,kim,dog\n",
            "line 4",
        ),
    ] {
        std::fs::write(&notes, content).unwrap();
        let o = errata(&[
            "init",
            table.to_str().unwrap(),
            "--annotations",
            notes.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("annotations.csv") && stderr(&o).contains(line),
            "{}",
            stderr(&o)
        );
        assert!(!project.exists());
    }
}

#[test]
fn labels_are_corrected_confirmed_exported_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("phones.errata");
    let p = project.to_str().unwrap();
    assert_eq!(
        errata(&["init", "sample_data/phones", "-o", p])
            .status
            .code(),
        Some(0)
    );
    let o = errata(&["label", p, "phone_016", "scratch"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("corrected to scratch"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        errata(&["label", p, "phone_001", "--confirm"])
            .status
            .code(),
        Some(0)
    );
    let o = errata(&["label", p, "no_such_row", "dent"]);
    assert_eq!(o.status.code(), Some(2));
    let exported = stdout(&errata(&["export-labels", p]));
    let lines: Vec<&str> = exported.lines().collect();
    assert_eq!(lines[0], "id,given,corrected,status,author,time");
    assert!(
        lines[1].starts_with("phone_001,none,none,confirmed,"),
        "{exported}"
    );
    assert!(
        lines[2].starts_with("phone_016,dent,scratch,corrected,"),
        "{exported}"
    );
    let (report, _) = json_report(&["report", p]);
    let c = &report["corrected_labels"];
    assert_eq!(
        (c["count"].as_u64(), c["confirmed"].as_u64()),
        (Some(1), Some(1))
    );
    let (before, after) = (
        c["accuracy_before"].as_f64().unwrap(),
        c["accuracy_after"].as_f64().unwrap(),
    );
    assert!(
        (after - before - 1.0 / 80.0).abs() < 1e-12,
        "{before} {after}"
    );
    // --clear takes a review back.
    assert_eq!(
        errata(&["label", p, "phone_016", "--clear"]).status.code(),
        Some(0)
    );
    let (report, _) = json_report(&["report", p]);
    assert_eq!(report["corrected_labels"]["count"], 0);
}

#[test]
fn audit_checks_measure_annotator_agreement_and_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("labels.toml");
    std::fs::write(
        &spec,
        "[[check]]\nrisk = \"annotators disagree under glare\"\nmetric = \"fleiss_kappa\"\nslice = \"lighting\"\nmin = 0.6\n\n[[check]]\nrisk = \"annotators are accurate\"\nmetric = \"annotator_accuracy\"\nmin = 0.85\n",
    )
    .unwrap();
    let o = errata(&[
        "audit",
        "sample_data/phones",
        "--spec",
        spec.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let bright = out.lines().find(|l| l.contains("lighting=bright")).unwrap();
    assert!(
        bright.contains("0.474") && bright.ends_with("FAIL"),
        "{out}"
    );
    assert!(out.contains("87.7 %"), "{out}");
    // Without annotators the check is refused, saying what it needs.
    std::fs::write(
        &spec,
        "[[check]]\nrisk = \"r\"\nmetric = \"annotator_accuracy\"\nmin = 0.85\n",
    )
    .unwrap();
    let o = errata(&[
        "audit",
        "sample_data/speech",
        "--spec",
        spec.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("needs annotators"), "{}", stderr(&o));
}

/// The drift sample against its reference: the new device and accent are named, the media
/// metrics see the louder, clipping clips, the daily windows raise alarms, and the exit
/// status says so (1) for a scheduled job.
#[test]
fn drift_of_the_speech_sample_names_what_moved() {
    let o = errata(&[
        "drift",
        "sample_data/speech",
        "sample_data/speech-current",
        "--media-metrics",
        "--window",
        "1d",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &r["drift"];
    assert_eq!(d["reference"]["rows"], 60);
    assert_eq!(d["current"]["rows"], 60);
    let column = |name: &str| {
        d["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["column"] == name)
            .unwrap_or_else(|| panic!("column {name}"))
            .clone()
    };
    let device = column("device");
    assert_eq!(device["drift"], true);
    assert_eq!(device["test"], "chisquare");
    assert_eq!(device["new_values"][0]["value"], "smartwatch");
    assert_eq!(column("accent")["new_values"][0]["value"], "welsh");
    assert_eq!(column("audio RMS (dBFS)")["drift"], true);
    assert_eq!(column("audio RMS (dBFS)")["kind"], "numeric");
    let windows = d["windows"].as_array().unwrap();
    assert_eq!(windows.len(), 14);
    assert_eq!(windows[0]["start"], "2026-11-02");
    assert!(windows[0]["alarms"].as_array().unwrap().is_empty());
    assert!(windows[7..].iter().any(|w| {
        w["alarms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "audio clipped share")
    }));
    // Without a window or the media, nothing alarms and too few columns drift: exit 0.
    let o = errata(&["drift", "sample_data/speech", "sample_data/speech-current"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn drift_reports_in_every_format_and_tests_can_be_chosen() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["md", "html"] {
        let out = dir.path().join(format!("drift.{format}"));
        let o = errata(&[
            "drift",
            "sample_data/speech",
            "sample_data/speech-current",
            "--format",
            format,
            "-o",
            out.to_str().unwrap(),
            "--test",
            "device=psi:0.2",
        ]);
        assert!(
            o.status.code() == Some(1) || o.status.code() == Some(0),
            "{}",
            stderr(&o)
        );
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.contains("Drift per column"), "{format}");
        assert!(
            text.contains("smartwatch: 25.0 % of current, 0 in reference"),
            "{format}"
        );
        assert!(text.contains("psi"), "{format}");
    }
    let csv = dir.path().join("csv");
    let o = errata(&[
        "drift",
        "sample_data/speech",
        "sample_data/speech-current",
        "--format",
        "csv",
        "-o",
        csv.to_str().unwrap(),
        "--window",
        "7 rows",
    ]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let columns = std::fs::read_to_string(csv.join("drift_columns.csv")).unwrap();
    assert!(columns.starts_with("column,kind,test,score,threshold,drift,new values"));
    assert!(
        std::fs::read_to_string(csv.join("drift_windows.csv"))
            .unwrap()
            .lines()
            .count()
            > 10
    );
}

/// Bad input to `drift`: named file, column and row, exit 2, nothing written in either set.
#[test]
fn drift_refuses_bad_input_clearly_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    std::fs::write(
        &reference,
        "id,label,prediction,confidence,device,snr\n1,a,a,0.9,phone,10\n2,b,a,0.6,tablet,12\n3,a,a,0.8,phone,9.5\n",
    )
    .unwrap();
    let case = |name: &str, text: &str, extra: &[&str], expected: &[&str]| {
        let current = dir.path().join(name);
        std::fs::write(&current, text).unwrap();
        let before = snapshot(dir.path());
        let mut args = vec![
            "drift",
            reference.to_str().unwrap(),
            current.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let o = errata(&args);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let message = stderr(&o);
        for e in expected {
            assert!(message.contains(e), "{name}: {message:?} lacks {e:?}");
        }
        assert_eq!(snapshot(dir.path()), before, "{name}: nothing written");
    };
    case(
        "missing_column.csv",
        "id,prediction,confidence,snr\n9,a,0.5,3\n",
        &[],
        &[
            "missing_column.csv",
            "\"device\"",
            "slice column",
            "same columns",
        ],
    );
    case(
        "wrong_type.csv",
        "id,prediction,confidence,device,snr\n9,a,0.5,phone,3\n10,a,0.5,phone,loud\n",
        &[],
        &[
            "wrong_type.csv",
            "\"snr\"",
            "row 2",
            "\"loud\"",
            "numeric in the reference",
        ],
    );
    case(
        "bad_time.csv",
        "id,timestamp,prediction,confidence,device,snr\n9,2026-11-02,a,0.5,phone,3\n10,last tuesday,a,0.5,phone,4\n",
        &["--window", "1d"],
        &[
            "bad_time.csv",
            "\"timestamp\"",
            "row 2",
            "\"last tuesday\"",
            "ISO 8601",
        ],
    );
    case(
        "no_time.csv",
        "id,prediction,confidence,device,snr\n9,a,0.5,phone,3\n",
        &["--window", "1d"],
        &["no_time.csv", "needs a time column"],
    );
    case(
        "bad_test.csv",
        "id,prediction,confidence,device,snr\n9,a,0.5,phone,3\n",
        &["--test", "device=ks"],
        &["ks", "device", "categorical"],
    );
    case(
        "bad_window.csv",
        "id,prediction,confidence,device,snr\n9,a,0.5,phone,3\n",
        &["--window", "fortnight"],
        &["fortnight", "not understood"],
    );
}

/// `drift --save` keeps the comparison in the project; its report then has a `drift`
/// section, and `drift PROJECT` alone runs the kept comparison.
#[test]
fn a_saved_comparison_joins_the_project_report() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    std::fs::write(
        &reference,
        "id,label,prediction,device\n1,a,a,phone\n2,b,a,tablet\n3,a,a,phone\n4,b,b,phone\n",
    )
    .unwrap();
    std::fs::write(
        &current,
        "id,prediction,device\n9,a,watch\n10,a,watch\n11,b,phone\n",
    )
    .unwrap();
    let project = dir.path().join("p.errata");
    let o = errata(&[
        "init",
        reference.to_str().unwrap(),
        "-o",
        project.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = errata(&[
        "drift",
        project.to_str().unwrap(),
        current.to_str().unwrap(),
        "--save",
    ]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let (r, _) = json_report(&["report", project.to_str().unwrap()]);
    let d = &r["drift"];
    assert_eq!(d["current"]["rows"], 3);
    let device = d["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "device")
        .unwrap();
    assert_eq!(device["new_values"][0]["value"], "watch");
    let again = errata(&["drift", project.to_str().unwrap()]);
    assert_eq!(again.status.code(), o.status.code(), "{}", stderr(&again));
    assert!(again.stdout.len() > 100);
    // An audit check on drift: measured against the kept comparison.
    let spec = dir.path().join("audit.toml");
    std::fs::write(
        &spec,
        "[[check]]\nrisk = \"a new device appears\"\nmetric = \"drift\"\nslice = \"device\"\nmax = 0\n\n[[check]]\nrisk = \"no such column\"\nmetric = \"drift\"\nslice = \"weather\"\nmax = 0\n",
    )
    .unwrap();
    let o = errata(&[
        "audit",
        project.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(table.contains("device (chisquare 0.0000)"), "{table}");
    assert!(table.contains("drifts"), "{table}");
    assert!(table.contains("FAIL"), "{table}");
    assert!(
        table.contains("weather (not among the compared columns)"),
        "{table}"
    );
    // Without a kept comparison, a drift check is not judged.
    let o = errata(&[
        "audit",
        reference.to_str().unwrap(),
        "--spec",
        spec.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("device (no current set compared)"));
}

/// The media's input metrics become slices of the report and may be audited.
#[test]
fn input_metrics_of_the_images_are_slices_of_the_report_and_the_audit() {
    let (r, _) = json_report(&["report", "sample_data/phones", "--media-metrics"]);
    let columns: Vec<&str> = r["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["column"].as_str().unwrap())
        .collect();
    for metric in [
        "image brightness",
        "image contrast",
        "image sharpness",
        "image width",
    ] {
        assert!(columns.contains(&metric), "{metric} in {columns:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("audit.toml");
    std::fs::write(
        &spec,
        "[[check]]\nrisk = \"dark photos fail\"\nmetric = \"accuracy\"\nslice = \"image brightness\"\nmax_gap = 1.0\n",
    )
    .unwrap();
    let o = errata(&[
        "audit",
        "sample_data/phones",
        "--spec",
        spec.to_str().unwrap(),
        "--media-metrics",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("image brightness=["), "{}", stdout(&o));
    // Without the flag, the check names a column the dataset lacks: refused, line named.
    let o = errata(&[
        "audit",
        "sample_data/phones",
        "--spec",
        spec.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 1"), "{}", stderr(&o));
}

/// A test may be chosen for any compared column, a text column beyond the 50 values of a
/// slice included; a test or band naming nothing compared is refused.
#[test]
fn chosen_tests_name_compared_columns() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    let mut r = String::from("id,label,prediction,city\n");
    let mut c = String::from("id,prediction,city\n");
    for i in 0..120 {
        r.push_str(&format!("{i},a,a,city{}\n", i % 60));
        c.push_str(&format!("{i},a,city{}\n", i % 70));
    }
    std::fs::write(&reference, r).unwrap();
    std::fs::write(&current, c).unwrap();
    let (ref_path, cur_path) = (reference.to_str().unwrap(), current.to_str().unwrap());
    let o = errata(&["drift", ref_path, cur_path, "--test", "city=psi:0.2"]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let city = r["drift"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "city")
        .unwrap()
        .clone();
    assert_eq!(city["test"], "psi");
    assert_eq!(city["threshold"], 0.2);
    assert_eq!(city["new_values"].as_array().unwrap().len(), 10);
    let o = errata(&["drift", ref_path, cur_path, "--test", "weather=psi"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"weather\", which is not compared"),
        "{}",
        stderr(&o)
    );
    let o = errata(&[
        "drift",
        ref_path,
        cur_path,
        "--window",
        "10 rows",
        "--alarm",
        "loudness=0:1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("\"loudness\", which is not followed"),
        "{}",
        stderr(&o)
    );
}

/// A column of text in the reference stays text in the current set, even where the current
/// values all read as numbers (compared as categories, as Evidently's column mapping does).
#[test]
fn a_text_column_of_the_reference_is_compared_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference.csv");
    let current = dir.path().join("current.csv");
    std::fs::write(
        &reference,
        "id,label,prediction,room\n1,a,a,12\n2,a,b,kitchen\n3,b,b,12\n",
    )
    .unwrap();
    std::fs::write(&current, "id,prediction,room\n1,a,12\n2,b,14\n").unwrap();
    let o = errata(&[
        "drift",
        reference.to_str().unwrap(),
        current.to_str().unwrap(),
    ]);
    assert!(o.status.code().is_some_and(|c| c <= 1), "{}", stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let room = r["drift"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["column"] == "room")
        .unwrap()
        .clone();
    assert_eq!(room["kind"], "categorical");
    assert_eq!(room["new_values"][0]["value"], "14");
}

/// `errata slices` on a fixture with planted bad conjunctions: the JSON the issue documents,
/// predicates in feature order, `--columns` restricting the features, md and csv.
#[test]
fn slices_finds_the_planted_conjunction_in_every_format() {
    let set = "tests/oracle/slices/planted";
    let (doc, _) = json_report(&["slices", set, "--alpha", "0.95", "--k", "3"]);
    let found = &doc["found_slices"];
    assert_eq!(found["alpha"], 0.95);
    assert_eq!(found["k"], 3);
    assert_eq!(found["max_level"], 3);
    assert_eq!(found["min_support"], 50);
    assert_eq!(found["errors"], "misclassified");
    let first = &found["slices"][0];
    let keys: Vec<&String> = first["predicates"].as_object().unwrap().keys().collect();
    assert!(!keys.is_empty());
    for key in ["size", "errors", "error_rate", "score"] {
        assert!(first[key].is_number(), "{key} in {first}");
    }
    assert!(first["score"].as_f64().unwrap() > 0.0);
    let (restricted, _) = json_report(&[
        "slices",
        set,
        "--alpha",
        "0.95",
        "--columns",
        "accent,device",
        "--min-support",
        "2%",
    ]);
    let restricted = &restricted["found_slices"];
    assert_eq!(
        restricted["features"],
        serde_json::json!(["accent", "device"])
    );
    assert_eq!(restricted["min_support"], 100);
    assert_eq!(
        restricted["slices"][0]["predicates"],
        serde_json::json!({"accent": "scottish", "device": "phone"})
    );
    let md = errata(&["slices", set, "--alpha", "0.95", "--format", "md"]);
    assert!(stdout(&md).contains("| 1 | "), "{}", stdout(&md));
    let csv = errata(&["slices", set, "--alpha", "0.95", "--format", "csv"]);
    assert!(stdout(&csv).starts_with("rank,slice,size,errors,error rate,score\n"));
}

#[test]
fn slices_refuse_bad_parameters_with_what_is_allowed() {
    let set = "tests/oracle/slices/ties";
    let refused = |args: &[&str], expected: &str| {
        let mut all = vec!["slices", set];
        all.extend_from_slice(args);
        let o = errata(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"));
    };
    refused(&["--alpha", "0"], "alpha must be above 0 and at most 1");
    refused(&["--alpha", "1.5"], "got 1.5");
    refused(&["--k", "0"], "k must be at least 1");
    refused(&["--max-level", "0"], "maximum level must be at least 1");
    refused(&["--min-support", "5000"], "larger than the set (960 rows)");
    refused(&["--min-support", "ten"], "give a number of rows");
    refused(
        &["--errors", "regressions"],
        "regressions need a baseline column",
    );
    refused(&["--errors", "wer"], "WER is the error of transcripts");
    refused(
        &["--errors", "typos"],
        "use misclassified, wer or regressions",
    );
    refused(
        &["--columns", "a,colour"],
        "no feature named \"colour\"; the features are: a, b, c, d",
    );
    refused(&["--save"], "--save keeps the search in a project");
}

/// A search kept with `--save` makes the project's reports carry `found_slices`; a dataset's
/// report carries it when asked.
#[test]
fn a_saved_search_puts_found_slices_in_reports() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("regressions");
    std::fs::create_dir(&data).unwrap();
    let source = root().join("tests/oracle/slices/regressions/metadata.csv");
    std::fs::copy(&source, data.join("metadata.csv")).unwrap();
    let path = |p: &Path| p.to_str().unwrap().to_string();
    let (plain, _) = json_report(&["report", &path(&data)]);
    assert!(plain.get("found_slices").is_none());
    let (asked, _) = json_report(&["report", &path(&data), "--find-slices"]);
    assert_eq!(asked["found_slices"]["alpha"], 0.6);
    let o = errata(&["init", &path(&data)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let project = dir.path().join("regressions.errata");
    let (saved, _) = json_report(&[
        "slices",
        &path(&project),
        "--errors",
        "regressions",
        "--alpha",
        "0.9",
        "--k",
        "3",
        "--save",
    ]);
    assert_eq!(saved["found_slices"]["errors"], "regressions");
    let first = &saved["found_slices"]["slices"][0]["predicates"];
    assert_eq!(first["device"], "watch", "{first}");
    assert_eq!(first["room"], "street", "{first}");
    let (report, _) = json_report(&["report", &path(&project)]);
    assert_eq!(report["found_slices"], saved["found_slices"]);
    let md = errata(&["report", &path(&project), "--format", "md"]);
    assert!(stdout(&md).contains("## Found slices"));
}
