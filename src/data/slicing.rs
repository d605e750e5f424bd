//! Turning a metadata column into a slice: categorical values, or quantile bins for numbers.

use polars::prelude::PlHashMap;
use rayon::prelude::*;

use crate::model::dataset::sort_categories;
use crate::model::{SliceCodes, SliceColumn, SliceKind};

use super::table::NO_VALUE;

/// A categorical slice has at most this many values.
pub const MAX_SLICE_VALUES: usize = 50;
/// Numeric columns with more distinct values than this are cut into quantile bins.
pub const MAX_NUMERIC_CATEGORIES: usize = 10;
pub const QUANTILE_BINS: usize = 5;
/// A number written in a table cell, surrounding spaces allowed; with `decimal_comma`, also
/// `0,93` for 0.93 (one comma, no point), as spreadsheets in European locales write it.
pub fn parse_number(text: &str, decimal_comma: bool) -> Option<f64> {
    let text = text.trim();
    match text.parse::<f64>() {
        Ok(x) => Some(x),
        Err(_) if decimal_comma && text.matches(',').count() == 1 && !text.contains('.') => {
            text.replacen(',', ".", 1).parse().ok()
        }
        Err(_) => None,
    }
}

pub use crate::model::dataset::MISSING_VALUE;

/// A column's values for the kept rows: text, or numbers when the column is numeric.
pub enum SliceSource<'a> {
    /// Text cells; numbers among them may use a decimal comma when `decimal_comma`.
    Text {
        values: Vec<Option<&'a str>>,
        decimal_comma: bool,
    },
    /// Numbers, NaN where the cell is empty: every present number is finite (see
    /// [`finite_or_empty`]).
    Numbers(Vec<f64>),
    /// Text stored once per distinct value: a code per row into `values`,
    /// [`NO_VALUE`] where the cell is empty. Each distinct value is parsed once.
    Coded {
        codes: &'a [u32],
        /// The rows of `codes` the slice is of, ascending.
        kept: &'a [usize],
        values: &'a [String],
        decimal_comma: bool,
    },
}

/// The slice for a column, or why the column cannot be one.
pub fn slice_column(name: &str, source: SliceSource<'_>) -> Result<SliceColumn, String> {
    match source {
        SliceSource::Numbers(numbers) => numbers_slice(name, numbers),
        SliceSource::Text {
            values,
            decimal_comma,
        } => {
            let numbers: Option<Vec<Option<f64>>> = values
                .par_iter()
                .map(|v| match v {
                    None => Some(None),
                    Some(s) => parse_number(s, decimal_comma)
                        .filter(|x| x.is_finite())
                        .map(Some),
                })
                .collect();
            match numbers {
                Some(numbers) if numbers.iter().any(Option::is_some) => {
                    let numbers = numbers.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                    numbers_slice(name, numbers)
                }
                _ => categorical(name, &values),
            }
        }
        SliceSource::Coded {
            codes,
            kept,
            values,
            decimal_comma,
        } => {
            let mut used = vec![false; values.len()];
            for code in kept.iter().map(|&row| codes[row]) {
                if let Some(u) = used.get_mut(code as usize) {
                    *u = true;
                }
            }
            let numbers: Vec<Option<f64>> = values
                .par_iter()
                .zip(&used)
                .map(|(v, &u)| {
                    u.then(|| parse_number(v, decimal_comma))
                        .flatten()
                        .filter(|x| x.is_finite())
                })
                .collect();
            let numeric = used.iter().any(|&u| u)
                && used.iter().zip(&numbers).all(|(&u, n)| !u || n.is_some());
            if numeric {
                let numbers: Vec<f64> = numbers.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                return coded_numbers_slice(name, codes, kept, &numbers);
            }
            // Renumbered to the values the rows use, in the order first used.
            let mut first_used = vec![NO_VALUE; values.len()];
            let mut distinct: Vec<&str> = Vec::new();
            let provisional: Vec<u32> = kept
                .iter()
                .map(|&row| match first_used.get_mut(codes[row] as usize) {
                    None => NO_VALUE,
                    Some(c) if *c != NO_VALUE => *c,
                    Some(c) => {
                        *c = distinct.len() as u32;
                        distinct.push(&values[codes[row] as usize]);
                        *c
                    }
                })
                .collect();
            categorical_codes(name, provisional, &distinct)
        }
    }
}

