//! The drift scores other than Kolmogorov–Smirnov, each as Evidently computes it (through
//! scipy and numpy): chi-square goodness of fit, the two-proportion z-test, the Wasserstein
//! distance normed by the reference's standard deviation, the Jensen–Shannon distance and
//! the population stability index. Inputs are counts per value over the same keys, or
//! sorted samples.

use libm::{erf, erfc};
use statrs::function::gamma::gamma_ur;

/// Pearson's chi-square test of the current counts against the reference shares scaled to
/// the current total (`scipy.stats.chisquare(f_obs, f_exp)`): the p-value.
pub fn chi_square(reference: &[u64], current: &[u64]) -> f64 {
    let ref_n: u64 = reference.iter().sum();
    let cur_n: u64 = current.iter().sum();
    let k_norm = cur_n as f64 / ref_n as f64;
    let mut stat = 0.0;
    for (&r, &c) in reference.iter().zip(current) {
        let expected = r as f64 * k_norm;
        let diff = c as f64 - expected;
        stat += diff * diff / expected;
    }
    chi2_sf(stat, reference.len() as f64 - 1.0)
}

/// The chi-square distribution's survival function, `NaN` without degrees of freedom.
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if df <= 0.0 || x.is_nan() {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    gamma_ur(df / 2.0, x / 2.0)
}

/// The standard normal distribution function, computed as cephes' `ndtr` does.
pub fn ndtr(a: f64) -> f64 {
    let x = a * std::f64::consts::FRAC_1_SQRT_2;
    let z = x.abs();
    if z < std::f64::consts::FRAC_1_SQRT_2 {
        0.5 + 0.5 * erf(x)
    } else {
        let y = 0.5 * erfc(z);
        if x > 0.0 { 1.0 - y } else { y }
    }
}

/// The two-sided z-test of two proportions: the share of rows not holding the first key
/// (`first`: that key's count) in each set. When both sets hold the same single value the
/// p-value is 1, as Evidently sets it.
pub fn z_test(
    ref_first: u64,
    ref_n: u64,
    cur_first: u64,
    cur_n: u64,
    single_same_value: bool,
) -> f64 {
    if single_same_value {
        return 1.0;
    }
    let (n1, n2) = (ref_n as f64, cur_n as f64);
    let p1 = (ref_n - ref_first) as f64 / n1;
    let p2 = (cur_n - cur_first) as f64 / n2;
    let pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    let z = (p1 - p2) / (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    2.0 * (1.0 - ndtr(z.abs()))
}

/// The Wasserstein-1 distance between two sorted samples (scipy's `wasserstein_distance`:
/// the area between the two distribution functions).
pub fn wasserstein(a: &[f64], b: &[f64]) -> f64 {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut sum = 0.0;
    // Walk the merged values; between two successive ones both functions are constant, and
    // when they differ every copy of the smaller one has been consumed.
    let mut prev: Option<f64> = None;
    while i < a.len() || j < b.len() {
        let take_a = j >= b.len() || (i < a.len() && a[i] <= b[j]);
        let x = if take_a { a[i] } else { b[j] };
        if let Some(p) = prev {
            sum += (i as f64 / na - j as f64 / nb).abs() * (x - p);
        }
        if take_a {
            i += 1;
        } else {
            j += 1;
        }
        prev = Some(x);
    }
    sum
}

/// Population standard deviation (numpy's `std`, ddof 0).
pub fn std_dev(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt()
}

/// The Jensen–Shannon distance (natural logarithm) between two distributions given as
/// shares over the same keys (`scipy.spatial.distance.jensenshannon`).
pub fn jensen_shannon(p: &[f64], q: &[f64]) -> f64 {
    let sp: f64 = p.iter().sum();
    let sq: f64 = q.iter().sum();
    let (mut left, mut right) = (0.0, 0.0);
    for (&pi, &qi) in p.iter().zip(q) {
        let (pi, qi) = (pi / sp, qi / sq);
        let m = (pi + qi) / 2.0;
        left += rel_entr(pi, m);
        right += rel_entr(qi, m);
    }
    ((left + right) / 2.0).sqrt()
}

fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// The population stability index over shares of the same keys, zeros replaced as Evidently
/// does (by a millionth of the smallest share when that is ≤ 0.0001, else by 0.0001).
pub fn psi(reference: &[f64], current: &[f64]) -> f64 {
    let r = fill_zeroes(reference);
    let c = fill_zeroes(current);
    r.iter().zip(&c).map(|(r, c)| (r - c) * (r / c).ln()).sum()
}

fn fill_zeroes(shares: &[f64]) -> Vec<f64> {
    let min = shares
        .iter()
        .copied()
        .filter(|v| *v != 0.0)
        .fold(f64::INFINITY, f64::min);
    let fill = if min <= 0.0001 { min / 1e6 } else { 0.0001 };
    shares
        .iter()
        .map(|&v| if v == 0.0 { fill } else { v })
        .collect()
}

/// numpy's `histogram_bin_edges(values, bins="sturges")` for sorted combined values:
/// ⌈range / (range / (log2 n + 1))⌉ equal bins from the smallest to the largest value.
pub fn sturges_edges(min: f64, max: f64, n: usize) -> Vec<f64> {
    let (mut first, mut last) = (min, max);
    let width = (max - min) / ((n as f64).log2() + 1.0);
    let bins = if width > 0.0 {
        ((last - first) / width).ceil() as usize
    } else {
        1
    };
    if first == last {
        first -= 0.5;
        last += 0.5;
    }
    linspace(first, last, bins + 1)
}

/// numpy's `linspace` with the end point: `i * step + start`, the last value exactly `stop`.
pub fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let div = (num - 1) as f64;
    let step = (stop - start) / div;
    let mut out: Vec<f64> = (0..num).map(|i| i as f64 * step + start).collect();
    if step == 0.0 {
        out = (0..num)
            .map(|i| i as f64 / div * (stop - start) + start)
            .collect();
    }
    if num > 1 {
        out[num - 1] = stop;
    }
    out
}

