//! errata's figures against independent oracles: scikit-learn for classification, jiwer for
//! transcripts, statsmodels for Wilson intervals. The expected values were captured by
//! tests/oracle/make_fixtures.py into tests/oracle/fixtures.json.

use std::path::Path;

use errata::data::{self, MappingRequest};
use errata::model::analysis::{Analysis, ManualInputs};
use serde_json::Value;

const TOLERANCE: f64 = 1e-9;

fn fixtures() -> serde_json::Map<String, Value> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/fixtures.json"),
    )
    .unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_object()
        .unwrap()
        .clone()
}

fn analyse(fixture: &Value) -> Analysis {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture["path"].as_str().unwrap());
    let dataset = data::load(&path, &MappingRequest::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        dataset.set.task.as_str(),
        fixture["task"].as_str().unwrap(),
        "{}",
        path.display()
    );
    Analysis::compute(&dataset.set, &dataset.tags, &ManualInputs::default())
}

fn close(name: &str, what: &str, got: f64, want: &Value) {
    let want = want.as_f64().unwrap();
    assert!(
        (got - want).abs() <= TOLERANCE,
        "{name} {what}: errata {got}, oracle {want}"
    );
}

#[test]
fn classification_matches_scikit_learn() {
    let mut checked = 0;
    for (name, f) in fixtures() {
        if f["task"] != "classification" {
            continue;
        }
        let a = analyse(&f);
        let labels: Vec<&str> = f["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let ours: Vec<&str> = a.classes.iter().map(|c| c.label.as_str()).collect();
        assert_eq!(ours, labels, "{name}: class order");
        for (i, c) in a.classes.iter().enumerate() {
            close(
                &name,
                &format!("precision[{}]", c.label),
                c.precision,
                &f["precision"][i],
            );
            close(
                &name,
                &format!("recall[{}]", c.label),
                c.recall,
                &f["recall"][i],
            );
            close(&name, &format!("f1[{}]", c.label), c.f1, &f["f1"][i]);
            assert_eq!(
                c.support,
                f["support"][i].as_u64().unwrap(),
                "{name} support[{}]",
                c.label
            );
        }
        let averages = a.averages.as_ref().unwrap();
        for (avg, prf) in [
            ("macro", averages.macro_avg),
            ("micro", averages.micro),
            ("weighted", averages.weighted),
        ] {
            close(
                &name,
                &format!("{avg} precision"),
                prf.precision,
                &f["averages"][avg]["precision"],
            );
            close(
                &name,
                &format!("{avg} recall"),
                prf.recall,
                &f["averages"][avg]["recall"],
            );
            close(
                &name,
                &format!("{avg} f1"),
                prf.f1,
                &f["averages"][avg]["f1"],
            );
        }
        let matrix: Vec<Vec<u64>> = serde_json::from_value(f["confusion"].clone()).unwrap();
        assert_eq!(
            a.confusion.as_ref().unwrap().matrix(),
            matrix,
            "{name}: confusion matrix"
        );
        close(
            &name,
            "accuracy",
            a.overall.accuracy.unwrap(),
            &f["accuracy"],
        );
        let ci = a.overall.ci95.unwrap();
        close(&name, "ci95 low", ci.0, &f["ci95"][0]);
        close(&name, "ci95 high", ci.1, &f["ci95"][1]);
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} classification fixtures");
}

#[test]
fn transcription_matches_jiwer() {
    let mut checked = 0;
    for (name, f) in fixtures() {
        if f["task"] != "transcription" {
            continue;
        }
        let a = analyse(&f);
        assert_eq!(a.overall.n, f["rows"].as_u64().unwrap(), "{name}: rows");
        close(&name, "wer", a.overall.wer.unwrap(), &f["wer"]);
        close(&name, "cer", a.overall.cer.unwrap(), &f["cer"]);
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} transcription fixtures");
}

/// Cohen's kappa, Fleiss' kappa and Krippendorff's alpha on annotator label sets, against
/// scikit-learn, statsmodels and krippendorff (tests/oracle/make_agreement_fixtures.py).
#[test]
fn agreement_matches_scikit_learn_statsmodels_and_krippendorff() {
    use errata::model::MISSING;
    use errata::model::agreement::{Ratings, cohen_kappa, count_all};
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/agreement.json"),
    )
    .unwrap();
    let sets: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    assert!(sets.len() >= 3);
    for (name, set) in &sets {
        let rows = set["rows"].as_array().unwrap();
        let annotators = rows[0].as_array().unwrap().len();
        let labels: Vec<u32> = rows
            .iter()
            .flat_map(|row| row.as_array().unwrap().iter())
            .map(|v| v.as_u64().map_or(MISSING, |v| v as u32))
            .collect();
        let ratings = Ratings {
            annotators,
            labels: &labels,
        };
        for pair in set["pairs"].as_array().unwrap() {
            let (a, b) = (
                pair["a"].as_u64().unwrap() as usize,
                pair["b"].as_u64().unwrap() as usize,
            );
            let (kappa, _, n) = cohen_kappa(ratings, a, b);
            assert_eq!(n, pair["n"].as_u64().unwrap(), "{name}: n {a}-{b}");
            match pair["cohen_kappa"].as_f64() {
                Some(_) => close(name, "cohen_kappa", kappa.unwrap(), &pair["cohen_kappa"]),
                None => assert_eq!(kappa, None, "{name}: cohen_kappa {a}-{b}"),
            }
        }
        let counts = count_all(ratings);
        close(
            name,
            "fleiss_kappa",
            counts.fleiss_kappa().unwrap(),
            &set["fleiss_kappa"],
        );
        assert_eq!(
            counts.fleiss_excluded(),
            set["fleiss_excluded"].as_u64().unwrap(),
            "{name}"
        );
        close(
            name,
            "krippendorff_alpha",
            counts.krippendorff_alpha().unwrap(),
            &set["krippendorff_alpha"],
        );
    }
}