/// A number (`None`: empty) as [`SliceSource::Numbers`] takes it, NaN where empty, or why
/// its column cannot be a slice (a NaN or infinite number).
pub fn finite_or_empty(x: Option<f64>) -> Result<f64, String> {
    match x {
        None => Ok(f64::NAN),
        Some(x) if x.is_finite() => Ok(x),
        Some(_) => Err("it holds NaN or infinite numbers".to_string()),
    }
}

/// The slice of a numeric column (NaN where empty): a category per number when it takes
/// few, else quantile bins.
fn numbers_slice(name: &str, numbers: Vec<f64>) -> Result<SliceColumn, String> {
    let mut few: Vec<u64> = Vec::new();
    for x in numbers.iter().filter(|x| !x.is_nan()) {
        if !few.contains(&x.to_bits()) {
            few.push(x.to_bits());
            if few.len() > MAX_NUMERIC_CATEGORIES {
                return Ok(quantile_slice(name, numbers));
            }
        }
    }
    // Named as the numbers print, which tells apart every number the bits do.
    let names: Vec<String> = few.iter().map(|&b| f64::from_bits(b).to_string()).collect();
    let provisional = numbers
        .par_iter()
        .map(|x| match few.iter().position(|&b| b == x.to_bits()) {
            Some(p) => p as u32,
            None => NO_VALUE,
        })
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    categorical_codes(name, provisional, &names)
}

fn categorical(name: &str, values: &[Option<&str>]) -> Result<SliceColumn, String> {
    let mut distinct: PlHashMap<&str, u32> = PlHashMap::default();
    let mut names: Vec<&str> = Vec::new();
    let provisional: Vec<u32> = values
        .iter()
        .map(|v| match v {
            Some(v) => *distinct.entry(v).or_insert_with(|| {
                names.push(v);
                names.len() as u32 - 1
            }),
            None => NO_VALUE,
        })
        .collect();
    categorical_codes(name, provisional, &names)
}

/// A categorical slice from provisional codes into `distinct` ([`NO_VALUE`] for empty).
fn categorical_codes(
    name: &str,
    provisional: Vec<u32>,
    distinct: &[&str],
) -> Result<SliceColumn, String> {
    if distinct.is_empty() {
        return Err("every value is empty".into());
    }
    if distinct.len() > MAX_SLICE_VALUES {
        return Err(format!(
            "{} distinct text values (a slice has at most {MAX_SLICE_VALUES})",
            distinct.len()
        ));
    }
    let mut names: Vec<String> = distinct.iter().map(|s| s.to_string()).collect();
    sort_slice_values(&mut names);
    let remap: Vec<u32> = {
        let position: PlHashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(code, n)| (n.as_str(), code as u32))
            .collect();
        distinct.iter().map(|d| position[d]).collect()
    };
    let missing = names.len() as u32;
    let codes = SliceCodes::collect(
        names.len() + 1,
        provisional.into_par_iter().map(|p| {
            if p == NO_VALUE {
                missing
            } else {
                remap[p as usize]
            }
        }),
    );
    if codes.contains(missing) {
        names.push(MISSING_VALUE.to_string());
    }
    Ok(SliceColumn {
        name: name.to_string(),
        kind: SliceKind::Categorical,
        values: names,
        codes,
        numbers: None,
    })
}

/// Slice values in a readable order: numerically when they are all numbers.
pub(super) fn sort_slice_values(values: &mut [String]) {
    if values
        .iter()
        .all(|v| v.parse::<f64>().is_ok_and(f64::is_finite))
    {
        values.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap_or(0.0)
                .total_cmp(&b.parse::<f64>().unwrap_or(0.0))
        });
    } else {
        sort_categories(values);
    }
}

