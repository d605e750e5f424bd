//! Small statistical helpers shared by every metric.

use serde::Serialize;

/// z for a two-sided 95% interval (the 0.975 quantile of the standard normal).
const Z95: f64 = 1.959_963_984_540_054;

/// A closed interval `[low, high]` within `[0, 1]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval(pub f64, pub f64);

/// Wilson score interval for `successes` out of `n` at 95% confidence.
/// `None` when there are no trials: an empty group has no accuracy to bound.
pub fn wilson(successes: u64, n: u64) -> Option<Interval> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(Interval((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// `num / den`, or `None` when the denominator is zero.
pub fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// `num / den`, or 0 when the denominator is zero (scikit-learn's `zero_division=0`).
pub fn ratio_or_zero(num: u64, den: u64) -> f64 {
    ratio(num, den).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // statsmodels.stats.proportion.proportion_confint(8, 10, method="wilson")
        let Interval(lo, hi) = wilson(8, 10).unwrap();
        assert!((lo - 0.490_162_471_536_641_83).abs() < 1e-12, "{lo}");
        assert!((hi - 0.943_317_848_545_624_7).abs() < 1e-12, "{hi}");
    }

    #[test]
    fn wilson_edges_stay_inside_unit_interval() {
        let Interval(lo, hi) = wilson(0, 5).unwrap();
        assert_eq!(lo, 0.0);
        assert!(hi > 0.0 && hi < 1.0);
        let Interval(lo, hi) = wilson(5, 5).unwrap();
        assert!(lo > 0.0 && lo < 1.0);
        assert_eq!(hi, 1.0);
        assert!(wilson(0, 0).is_none());
    }

    #[test]
    fn ratios_handle_empty_denominators() {
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
        assert_eq!(ratio_or_zero(3, 0), 0.0);
    }
}
