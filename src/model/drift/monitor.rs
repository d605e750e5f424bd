//! Metrics over time: a set cut into windows (by a time column, or by row count), every
//! metric per window, and alarms where a window leaves its band (by default the reference
//! windows' mean ± 3 standard deviations, or bounds the user entered).

use serde::{Deserialize, Serialize};

/// How a set is cut into windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Window {
    /// Calendar windows of this many seconds, aligned to the Unix epoch (UTC days, weeks
    /// starting Thursday 1970-01-01 as the epoch does, hours).
    Seconds(i64),
    /// Consecutive runs of this many rows (in time order when there is a time column).
    Rows(usize),
}

impl Window {
    /// `1d`, `2w`, `6h`, `30m`, or `N rows` / `N`.
    pub fn parse(text: &str) -> Result<Window, String> {
        let t = text.trim().to_ascii_lowercase();
        let bad = || {
            format!(
                "window {text:?} is not understood: write a duration (1h, 1d, 1w, 30m) or a row count (500 rows)"
            )
        };
        let rows = t
            .strip_suffix("rows")
            .or_else(|| t.strip_suffix("row"))
            .map(str::trim);
        if let Some(n) =
            rows.or_else(|| t.chars().all(|c| c.is_ascii_digit()).then_some(t.as_str()))
        {
            return match n.parse::<usize>() {
                Ok(n) if n > 0 => Ok(Window::Rows(n)),
                _ => Err(bad()),
            };
        }
        let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
        let n: i64 = number.parse().map_err(|_| bad())?;
        let unit = match unit.trim() {
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(bad()),
        };
        if n <= 0 {
            return Err(bad());
        }
        Ok(Window::Seconds(n * unit))
    }

    pub fn describe(self) -> String {
        match self {
            Window::Rows(n) => format!("{n} rows"),
            Window::Seconds(s) if s % (7 * 86_400) == 0 => format!("{}w", s / (7 * 86_400)),
            Window::Seconds(s) if s % 86_400 == 0 => format!("{}d", s / 86_400),
            Window::Seconds(s) if s % 3600 == 0 => format!("{}h", s / 3600),
            Window::Seconds(s) => format!("{}m", s / 60),
        }
    }
}

/// One window: its bounds (seconds since the epoch, end exclusive; `None` for row windows
/// of an untimed set) and its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct WindowRows {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub rows: Vec<u32>,
}

/// Cuts `n` rows into windows. Calendar windows run from the one holding the earliest time
/// to the one holding the latest, empty ones included (an empty window is news too); rows
/// without a time value are left out.
pub fn cut(n: usize, times: Option<&[Option<i64>]>, window: Window) -> Vec<WindowRows> {
    match (window, times) {
        (Window::Seconds(len), Some(times)) => {
            let present = times.iter().flatten();
            let (Some(&min), Some(&max)) = (present.clone().min(), present.max()) else {
                return Vec::new();
            };
            let first = min.div_euclid(len);
            let last = max.div_euclid(len);
            let mut windows: Vec<WindowRows> = (first..=last)
                .map(|w| WindowRows {
                    start: Some(w * len),
                    end: Some((w + 1) * len),
                    rows: Vec::new(),
                })
                .collect();
            for (row, t) in times.iter().enumerate() {
                if let Some(t) = t {
                    windows[(t.div_euclid(len) - first) as usize]
                        .rows
                        .push(row as u32);
                }
            }
            windows
        }
        (Window::Seconds(_), None) => Vec::new(),
        (Window::Rows(size), times) => {
            let mut order: Vec<u32> = match times {
                Some(times) => (0..n as u32)
                    .filter(|&r| times[r as usize].is_some())
                    .collect(),
                None => (0..n as u32).collect(),
            };
            if let Some(times) = times {
                order.sort_by_key(|&r| times[r as usize]);
            }
            order
                .chunks(size)
                .map(|rows| {
                    let t = |r: &u32| times.and_then(|t| t[*r as usize]);
                    WindowRows {
                        start: rows.first().and_then(t),
                        end: rows.last().and_then(t).map(|t| t + 1),
                        rows: rows.to_vec(),
                    }
                })
                .collect()
        }
    }
}