/// Cuts a numeric column into quantile bins named like `[0.8, 2.4)`; the last bin is closed.
pub fn quantile_slice(name: &str, numbers: Vec<f64>) -> SliceColumn {
    // Numbers taking fewer distinct values (ages, rounded measures) are counted, which needs
    // no copy of the column; the others are copied to select the order statistics next to
    // each quantile, without sorting the whole column. Both give the same edges.
    let edges = match distinct_counts(&numbers, COUNTED_DISTINCT) {
        Some(by_value) => edges_of_counts(&by_value),
        None => {
            let mut present: Vec<f64> = Vec::with_capacity(numbers.len());
            present.extend(numbers.iter().copied().filter(|x| !x.is_nan()));
            edges_of_values(&mut present)
        }
    };
    binned_column(name, &edges, numbers)
}

/// The most distinct numbers [`quantile_slice`] counts rather than copies.
const COUNTED_DISTINCT: usize = 1 << 16;

/// Each distinct present number with its count, in ascending order, or `None` when there
/// are more than `most` of them.
fn distinct_counts(numbers: &[f64], most: usize) -> Option<Vec<(f64, usize)>> {
    let mut counts: PlHashMap<u64, usize> = PlHashMap::default();
    for x in numbers.iter().filter(|x| !x.is_nan()) {
        *counts.entry(x.to_bits()).or_default() += 1;
        if counts.len() > most {
            return None;
        }
    }
    let mut by_value: Vec<(f64, usize)> = counts
        .into_iter()
        .map(|(bits, count)| (f64::from_bits(bits), count))
        .collect();
    by_value.sort_by(|a, b| a.0.total_cmp(&b.0));
    Some(by_value)
}

/// Where quantile `k` of [`QUANTILE_BINS`] falls among `n` sorted values, as a fractional rank.
fn quantile_position(k: usize, n: usize) -> f64 {
    k as f64 / QUANTILE_BINS as f64 * (n - 1) as f64
}

/// The ranks (ascending, distinct) of the order statistics the quantiles of `n` values need.
fn quantile_ranks(n: usize) -> Vec<usize> {
    let mut ranks: Vec<usize> = (0..=QUANTILE_BINS)
        .flat_map(|k| {
            let pos = quantile_position(k, n);
            [pos.floor() as usize, pos.ceil() as usize]
        })
        .collect();
    ranks.dedup();
    ranks
}

/// The bin edges of `n` values whose order statistic of rank `r` is `at(r)`: the quantiles
/// by linear interpolation between order statistics, as numpy's default, repeated edges
/// merged.
fn quantile_edges(n: usize, at: impl Fn(usize) -> f64) -> Vec<f64> {
    let quantile = |k: usize| {
        let pos = quantile_position(k, n);
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        at(lo) + (at(hi) - at(lo)) * (pos - lo as f64)
    };
    let mut edges: Vec<f64> = (0..=QUANTILE_BINS).map(quantile).collect();
    edges.dedup();
    if edges.len() == 1 {
        edges.push(edges[0]);
    }
    edges
}

/// The binned slice of `numbers` (NaN where empty) cut at `edges`.
fn binned_column(name: &str, edges: &[f64], numbers: Vec<f64>) -> SliceColumn {
    let mut names = bin_names(edges);
    let missing_code = names.len() as u32;
    let codes = bin_codes(edges, &numbers);
    if codes.contains(missing_code) {
        names.push(MISSING_VALUE.to_string());
    }
    SliceColumn {
        name: name.to_string(),
        kind: SliceKind::Binned,
        values: names,
        codes,
        numbers: Some(numbers),
    }
}

/// The names of the bins cut at `edges`, such as `[0.8, 2.4)`; the last bin is closed.
pub(super) fn bin_names(edges: &[f64]) -> Vec<String> {
    let labels = format_edges(edges);
    let bins = edges.len() - 1;
    (0..bins)
        .map(|i| {
            let close = if i + 1 == bins { ']' } else { ')' };
            format!("[{}, {}{close}", labels[i], labels[i + 1])
        })
        .collect()
}

/// Each number's bin among those cut at `edges`; NaN (empty) gets the code after the last bin.
pub(super) fn bin_codes(edges: &[f64], numbers: &[f64]) -> SliceCodes {
    let bins = edges.len() - 1;
    let interior = &edges[1..bins];
    SliceCodes::collect(bins + 1, numbers.par_iter().map(|&x| bin_of(interior, x)))
}