/// Whole datasets with annotator columns and `prob_<class>` columns, loaded as a user's
/// would be: agreement against scikit-learn, statsmodels and krippendorff, suspected label
/// errors against cleanlab's `find_label_issues` (the same rows in the same order).
#[test]
fn label_figures_of_loaded_datasets_match_the_reference_libraries() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/labels");
    let mut checked = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "csv") {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(path.with_extension("json")).unwrap())
                .unwrap();
        let dataset =
            data::load(&path, &MappingRequest::default()).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            dataset.warnings.is_empty(),
            "{name}: {:?}",
            dataset.warnings
        );
        let a = Analysis::compute(&dataset.set, &dataset.tags, &ManualInputs::default());
        let agreement = a.agreement.as_ref().expect("annotators detected");
        let names: Vec<&str> = want["annotators"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(agreement.annotators, names, "{name}");
        for (pair, expected) in agreement
            .pairs
            .iter()
            .zip(want["pairs"].as_array().unwrap())
        {
            assert_eq!(pair.n, expected["n"].as_u64().unwrap(), "{name}");
            close(
                &name,
                "cohen_kappa",
                pair.cohen_kappa.unwrap(),
                &expected["cohen_kappa"],
            );
        }
        close(
            &name,
            "fleiss_kappa",
            agreement.fleiss_kappa.unwrap(),
            &want["fleiss_kappa"],
        );
        assert_eq!(
            agreement.fleiss_excluded,
            want["fleiss_excluded"].as_u64().unwrap()
        );
        close(
            &name,
            "krippendorff_alpha",
            agreement.krippendorff_alpha.unwrap(),
            &want["krippendorff_alpha"],
        );
        let issues = a
            .label_issues
            .as_ref()
            .expect("class probabilities detected");
        let expected = want["label_issues"].as_array().unwrap();
        let got: Vec<&str> = issues.iter().map(|i| i.id.as_str()).collect();
        let wanted: Vec<&str> = expected.iter().map(|i| i["id"].as_str().unwrap()).collect();
        assert_eq!(got, wanted, "{name}: label issues");
        for (issue, expected) in issues.iter().zip(expected) {
            assert_eq!(issue.given, expected["given"].as_str().unwrap());
            close(
                &name,
                "self_confidence",
                issue.self_confidence.unwrap(),
                &expected["self_confidence"],
            );
        }
        checked += 1;
    }
    assert!(checked >= 3, "fixtures missing in {}", folder.display());
}

