//! The `found_slices` section: the slices the finder ranked, as one table for every format.

use super::format::{fixed, percent};
use super::labels::PlainTable;
use crate::model::slice_finder::FoundSlices;

pub fn tables(found: &FoundSlices) -> Vec<PlainTable> {
    let intro = if found.slices.is_empty() {
        format!(
            "No slice of at least {} rows scores above 0 at alpha {} (the average {} is {}). A higher alpha weighs a slice's error rate more than its size.",
            found.min_support,
            found.alpha,
            found.errors.as_str(),
            fixed(Some(found.average_error), 4)
        )
    } else {
        format!(
            "SliceLine over {} features of {} rows: the {} top slices by score (alpha {}, k {}, up to {} predicates, at least {} rows); the average {} is {}.",
            found.features.len(),
            found.rows,
            found.slices.len(),
            found.alpha,
            found.k,
            found.max_level,
            found.min_support,
            found.errors.as_str(),
            fixed(Some(found.average_error), 4)
        )
    };
    let rows = found
        .slices
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                (i + 1).to_string(),
                match s.same_rows_as {
                    Some(rank) => format!("{} (the rows of #{rank})", s.predicates.describe()),
                    None => s.predicates.describe(),
                },
                s.size.to_string(),
                format_errors(s.errors),
                percent(Some(s.error_rate), 1),
                fixed(Some(s.score), 4),
            ]
        })
        .collect();
    vec![PlainTable {
        file: "found_slices.csv",
        title: "Found slices",
        intro,
        header: vec!["rank", "slice", "size", "errors", "error rate", "score"],
        rows,
        more: 0,
    }]
}

/// Whole numbers as such; WER sums with two decimals.
pub fn format_errors(errors: f64) -> String {
    if errors.fract() == 0.0 {
        format!("{errors:.0}")
    } else {
        format!("{errors:.2}")
    }
}