/// The bin of `x` (NaN: the missing value's code, after the last bin).
pub(super) fn bin_code(edges: &[f64], x: f64) -> u32 {
    bin_of(&edges[1..edges.len() - 1], x)
}

fn bin_of(interior: &[f64], x: f64) -> u32 {
    if x.is_nan() {
        interior.len() as u32 + 1
    } else {
        interior.partition_point(|&e| e <= x) as u32
    }
}

/// The bin edges of numbers given as (number, rows) in ascending order, each number once:
/// exact quantiles from the counts, without the rows.
pub(super) fn edges_of_counts(by_value: &[(f64, usize)]) -> Vec<f64> {
    let present: usize = by_value.iter().map(|(_, c)| c).sum();
    let mut cumulative = Vec::with_capacity(by_value.len());
    let mut total = 0;
    for (_, c) in by_value {
        total += c;
        cumulative.push(total);
    }
    quantile_edges(present, |rank| {
        by_value[cumulative.partition_point(|&end| end <= rank)].0
    })
}

/// The bin edges of `values` (every present number, in any order; reordered).
pub(super) fn edges_of_values(values: &mut [f64]) -> Vec<f64> {
    let ranks = quantile_ranks(values.len());
    let order = order_statistics(values, &ranks);
    quantile_edges(values.len(), |rank| {
        order[ranks.binary_search(&rank).unwrap_or_default()]
    })
}

/// The slice of a numeric column stored by distinct value: `codes` per row into `numbers`
/// ([`NO_VALUE`] where empty). The same slice as [`SliceSource::Numbers`] gives, computed
/// from each distinct number's count: its order statistics are exact without a sort.
fn coded_numbers_slice(
    name: &str,
    codes: &[u32],
    kept: &[usize],
    numbers: &[f64],
) -> Result<SliceColumn, String> {
    let mut counts = vec![0usize; numbers.len()];
    for code in kept.iter().map(|&row| codes[row]) {
        if let Some(c) = counts.get_mut(code as usize) {
            *c += 1;
        }
    }
    let mut by_value: Vec<(f64, usize)> = numbers
        .iter()
        .zip(&counts)
        .filter(|(_, c)| **c > 0)
        .map(|(&x, &c)| (x, c))
        .collect();
    by_value.sort_by(|a, b| a.0.total_cmp(&b.0));
    by_value.dedup_by(|later, first| {
        let same = later.0.to_bits() == first.0.to_bits();
        if same {
            first.1 += later.1;
        }
        same
    });
    if by_value.len() <= MAX_NUMERIC_CATEGORIES {
        // Few numbers: categories named as the numbers print.
        let mut distinct: Vec<String> = Vec::new();
        let provisional_of: Vec<u32> = numbers
            .iter()
            .zip(&counts)
            .map(|(x, &c)| {
                if c == 0 {
                    return NO_VALUE;
                }
                let text = x.to_string();
                match distinct.iter().position(|d| *d == text) {
                    Some(p) => p as u32,
                    None => {
                        distinct.push(text);
                        distinct.len() as u32 - 1
                    }
                }
            })
            .collect();
        let provisional = kept
            .iter()
            .map(|&row| {
                provisional_of
                    .get(codes[row] as usize)
                    .copied()
                    .unwrap_or(NO_VALUE)
            })
            .collect();
        let distinct: Vec<&str> = distinct.iter().map(String::as_str).collect();
        return categorical_codes(name, provisional, &distinct);
    }
    let edges = edges_of_counts(&by_value);
    let per_row = kept
        .par_iter()
        .map(|&row| {
            numbers
                .get(codes[row] as usize)
                .copied()
                .unwrap_or(f64::NAN)
        })
        .collect();
    Ok(binned_column(name, &edges, per_row))
}

/// The values at the given ascending `ranks` of `values` sorted, found by successive
/// selections, each on the part right of the previous one.
fn order_statistics(values: &mut [f64], ranks: &[usize]) -> Vec<f64> {
    let mut start = 0;
    ranks
        .iter()
        .map(|&rank| {
            let (_, value, _) =
                values[start..].select_nth_unstable_by(rank - start, f64::total_cmp);
            let value = *value;
            start = rank + 1;
            value
        })
        .collect()
}

