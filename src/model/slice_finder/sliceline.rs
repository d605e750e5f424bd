//! SliceLine (Sagadeeva & Boehm, SIGMOD 2021) as the `sliceline` package's `Slicefinder`
//! computes it, step for step, so that its slices, their order and their scores are the
//! package's: one-hot columns are each feature's values in sorted order, the lattice is
//! enumerated level by level from pairs of surviving slices, candidates are pruned by the
//! package's upper bound (which, as published, weighs the size term by the number of one-hot
//! columns), and ties at the k-th place are all kept.
//!
//! Candidates are evaluated without a matrix product: those over the same features are
//! counted together in one pass over the rows (a dense table of value combinations, or a
//! hash map when the combinations are many), the feature sets on all cores.

use std::cmp::Ordering;

use hashbrown::HashMap;
use rayon::prelude::*;

use super::{Feature, FinderError, Params};

/// A slice as its one-hot columns (ascending), with what the package keeps for it.
#[derive(Clone, Debug)]
pub(super) struct Slice {
    pub columns: Vec<u32>,
    pub stats: Stats,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Stats {
    pub score: f64,
    pub errors: f64,
    pub max_error: f64,
    pub size: f64,
}

/// The one-hot encoding: each feature's present values in sorted order, numbered across
/// features.
struct Encoding {
    /// `column_of[feature][code]`: the code's one-hot column (`u32::MAX` if it never occurs).
    column_of: Vec<Vec<u32>>,
    /// The feature and the code of each one-hot column.
    columns: Vec<(usize, u32)>,
    /// Per feature, the first one-hot column and the number of its columns.
    offset: Vec<u32>,
    domain: Vec<u32>,
    /// Per feature, the weight of its digit in the package's candidate id, when every id
    /// fits in 128 bits (the ids are then sorted as numbers).
    id_weight: Option<Vec<u128>>,
}

impl Encoding {
    fn new(features: &[Feature]) -> Encoding {
        let mut enc = Encoding {
            column_of: Vec::with_capacity(features.len()),
            columns: Vec::new(),
            offset: Vec::with_capacity(features.len()),
            domain: Vec::with_capacity(features.len()),
            id_weight: None,
        };
        for (f, feature) in features.iter().enumerate() {
            let mut present = vec![false; feature.values.len()];
            for code in feature.codes.iter() {
                present[code as usize] = true;
            }
            let mut codes: Vec<u32> = (0..feature.values.len() as u32)
                .filter(|&c| present[c as usize])
                .collect();
            codes.sort_by(|&a, &b| feature.values[a as usize].cmp(&feature.values[b as usize]));
            let mut column_of = vec![u32::MAX; feature.values.len()];
            enc.offset.push(enc.columns.len() as u32);
            enc.domain.push(codes.len() as u32);
            for code in codes {
                column_of[code as usize] = enc.columns.len() as u32;
                enc.columns.push((f, code));
            }
            enc.column_of.push(column_of);
        }
        let mut weight = Some(1u128);
        let mut weights = vec![0; features.len()];
        for f in (0..features.len()).rev() {
            weights[f] = weight.unwrap_or(0);
            weight = weight.and_then(|w| w.checked_mul(enc.domain[f] as u128 + 1));
        }
        enc.id_weight = weight.map(|_| weights);
        enc
    }

    /// The package's id of a candidate, as a number, when ids fit in 128 bits.
    fn id(&self, columns: &[u32]) -> Option<u128> {
        let weights = self.id_weight.as_ref()?;
        Some(
            columns
                .iter()
                .map(|&c| self.digit(c) as u128 * weights[self.feature(c)])
                .sum(),
        )
    }

    fn feature(&self, column: u32) -> usize {
        self.columns[column as usize].0
    }