/// Counts of a sorted sample in the bins `edges` (numpy's `histogram` with given edges:
/// each bin half-open, the last one closed).
pub fn histogram(sorted: &[f64], edges: &[f64]) -> Vec<u64> {
    let bins = edges.len() - 1;
    let mut cum: Vec<usize> = edges[..bins]
        .iter()
        .map(|e| sorted.partition_point(|v| v < e))
        .collect();
    cum.push(sorted.partition_point(|v| *v <= edges[bins]));
    cum.windows(2).map(|w| (w[1] - w[0]) as u64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from scipy 1.17 and numpy 2.4.
    #[test]
    fn chi_square_and_z_match_scipy() {
        // chisquare([30, 50, 20], [40*1.0, 40, 20])
        let p = chi_square(&[40, 40, 20], &[30, 50, 20]);
        assert!((p - 0.0820849986238988).abs() < 1e-12, "{p}");
        let p = chi_square(&[40, 40, 0], &[30, 50, 20]);
        assert_eq!(p, 0.0);
        let p = z_test(60, 100, 45, 100, false);
        assert!((p - 0.03367206885634566).abs() < 1e-12, "{p}");
        assert_eq!(z_test(10, 10, 5, 5, true), 1.0);
    }

    #[test]
    fn wasserstein_matches_scipy() {
        let a = [0.0, 1.0, 3.0];
        let b = [5.0, 6.0, 8.0];
        assert!((wasserstein(&a, &b) - 5.0).abs() < 1e-12);
        let a = [1.0, 1.0, 2.0, 4.0];
        let b = [1.0, 3.0, 3.0];
        assert!((wasserstein(&a, &b) - 0.8333333333333334).abs() < 1e-12);
    }

    #[test]
    fn distances_match_scipy() {
        let js = jensen_shannon(&[0.5, 0.5, 0.0], &[0.25, 0.25, 0.5]);
        assert!((js - 0.464501404022459).abs() < 1e-12, "{js}");
        let v = psi(&[0.5, 0.5, 0.0], &[0.25, 0.25, 0.5]);
        assert!((v - 4.60431846666895).abs() < 1e-9, "{v}");
        let edges = sturges_edges(0.0, 10.0, 100);
        assert_eq!(edges.len(), 9);
        assert_eq!(
            histogram(&[0.0, 1.25, 1.3, 10.0], &edges),
            vec![1, 2, 0, 0, 0, 0, 0, 1]
        );
    }
}
