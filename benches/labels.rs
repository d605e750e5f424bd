//! Label consistency at scale: every agreement figure of 1M rows × 5 annotators (with five
//! slice columns), and confident learning (cleanlab's find_label_issues) on 1M rows × 20
//! classes, and a corrected-label edit's figures (`corrected_labels`, O(corrections)).
//!
//! `cargo bench --bench labels`

use std::time::Instant;

use errata::model::label_issues::confident_learning;
use errata::model::labels::{AgreementFigures, corrected_labels};
use errata::model::{
    Annotators, ClassProbabilities, EvalSet, EvalSetParts, MISSING, SliceColumn, SliceKind, Task,
};

const ROWS: usize = 1_000_000;

fn main() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let classes = 20u32;
    let labels: Vec<u32> = (0..ROWS).map(|_| next(u64::from(classes)) as u32).collect();
    let predictions: Vec<u32> = labels
        .iter()
        .map(|&l| {
            if next(10) < 8 {
                l
            } else {
                next(u64::from(classes)) as u32
            }
        })
        .collect();
    let slices = (0..5)
        .map(|c| SliceColumn {
            name: format!("slice{c}"),
            kind: SliceKind::Categorical,
            values: (0..20).map(|v| format!("v{v}")).collect(),
            codes: (0..ROWS).map(|_| next(20) as u32).collect(),
            numbers: None,
        })
        .collect();
    let mut annotations = Vec::with_capacity(ROWS * 5);
    for &l in &labels {
        for _ in 0..5 {
            annotations.push(match next(100) {
                0..5 => MISSING,
                5..15 => next(u64::from(classes)) as u32,
                _ => l,
            });
        }
    }
    let mut probabilities = Vec::with_capacity(ROWS * classes as usize);
    for &p in &predictions {
        let mut row: Vec<f64> = (0..classes).map(|_| 1.0 + next(100) as f64).collect();
        row[p as usize] += 600.0;
        let sum: f64 = row.iter().sum();
        probabilities.extend(row.iter().map(|v| v / sum));
    }
    let set = EvalSet::new(EvalSetParts {
        task: Task::Classification,
        ids: (0..ROWS).map(|i| format!("r{i}")).collect(),
        vocab: (0..classes).map(|c| format!("class{c}")).collect(),
        n_classes: classes as usize,
        labels,
        predictions,
        confidence: None,
        human: None,
        baseline: None,
        slices,
    })
    .with_label_sources(
        Some(Annotators {
            names: (1..=5).map(|a| format!("annotator_{a}")).collect(),
            labels: annotations,
        }),
        Some(ClassProbabilities {
            classes: classes as usize,
            values: probabilities,
        }),
    );
    for _ in 0..3 {
        let start = Instant::now();
        let figures = AgreementFigures::compute(&set).unwrap();
        println!(
            "agreement, 1M rows x 5 annotators, 5 slice columns: {:.3} s (Fleiss' kappa {:.3})",
            start.elapsed().as_secs_f64(),
            figures.fleiss_kappa.unwrap()
        );
    }
    for _ in 0..3 {
        let start = Instant::now();
        let issues = confident_learning(&set.labels, set.probabilities.as_ref().unwrap());
        println!(
            "confident learning, 1M rows x 20 classes: {:.3} s ({} suspected label errors)",
            start.elapsed().as_secs_f64(),
            issues.len()
        );
    }
    let corrections: Vec<(usize, Option<u32>)> = (0..1000).map(|i| (i * 997, Some(3))).collect();
    let start = Instant::now();
    let c = corrected_labels(&set, corrections.iter().copied());
    println!(
        "corrected labels' figures after an edit (1,000 corrections): {:.4} s (accuracy {:.4} -> {:.4})",
        start.elapsed().as_secs_f64(),
        c.accuracy_before.unwrap(),
        c.accuracy_after.unwrap()
    );
}