    /// The value's place within its feature, from 1 (0 is "absent" in the package's ids).
    fn digit(&self, column: u32) -> u32 {
        column - self.offset[self.feature(column)] + 1
    }
}

pub(super) struct Outcome {
    pub top: Vec<Slice>,
    /// The one-hot column of each slice predicate, as (feature, code).
    pub columns: Vec<(usize, u32)>,
    pub average_error: f64,
    pub min_support: u64,
}

pub(super) fn search(
    features: &[Feature],
    errors: &[f64],
    params: &Params,
    keep_going: &(dyn Fn(f32) -> bool + Sync),
) -> Result<Outcome, FinderError> {
    let n = errors.len();
    let min_sup = params.min_support.rows(n)?;
    let enc = Encoding::new(features);
    let search = Search {
        alpha: params.alpha,
        k: params.k,
        min_sup: min_sup as f64,
        n_rows: n as f64,
        n_columns: enc.columns.len() as f64,
        average_error: mean(errors),
    };

    let mut slices = search.basic_slices(features, &enc, errors);
    let mut top = search.maintain_top_k(&slices, Vec::new());
    let mut level = 1;
    let last_level = features.len().min(params.max_level);
    while !slices.is_empty() && level < last_level {
        if !keep_going(level as f32 / last_level as f32) {
            return Err(FinderError::Cancelled);
        }
        level += 1;
        slices.retain(|s| s.stats.size >= search.min_sup && s.stats.errors > 0.0);
        let min_top = top.last().map_or(f64::NEG_INFINITY, |s| s.stats.score);
        let candidates = search.pair_candidates(&slices, level, &enc, min_top);
        slices = search.evaluate(candidates, features, &enc, errors, &|done| {
            keep_going((level as f32 - 1.0 + done) / last_level as f32)
        })?;
        top = search.maintain_top_k(&slices, top);
    }
    Ok(Outcome {
        top,
        columns: enc.columns,
        average_error: search.average_error,
        min_support: min_sup,
    })
}

/// numpy's mean: pairwise summation in blocks of 8 (numpy's `pairwise_sum`), divided by n.
fn mean(values: &[f64]) -> f64 {
    fn pairwise(a: &[f64]) -> f64 {
        let n = a.len();
        if n < 8 {
            a.iter().fold(0.0, |s, &v| s + v)
        } else if n <= 128 {
            let mut r = [0.0; 8];
            r.copy_from_slice(&a[..8]);
            let mut i = 8;
            while i < n - n % 8 {
                for j in 0..8 {
                    r[j] += a[i + j];
                }
                i += 8;
            }
            let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for &v in &a[i..] {
                res += v;
            }
            res
        } else {
            let mut half = n / 2;
            half -= half % 8;
            pairwise(&a[..half]) + pairwise(&a[half..])
        }
    }
    pairwise(values) / values.len() as f64
}

struct Search {
    alpha: f64,
    k: usize,
    min_sup: f64,
    n_rows: f64,
    n_columns: f64,
    average_error: f64,
}

/// numpy's `minimum`/`maximum`/`amax`: a NaN wins.
fn nan_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

impl Search {
    fn score(&self, size: f64, errors: f64) -> f64 {
        let s = self.alpha * ((errors / size) / self.average_error - 1.0)
            - (1.0 - self.alpha) * (self.n_rows / size - 1.0);
        if s.is_nan() { f64::NEG_INFINITY } else { s }
    }

    /// A slice's statistics from its rows' count, error sum and largest error. The package
    /// takes the largest error of a sparse row, which counts the zeros of the rows outside
    /// the slice.
    fn stats(&self, size: f64, errors: f64, max: f64) -> Stats {
        Stats {
            score: self.score(size, errors),
            errors,
            max_error: if size < self.n_rows {
                max.max(0.0)
            } else {
                max
            },
            size,
        }
    }

    /// The package's upper bound of a candidate's score, probed at the minimum support, at
    /// the size where the errors run out, and at the size itself.
    fn score_upper_bound(&self, size: f64, errors: f64, max_error: f64) -> f64 {
        let points = [
            self.min_sup,
            nan_max(errors / max_error, self.min_sup),
            size,
        ];
        points
            .iter()
            .map(|&p| {
                (self.alpha * (nan_min(p * max_error, errors) / self.average_error - p)
                    - (1.0 - self.alpha) * (self.n_columns - p))
                    / p
            })
            .fold(f64::NEG_INFINITY, nan_max)
    }

