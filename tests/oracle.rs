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

/// Cohen's kappa (scikit-learn), Fleiss' kappa (statsmodels) and Krippendorff's alpha (the
/// krippendorff package) on annotator sets with missing annotations and an unused class,
/// from tests/oracle/make_agreement_fixtures.py.
#[test]
fn agreement_matches_scikit_learn_statsmodels_and_krippendorff() {
    use errata::model::agreement::{cohen_kappa, fleiss_kappa, krippendorff_alpha};
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/agreement.json"),
    )
    .unwrap();
    let sets: serde_json::Map<String, Value> = serde_json::from_str(&text).unwrap();
    assert!(sets.len() >= 3);
    for (name, set) in &sets {
        let rows: Vec<Vec<Option<u32>>> = set["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_u64().map(|v| v as u32))
                    .collect()
            })
            .collect();
        let column = |j: usize| -> Vec<Option<u32>> { rows.iter().map(|r| r[j]).collect() };
        for pair in set["pairs"].as_array().unwrap() {
            let (a, b) = (
                pair["a"].as_u64().unwrap() as usize,
                pair["b"].as_u64().unwrap() as usize,
            );
            let got = cohen_kappa(&column(a), &column(b));
            match pair["cohen_kappa"].as_f64() {
                Some(_) => close(name, "cohen_kappa", got.unwrap(), &pair["cohen_kappa"]),
                None => assert_eq!(got, None, "{name}: cohen_kappa {a}-{b}"),
            }
        }
        let (fleiss, excluded) = fleiss_kappa(&rows);
        close(name, "fleiss_kappa", fleiss.unwrap(), &set["fleiss_kappa"]);
        assert_eq!(
            excluded as u64,
            set["fleiss_excluded"].as_u64().unwrap(),
            "{name}"
        );
        close(
            name,
            "krippendorff_alpha",
            krippendorff_alpha(&rows).unwrap(),
            &set["krippendorff_alpha"],
        );
    }
}