/// A per-row metric: a window's value is Σ numerator / Σ denominator over its rows with a
/// value (a mean when every denominator is 1; a word error rate with errors over words).
#[derive(Clone, Debug)]
pub struct RowMetric {
    pub name: String,
    pub numerator: Vec<f64>,
    /// `None`: 1 for every row.
    pub denominator: Option<Vec<f64>>,
}

impl RowMetric {
    /// A mean of a per-row value (NaN rows left out).
    pub fn mean(name: impl Into<String>, values: Vec<f64>) -> RowMetric {
        RowMetric {
            name: name.into(),
            numerator: values,
            denominator: None,
        }
    }

    /// The metric over some rows; `None` when none has a value.
    pub fn over(&self, rows: impl Iterator<Item = u32>) -> Option<f64> {
        let (mut num, mut den) = (0.0, 0.0);
        for r in rows {
            let v = self.numerator[r as usize];
            if v.is_nan() {
                continue;
            }
            num += v;
            den += self.denominator.as_ref().map_or(1.0, |d| d[r as usize]);
        }
        (den > 0.0).then(|| num / den)
    }
}

/// Where a metric may go before an alarm fires.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Band {
    pub fn contains(&self, v: f64) -> bool {
        self.low.is_none_or(|l| v >= l) && self.high.is_none_or(|h| v <= h)
    }
}

/// The default band: the mean of the reference windows' values ± 3 population standard
/// deviations; `None` with fewer than two reference windows holding a value.
pub fn reference_band(values: &[Option<f64>]) -> Option<Band> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    if present.len() < 2 {
        return None;
    }
    let n = present.len() as f64;
    let mean = present.iter().sum::<f64>() / n;
    let sd = (present.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    Some(Band {
        low: Some(mean - 3.0 * sd),
        high: Some(mean + 3.0 * sd),
    })
}

/// One metric across the windows, with its band and the windows outside it.
#[derive(Clone, Debug, Serialize)]
pub struct MetricSeries {
    pub metric: String,
    pub values: Vec<Option<f64>>,
    /// The reference set's value over all its rows.
    pub reference: Option<f64>,
    pub band: Option<Band>,
    /// Whether the band is the user's (else the reference windows').
    pub band_entered: bool,
    /// Indices of the windows whose value lies outside the band.
    pub alarms: Vec<usize>,
}

/// Every metric per window of the current set, banded by the reference windows (or by the
/// user's bounds, which win).
pub fn series(
    metrics: &[(RowMetric, Option<&RowMetric>)],
    windows: &[WindowRows],
    reference_windows: &[WindowRows],
    entered: impl Fn(&str) -> Option<Band>,
) -> Vec<MetricSeries> {
    metrics
        .iter()
        .map(|(current, reference)| {
            let values: Vec<Option<f64>> = windows
                .iter()
                .map(|w| current.over(w.rows.iter().copied()))
                .collect();
            let reference_value = reference.and_then(|r| r.over(0..r.numerator.len() as u32));
            let user = entered(&current.name);
            let band = user.or_else(|| {
                reference.and_then(|r| {
                    let per_window: Vec<Option<f64>> = reference_windows
                        .iter()
                        .map(|w| r.over(w.rows.iter().copied()))
                        .collect();
                    reference_band(&per_window)
                })
            });
            let alarms = match band {
                Some(b) => values
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.is_some_and(|v| !b.contains(v)))
                    .map(|(i, _)| i)
                    .collect(),
                None => Vec::new(),
            };
            MetricSeries {
                metric: current.name.clone(),
                values,
                reference: reference_value,
                band,
                band_entered: user.is_some(),
                alarms,
            }
        })
        .collect()
}