    /// One-predicate slices with enough rows and some error, in one-hot column order.
    fn basic_slices(&self, features: &[Feature], enc: &Encoding, errors: &[f64]) -> Vec<Slice> {
        let per_feature: Vec<Vec<(f64, f64, f64)>> = features
            .par_iter()
            .enumerate()
            .map(|(f, feature)| {
                let mut acc = vec![(0.0, 0.0, f64::NEG_INFINITY); enc.domain[f] as usize];
                let offset = enc.offset[f];
                for (code, &e) in feature.codes.iter().zip(errors) {
                    let a = &mut acc[(enc.column_of[f][code as usize] - offset) as usize];
                    a.0 += 1.0;
                    a.1 += e;
                    a.2 = a.2.max(e);
                }
                acc
            })
            .collect();
        per_feature
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, (size, errors, _))| *size >= self.min_sup && *errors > 0.0)
            .map(|(column, (size, errors, max))| Slice {
                columns: vec![column as u32],
                stats: self.stats(size, errors, max),
            })
            .collect()
    }

    /// The previous top-k and the new slices with enough rows and a positive score, ranked:
    /// every slice whose score has fewer than k better ones is kept, so ties at the k-th
    /// place all stay.
    fn maintain_top_k(&self, slices: &[Slice], mut top: Vec<Slice>) -> Vec<Slice> {
        let before = top.len();
        top.extend(
            slices
                .iter()
                .filter(|s| s.stats.size >= self.min_sup && s.stats.score > 0.0)
                .cloned(),
        );
        if top.len() == before {
            return top;
        }
        top.sort_by(ranked);
        if top.len() > self.k {
            let kth = top[self.k - 1].stats.score;
            top.retain(|s| s.stats.score >= kth);
        }
        top
    }

    /// Candidates of `level` predicates: unions of two slices sharing `level - 2`
    /// predicates, at most one predicate per feature, whose parents all survived, with the
    /// statistics of their first pair in row-major order, ordered as the package's ids, and
    /// kept when their upper bound may enter the top-k.
    fn pair_candidates(
        &self,
        slices: &[Slice],
        level: usize,
        enc: &Encoding,
        min_top: f64,
    ) -> Vec<Slice> {
        struct Pair {
            first: (u32, u32),
            count: usize,
        }
        let shared_wanted = level - 2;
        let mut by_predicate: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, s) in slices.iter().enumerate() {
            for &c in &s.columns {
                by_predicate.entry(c).or_default().push(i as u32);
            }
        }
        let mut pairs: HashMap<Vec<u32>, Pair> = HashMap::with_capacity(slices.len() * 4);
        // One buffer for every union; a candidate's key is allocated once, when first seen.
        let mut union = Vec::with_capacity(level);
        let mut add = |union: &Vec<u32>, i: u32, j: u32| {
            pairs
                .entry_ref(union.as_slice())
                .and_modify(|p| {
                    p.count += 1;
                    p.first = p.first.min((i, j));
                })
                .or_insert(Pair {
                    first: (i, j),
                    count: 1,
                });
        };
        for (i, a) in slices.iter().enumerate() {
            if shared_wanted == 0 {
                for (j, b) in slices.iter().enumerate().skip(i + 1) {
                    if union_of(&a.columns, &b.columns, 0, enc, &mut union) {
                        add(&union, i as u32, j as u32);
                    }
                }
                continue;
            }
            for &p in &a.columns {
                let holders = &by_predicate[&p];
                // Slices are listed in order: those after `i` start past its own place.
                let from = holders.partition_point(|&j| j as usize <= i);
                for &j in &holders[from..] {
                    let b = &slices[j as usize];
                    // Each pair once: found through its first shared predicate.
                    if first_shared(&a.columns, &b.columns) != Some(p) {
                        continue;
                    }
                    if union_of(&a.columns, &b.columns, shared_wanted, enc, &mut union) {
                        add(&union, i as u32, j);
                    }
                }
            }
        }
        let parents = level * (level - 1) / 2;
        let mut candidates: Vec<Slice> = pairs
            .into_iter()
            .filter(|(_, p)| p.count == parents)
            .filter_map(|(columns, p)| {
                let (a, b) = (
                    &slices[p.first.0 as usize].stats,
                    &slices[p.first.1 as usize].stats,
                );
                let size = a.size.min(b.size);
                let errors = a.errors.min(b.errors);
                let max_error = a.max_error.min(b.max_error);
                let bound = self.score_upper_bound(size, errors, max_error);
                (bound > min_top && bound > 0.0 && size >= self.min_sup).then_some(Slice {
                    columns,
                    stats: Stats {
                        score: bound,
                        errors,
                        max_error,
                        size,
                    },
                })
            })
            .collect();
        if enc.id_weight.is_some() {
            candidates.sort_by_cached_key(|c| enc.id(&c.columns));
        } else {
            // Candidates are distinct, so an unstable sort gives the one order.
            candidates.sort_unstable_by(|a, b| id_order(&a.columns, &b.columns, enc));
        }
        candidates
    }

    /// The candidates' sizes, errors and scores, counted over the rows; candidates over the
    /// same features share one pass.
    fn evaluate(
        &self,
        mut candidates: Vec<Slice>,
        features: &[Feature],
        enc: &Encoding,
        errors: &[f64],
        keep_going: &(dyn Fn(f32) -> bool + Sync),
    ) -> Result<Vec<Slice>, FinderError> {
        let mut groups: HashMap<Vec<usize>, Vec<usize>> = HashMap::new();
        for (i, c) in candidates.iter().enumerate() {
            let key = c.columns.iter().map(|&col| enc.feature(col)).collect();
            groups.entry(key).or_default().push(i);
        }
        let mut groups: Vec<(Vec<usize>, Vec<usize>)> = groups.into_iter().collect();
        groups.sort();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let total = groups.len().max(1);
        let counted: Vec<Vec<(usize, Stats)>> = groups
            .par_iter()
            .map(|(group_features, members)| {
                if !keep_going(
                    done.load(std::sync::atomic::Ordering::Relaxed) as f32 / total as f32,
                ) {
                    return Err(FinderError::Cancelled);
                }
                let stats =
                    count_group(group_features, members, &candidates, features, enc, errors);
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(members.iter().copied().zip(stats).collect())
            })
            .collect::<Result<_, _>>()?;
        for (i, counts) in counted.into_iter().flatten() {
            candidates[i].stats = self.stats(counts.size, counts.errors, counts.max_error);
        }
        Ok(candidates)
    }
}