/// Pairs of evaluation sets loaded as a user's would be, every column's drift against
/// Evidently's DataDriftTable (tests/oracle/make_drift_fixtures.py): the test chosen, its
/// threshold, the score to 1e-9 (and to a relative 1e-6 for tiny p-values), the verdicts.
#[test]
fn drift_matches_evidently() {
    use errata::model::drift::analysis::{DriftAnalysis, DriftOptions};
    use errata::model::drift::{DriftTest, TestChoice};
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/drift");
    let mut cases = 0;
    let mut tests_seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let case = entry.unwrap().path();
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        let reference_path = case.join("reference.csv");
        let reference = data::load(&reference_path, &MappingRequest::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let monitored = data::load_reference(
            &data::ReferenceSource::of(&reference),
            &reference_path,
            &data::Progress::default(),
        )
        .unwrap();
        let current = data::load_current(
            &case.join("current.csv"),
            &reference.roles,
            &monitored,
            &MappingRequest::default(),
            &data::Progress::default(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut options = DriftOptions::default();
        for (column, choice) in want["choices"].as_object().unwrap() {
            options.choices.insert(
                column.clone(),
                TestChoice {
                    test: DriftTest::from_name(choice["test"].as_str().unwrap()),
                    threshold: choice.get("threshold").and_then(Value::as_f64),
                },
            );
        }
        let a = DriftAnalysis::compute(&monitored, &current, &options).unwrap();
        let columns = want["columns"].as_object().unwrap();
        assert_eq!(a.drift.columns.len(), columns.len(), "{name}: columns");
        for c in &a.drift.columns {
            let w = &columns[&c.column];
            assert_eq!(
                c.test.name(),
                w["test"].as_str().unwrap(),
                "{name} {}",
                c.column
            );
            tests_seen.insert(c.test.name());
            close(
                &name,
                &format!("{} threshold", c.column),
                c.threshold,
                &w["threshold"],
            );
            let score = c.score.unwrap();
            let expected = w["score"].as_f64().unwrap();
            close(&name, &format!("{} score", c.column), score, &w["score"]);
            if expected.abs() < 1e-3 {
                assert!(
                    (score - expected).abs() <= 1e-6 * expected.abs() + 1e-300,
                    "{name} {}: errata {score}, evidently {expected}",
                    c.column
                );
            }
            assert_eq!(
                c.drift,
                w["drift"].as_bool().unwrap(),
                "{name} {} drift",
                c.column
            );
        }
        assert_eq!(
            a.drift.drifted as u64,
            want["drifted"].as_u64().unwrap(),
            "{name}"
        );
        close(
            &name,
            "drift share",
            a.drift.drift_share,
            &want["drift_share"],
        );
        assert_eq!(
            a.drift.dataset_drift,
            want["dataset_drift"].as_bool().unwrap(),
            "{name}"
        );
        cases += 1;
    }
    assert!(cases >= 5, "{cases} drift cases");
    assert_eq!(tests_seen.len(), 6, "every test is covered: {tests_seen:?}");
}

/// scipy's `kstwo.sf` over a grid reaching every branch of its algorithm, and `ks_2samp`
/// on random samples of many size pairs (exact and asymptotic), from
/// tests/oracle/make_drift_fixtures.py.
#[test]
fn kolmogorov_smirnov_matches_scipy() {
    use errata::model::drift::ks::{kolmogorov_sf, ks_2samp};
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/ks.json"),
        )
        .unwrap(),
    )
    .unwrap();
    for v in want["kstwo_sf"].as_array().unwrap() {
        let (n, x) = (v["n"].as_u64().unwrap(), v["x"].as_f64().unwrap());
        let expected = v["sf"].as_f64().unwrap();
        let got = kolmogorov_sf(n, x);
        assert!(
            (got - expected).abs() <= TOLERANCE
                && (got - expected).abs() <= 1e-6 * expected + 1e-300,
            "kstwo.sf({x}, {n}): errata {got}, scipy {expected}"
        );
    }
    for v in want["ks_2samp"].as_array().unwrap() {
        let sorted = |key: &str| {
            let mut s: Vec<f64> = v[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            s.sort_by(f64::total_cmp);
            s
        };
        let (a, b) = (sorted("a"), sorted("b"));
        let (d, p) = ks_2samp(&a, &b);
        close(
            "ks_2samp",
            &format!("{}×{} statistic", a.len(), b.len()),
            d,
            &v["statistic"],
        );
        close(
            "ks_2samp",
            &format!("{}×{} p-value", a.len(), b.len()),
            p,
            &v["pvalue"],
        );
    }
}

/// The `sliceline` package's Slicefinder (tests/oracle/make_slice_fixtures.py): every set
/// loaded as a user would, its features in errata's order, the slices found with their
/// predicates and order exactly, sizes and error sums exactly, scores to 1e-9.
#[test]
fn slice_finder_matches_sliceline() {
    use errata::model::slice_finder::{self, ErrorKind, MinSupport, Params};
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/slices");
    let (mut cases, mut runs, mut slices) = (0, 0, 0);
    for entry in std::fs::read_dir(&folder).unwrap() {
        let case = entry.unwrap().path();
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        let dataset = data::load(&case.join("metadata.csv"), &MappingRequest::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let set = &dataset.set;
        let kind = ErrorKind::parse(want["errors"].as_str().unwrap()).unwrap();
        let names: Vec<String> = want["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            slice_finder::feature_names(set, &dataset.tags),
            names,
            "{name}: features"
        );
        let errors = slice_finder::row_errors(set, kind).unwrap();
        for run in want["runs"].as_array().unwrap() {
            let p = &run["params"];
            let min_support = match &p["min_support"] {
                Value::Null => MinSupport::Default,
                v if v.is_u64() => MinSupport::Rows(v.as_u64().unwrap()),
                v => MinSupport::Share(v.as_f64().unwrap()),
            };
            let params = Params {
                alpha: p["alpha"].as_f64().unwrap(),
                k: p["k"].as_u64().unwrap() as usize,
                max_level: p["max_level"].as_u64().unwrap() as usize,
                min_support,
            };
            let only: Option<Vec<String>> = run["columns"]
                .as_array()
                .map(|c| c.iter().map(|v| v.as_str().unwrap().to_string()).collect());
            let features = slice_finder::features(set, &dataset.tags, only.as_deref()).unwrap();
            let found =
                slice_finder::find_named(&features, &errors, kind, &params, &|_| true).unwrap();
            let what = format!("{name} {params:?} {only:?}");
            assert_eq!(
                found.min_support,
                run["min_support_rows"].as_u64().unwrap(),
                "{what}"
            );
            close(
                &what,
                "average error",
                found.average_error,
                &run["average_error"],
            );
            let expected = run["slices"].as_array().unwrap();
            let got: Vec<_> = found
                .slices
                .iter()
                .map(|s| s.predicates.describe())
                .collect();
            let wanted: Vec<_> = expected
                .iter()
                .map(|s| {
                    s["predicates"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| format!("{} = {}", p[0].as_str().unwrap(), p[1].as_str().unwrap()))
                        .collect::<Vec<_>>()
                        .join(" and ")
                })
                .collect();
            assert_eq!(got, wanted, "{what}: slices");
            for (g, w) in found.slices.iter().zip(expected) {
                assert_eq!(g.size as f64, w["size"].as_f64().unwrap(), "{what}: size");
                close(&what, "errors", g.errors, &w["errors"]);
                close(&what, "score", g.score, &w["score"]);
                assert_eq!(g.rows.len() as u64, g.size, "{what}: rows");
                slices += 1;
            }
            runs += 1;
        }
        cases += 1;
    }
    assert!(
        cases >= 4 && runs >= 15 && slices >= 60,
        "{cases} cases, {runs} runs, {slices} slices"
    );
}