/// Parses a time cell: ISO 8601 (`2026-11-03`, `2026-11-03T14:05:00`, with `Z` or an
/// offset `+01:00`, a space instead of `T`, fractional seconds) or epoch seconds.
pub fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    if let Ok(x) = t.parse::<f64>() {
        return x.is_finite().then(|| x.floor() as i64);
    }
    let b = t.as_bytes();
    let num = |s: &[u8]| -> Option<i64> {
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(s).ok()?.parse().ok()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (num(&b[0..4])?, num(&b[5..7])?, num(&b[8..10])?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) {
        return None;
    }
    let mut secs = days_from_civil(y, mo, d) * 86_400;
    let rest = &t[10..];
    if rest.is_empty() {
        return Some(secs);
    }
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let rb = rest.as_bytes();
    if rb.len() < 5 || rb[2] != b':' {
        return None;
    }
    let (h, mi) = (num(&rb[0..2])?, num(&rb[3..5])?);
    let mut i = 5;
    let mut s = 0;
    if rb.len() >= 8 && rb[5] == b':' {
        s = num(&rb[6..8])?;
        i = 8;
        if rb.len() > i && (rb[i] == b'.' || rb[i] == b',') {
            i += 1;
            while i < rb.len() && rb[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    secs += h * 3600 + mi * 60 + s;
    let zone = &rest[i..];
    match zone {
        "" | "Z" | "z" => Some(secs),
        _ => {
            let zb = zone.as_bytes();
            let sign = match zb[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: Vec<u8> = zb[1..].iter().copied().filter(|c| *c != b':').collect();
            if digits.len() != 4 && digits.len() != 2 {
                return None;
            }
            let oh = num(&digits[0..2])?;
            let om = if digits.len() == 4 {
                num(&digits[2..4])?
            } else {
                0
            };
            Some(secs - sign * (oh * 3600 + om * 60))
        }
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian (year, month, day) of a count of days since 1970-01-01 (Howard
/// Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A time as ISO 8601 in UTC (`2026-11-03T00:00:00Z`; the date alone at midnight).
pub fn format_time(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    if rem == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_as_utc_seconds() {
        assert_eq!(parse_time("1970-01-02"), Some(86_400));
        assert_eq!(parse_time("2026-11-03T14:05:00Z"), Some(1_793_714_700));
        assert_eq!(parse_time("2026-11-03 15:05:00+01:00"), Some(1_793_714_700));
        assert_eq!(parse_time("2026-11-03T14:05:00.250"), Some(1_793_714_700));
        assert_eq!(parse_time("1793714700"), Some(1_793_714_700));
        assert_eq!(parse_time("2026-02-30"), None);
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(format_time(1_793_714_700), "2026-11-03T14:05:00Z");
        assert_eq!(format_time(86_400 * 365), "1971-01-01");
    }

    #[test]
    fn windows_parse_and_cut() {
        assert_eq!(Window::parse("1d"), Ok(Window::Seconds(86_400)));
        assert_eq!(Window::parse("2w"), Ok(Window::Seconds(14 * 86_400)));
        assert_eq!(Window::parse("500 rows"), Ok(Window::Rows(500)));
        assert!(Window::parse("0d").is_err());
        assert!(Window::parse("fortnight").is_err());
        let times = [Some(10), Some(86_400 * 2 + 5), None, Some(20)];
        let w = cut(4, Some(&times), Window::Seconds(86_400));
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].rows, vec![0, 3]);
        assert!(w[1].rows.is_empty());
        assert_eq!(w[2].rows, vec![1]);
        let w = cut(4, Some(&times), Window::Rows(2));
        assert_eq!(w[0].rows, vec![0, 3]);
        assert_eq!(w[1].rows, vec![1]);
    }

    #[test]
    fn alarms_fire_outside_the_reference_band() {
        let reference = RowMetric::mean("x", vec![1.0, 1.2, 0.8, 1.0]);
        let current = RowMetric::mean("x", vec![1.0, 5.0]);
        let ref_windows = cut(4, None, Window::Rows(1));
        let windows = cut(2, None, Window::Rows(1));
        let s = series(
            &[(current, Some(&reference))],
            &windows,
            &ref_windows,
            |_| None,
        );
        assert_eq!(s[0].alarms, vec![1]);
        let band = s[0].band.unwrap();
        assert!(band.contains(1.0) && !band.contains(5.0));
    }
}