/// Size, error sum and largest error of each member candidate, which all constrain the
/// same features: one pass over the rows, finding a row's candidate by its values.
fn count_group(
    group_features: &[usize],
    members: &[usize],
    candidates: &[Slice],
    features: &[Feature],
    enc: &Encoding,
    errors: &[f64],
) -> Vec<Stats> {
    const DENSE_LIMIT: u64 = 1 << 22;
    let radix: Vec<u64> = group_features
        .iter()
        .map(|&f| enc.domain[f] as u64)
        .collect();
    let combinations: u64 = radix.iter().product();
    let key_of_columns = |columns: &[u32]| -> u64 {
        columns
            .iter()
            .zip(group_features.iter().zip(&radix))
            .fold(0u64, |k, (&col, (&f, &r))| {
                k * r + (col - enc.offset[f]) as u64
            })
    };
    let mut stats = vec![
        Stats {
            score: 0.0,
            errors: 0.0,
            max_error: f64::NEG_INFINITY,
            size: 0.0
        };
        members.len()
    ];
    let row_key = |row: usize| -> u64 {
        group_features.iter().zip(&radix).fold(0u64, |k, (&f, &r)| {
            let code = features[f].codes.get(row);
            k * r + (enc.column_of[f][code as usize] - enc.offset[f]) as u64
        })
    };
    let mut add = |slot: usize, e: f64| {
        let s = &mut stats[slot];
        s.size += 1.0;
        s.errors += e;
        s.max_error = s.max_error.max(e);
    };
    if combinations <= DENSE_LIMIT {
        let mut slot_of = vec![u32::MAX; combinations as usize];
        for (slot, &m) in members.iter().enumerate() {
            slot_of[key_of_columns(&candidates[m].columns) as usize] = slot as u32;
        }
        for (row, &e) in errors.iter().enumerate() {
            let slot = slot_of[row_key(row) as usize];
            if slot != u32::MAX {
                add(slot as usize, e);
            }
        }
    } else {
        let slot_of: HashMap<u64, usize> = members
            .iter()
            .enumerate()
            .map(|(slot, &m)| (key_of_columns(&candidates[m].columns), slot))
            .collect();
        for (row, &e) in errors.iter().enumerate() {
            if let Some(&slot) = slot_of.get(&row_key(row)) {
                add(slot, e);
            }
        }
    }
    stats
}