/// Shortest readable labels for bin edges: three significant digits, more where needed to
/// keep neighbouring edges apart.
fn format_edges(edges: &[f64]) -> Vec<String> {
    (3..=17)
        .map(|digits| {
            edges
                .iter()
                .map(|&x| significant(x, digits))
                .collect::<Vec<_>>()
        })
        .find(|labels| labels.windows(2).all(|w| w[0] != w[1]))
        .unwrap_or_else(|| edges.iter().map(|x| x.to_string()).collect())
}

fn significant(x: f64, digits: i32) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_commas_are_numbers_only_where_commas_do_not_separate_fields() {
        assert_eq!(parse_number(" 0,93 ", true), Some(0.93));
        assert_eq!(parse_number("-12,5", true), Some(-12.5));
        assert_eq!(parse_number("0,93", false), None);
        assert_eq!(parse_number("1,000,5", true), None);
        assert_eq!(parse_number("1.000,5", true), None);
        assert_eq!(parse_number("0.5", true), Some(0.5));
        let snr = slice_column(
            "snr",
            SliceSource::Text {
                values: vec![Some("10,5"), Some("3,25"), Some("7")],
                decimal_comma: true,
            },
        )
        .unwrap();
        assert_eq!(snr.values, ["3.25", "7", "10.5"]);
    }

    #[test]
    fn quantile_bins_have_readable_names_and_cover_all_values() {
        let values: Vec<f64> = (1..=100)
            .map(|i| i as f64 / 10.0)
            .chain([f64::NAN])
            .collect();
        let s = quantile_slice("duration_s", values);
        assert_eq!(s.kind, SliceKind::Binned);
        assert_eq!(
            s.values,
            [
                "[0.1, 2.08)",
                "[2.08, 4.06)",
                "[4.06, 6.04)",
                "[6.04, 8.02)",
                "[8.02, 10]",
                "(missing)"
            ]
        );
        assert_eq!(s.codes.get(0), 0);
        assert_eq!(
            s.codes.get(99),
            4,
            "the maximum falls in the last, closed bin"
        );
        assert_eq!(s.codes.get(100), 5);
        let per_bin: Vec<usize> = (0..5)
            .map(|b| s.codes.iter().filter(|&c| c == b).count())
            .collect();
        assert_eq!(per_bin, [20, 20, 20, 20, 20]);
    }

    #[test]
    fn counted_and_selected_quantile_edges_are_the_same_numbers() {
        let mut state = 7u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            state >> 33
        };
        let sets: Vec<Vec<f64>> = vec![
            vec![3.0],
            vec![2.5; 10],
            vec![-0.0, 0.0, 0.0, -0.0, 1.0, -1.0],
            vec![1.0, f64::NAN, 2.0, 2.0, f64::NAN, 7.5, 7.5, 7.5, 100.0],
            (0..1001).map(|_| (next() % 63) as f64 + 18.0).collect(),
            (0..997)
                .map(|_| (next() % 4000) as f64 / 10.0 - 200.0)
                .collect(),
            (0..50).map(|i| f64::from(i).powi(3)).collect(),
        ];
        for numbers in sets {
            let counted = edges_of_counts(&distinct_counts(&numbers, usize::MAX).unwrap());
            let mut present: Vec<f64> = numbers.iter().copied().filter(|x| !x.is_nan()).collect();
            let selected = edges_of_values(&mut present);
            let bits = |edges: &[f64]| edges.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&counted), bits(&selected), "{numbers:?}");
        }
        assert!(distinct_counts(&[1.0, 2.0, 3.0], 2).is_none());
    }

    #[test]
    fn edges_get_more_digits_when_needed() {
        assert_eq!(format_edges(&[1.0001, 1.0002]), ["1.0001", "1.0002"]);
        assert_eq!(format_edges(&[1234.6, 99999.0]), ["1235", "99999"]);
    }

    #[test]
    fn text_numbers_and_categories() {
        let text = |v: &[Option<&'static str>]| SliceSource::Text {
            values: v.to_vec(),
            decimal_comma: false,
        };
        // Few numbers stay categorical, in numeric order.
        let s = slice_column("snr", text(&[Some("10"), Some("5"), Some("20"), None])).unwrap();
        assert_eq!(s.values, ["5", "10", "20", "(missing)"]);
        assert_eq!(*s.codes.to_wide(), [1, 0, 2, 3]);
        // Many numbers are binned.
        let many: Vec<Option<&str>> = [
            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
        ]
        .iter()
        .map(|s| Some(*s))
        .collect();
        assert_eq!(
            slice_column("age", text(&many)).unwrap().kind,
            SliceKind::Binned
        );
        // Text with many values is refused, with the reason.
        let mut values = vec![5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(
            order_statistics(&mut values, &[0, 2, 3, 4]),
            [1.0, 3.0, 4.0, 5.0]
        );
        let names: Vec<String> = (0..60).map(|i| format!("speaker {i}")).collect();
        let refs: Vec<Option<&str>> = names.iter().map(|s| Some(s.as_str())).collect();
        let err = slice_column(
            "speaker",
            SliceSource::Text {
                values: refs,
                decimal_comma: false,
            },
        )
        .unwrap_err();
        assert!(err.contains("60 distinct text values"), "{err}");
        assert!(slice_column("empty", text(&[None, None])).is_err());
        let numeric =
            slice_column("n", SliceSource::Numbers(vec![1.0, 2.0, f64::NAN, 1.0])).unwrap();
        assert_eq!(numeric.values, ["1", "2", "(missing)"]);
        assert_eq!(*numeric.codes.to_wide(), [0, 1, 2, 0]);
        assert!(finite_or_empty(None).unwrap().is_nan());
        assert_eq!(finite_or_empty(Some(-2.5)), Ok(-2.5));
        assert_eq!(
            finite_or_empty(Some(f64::INFINITY)).unwrap_err(),
            "it holds NaN or infinite numbers"
        );
    }

    /// A column stored by distinct value gives the slice its cells give, for numbers (few
    /// and many, with equal numbers written apart), decimal commas, text and empty cells.
    #[test]
    fn coded_columns_slice_as_their_cells() {
        let columns: [Vec<&str>; 5] = [
            vec!["3", "1", "", "2", "1", "3.0", "0", "-0", "2", "7"],
            (0..400)
                .map(|i| ["0.5", "12", "3,5", "7.25", "1e3", "-4", "", "12.0"][i % 8])
                .collect(),
            (0..97).map(|i| ["a", "b", "", "c"][i * 7 % 4]).collect(),
            vec!["1", "x", "2"],
            vec!["", ""],
        ];
        let many: Vec<String> = (0..1000).map(|i| format!("{}", (i * 37) % 101)).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        for cells in columns.iter().chain([&many]) {
            let mut values: Vec<String> = Vec::new();
            let codes: Vec<u32> = cells
                .iter()
                .map(|c| {
                    if c.is_empty() {
                        return NO_VALUE;
                    }
                    match values.iter().position(|v| v == c) {
                        Some(p) => p as u32,
                        None => {
                            values.push(c.to_string());
                            values.len() as u32 - 1
                        }
                    }
                })
                .collect();
            let text = slice_column(
                "c",
                SliceSource::Text {
                    values: cells
                        .iter()
                        .map(|c| (!c.is_empty()).then_some(*c))
                        .collect(),
                    decimal_comma: true,
                },
            );
            let coded = slice_column(
                "c",
                SliceSource::Coded {
                    codes: &codes,
                    kept: &(0..cells.len()).collect::<Vec<_>>(),
                    values: &values,
                    decimal_comma: true,
                },
            );
            match (text, coded) {
                (Ok(a), Ok(b)) => {
                    assert_eq!((&a.values, &a.codes, a.kind), (&b.values, &b.codes, b.kind));
                    let nan_eq = |x: &Option<Vec<f64>>| {
                        x.as_ref()
                            .map(|v| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>())
                    };
                    assert_eq!(nan_eq(&a.numbers), nan_eq(&b.numbers));
                }
                (Err(a), Err(b)) => assert_eq!(a, b),
                (a, b) => panic!("{cells:?}: {a:?} against {b:?}"),
            }
        }
    }
}