/// Writes into `union` the union of two sorted column lists; true when they share exactly
/// `shared` columns and no two of its columns belong to the same feature.
fn union_of(a: &[u32], b: &[u32], shared: usize, enc: &Encoding, union: &mut Vec<u32>) -> bool {
    union.clear();
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x == y => {
                common += 1;
                i += 1;
                j += 1;
                x
            }
            (Some(&x), Some(&y)) if x < y => {
                i += 1;
                x
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (None, None) => unreachable!(),
        };
        if let Some(&last) = union.last()
            && enc.feature(last) == enc.feature(next)
        {
            return false;
        }
        union.push(next);
    }
    common == shared
}

fn first_shared(a: &[u32], b: &[u32]) -> Option<u32> {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Equal => return Some(a[i]),
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
        }
    }
    None
}

/// The package's candidate id order: a number whose digits are, feature by feature from the
/// first, the value's place (1-based) in the feature, 0 where the slice has none.
fn id_order(a: &[u32], b: &[u32], enc: &Encoding) -> Ordering {
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (None, None) => return Ordering::Equal,
            (Some(_), None) => return Ordering::Greater,
            (None, Some(_)) => return Ordering::Less,
            (Some(&x), Some(&y)) => {
                let (fx, fy) = (enc.feature(x), enc.feature(y));
                if fx != fy {
                    // The slice with a predicate on the earlier feature has a non-zero digit
                    // where the other has 0.
                    return if fx < fy {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    };
                }
                match enc.digit(x).cmp(&enc.digit(y)) {
                    Ordering::Equal => {
                        i += 1;
                        j += 1;
                    }
                    other => return other,
                }
            }
        }
    }
}

/// Score descending; among equal scores the package's lexicographic sort of the one-hot
/// rows puts first the slice without the first column in which the two differ.
pub(super) fn ranked(a: &Slice, b: &Slice) -> Ordering {
    b.stats.score.total_cmp(&a.stats.score).then_with(|| {
        let (x, y) = (&a.columns, &b.columns);
        for i in 0.. {
            return match (x.get(i), y.get(i)) {
                (Some(p), Some(q)) if p == q => continue,
                // `a` holds the first differing column.
                (Some(p), Some(q)) if p < q => Ordering::Greater,
                (Some(_), Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (None, Some(_)) => Ordering::Less,
                (None, None) => Ordering::Equal,
            };
        }
        unreachable!()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_sums_pairwise_as_numpy() {
        let v: Vec<f64> = (0..1000).map(|i| 0.1 * i as f64).collect();
        assert!((mean(&v) - 49.95).abs() < 1e-12);
        assert_eq!(mean(&[1.0, 0.0, 1.0]), 2.0 / 3.0);
    }

    #[test]
    fn numeric_ids_order_as_the_package_s() {
        let features: Vec<Feature> = [3u32, 2, 4]
            .iter()
            .enumerate()
            .map(|(f, &size)| Feature {
                name: format!("f{f}").into(),
                values: (0..size)
                    .map(|v| format!("v{v}"))
                    .collect::<Vec<_>>()
                    .into(),
                codes: std::borrow::Cow::Owned((0..size).collect()),
            })
            .collect();
        let enc = Encoding::new(&features);
        // Columns: f0 0..3, f1 3..5, f2 5..9.
        let all: Vec<Vec<u32>> = vec![
            vec![0, 3],
            vec![0, 5],
            vec![1, 3],
            vec![3, 5],
            vec![2, 8],
            vec![4, 6],
            vec![0, 3, 5],
        ];
        for a in &all {
            for b in &all {
                assert_eq!(
                    enc.id(a).cmp(&enc.id(b)),
                    id_order(a, b, &enc),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn ties_put_the_later_first_column_first() {
        let s = |columns: Vec<u32>| Slice {
            columns,
            stats: Stats {
                score: 1.0,
                errors: 1.0,
                max_error: 1.0,
                size: 1.0,
            },
        };
        assert_eq!(ranked(&s(vec![5]), &s(vec![2])), Ordering::Less);
        assert_eq!(ranked(&s(vec![2, 5]), &s(vec![2])), Ordering::Greater);
        assert_eq!(ranked(&s(vec![2, 7]), &s(vec![3, 4])), Ordering::Greater);
    }
}
