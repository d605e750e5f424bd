//! Everything the Drift section and the `drift` report show for a reference and a current
//! set: every column's drift and the data set's verdict, the output metrics side by side,
//! the metrics per window with their bands and alarms, and hints of concept drift.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::measures::z_test;
use super::monitor::{self, Band, MetricSeries, Window, WindowRows};
use super::monitored::{self, MonitoredSet};
use super::{DatasetDrift, DriftError, TestChoice, dataset_drift};
use crate::model::dataset::{SliceCodes, SliceKind, Task};

/// What the user chose: tests and thresholds per column, the share of drifted columns at
/// which the data set drifts, the window, and alarm bounds per metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriftOptions {
    pub choices: BTreeMap<String, TestChoice>,
    pub drift_share: f64,
    pub window: Option<Window>,
    pub bands: BTreeMap<String, Band>,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            choices: BTreeMap::new(),
            drift_share: super::DEFAULT_DRIFT_SHARE,
            window: None,
            bands: BTreeMap::new(),
        }
    }
}

/// One metric's value over each whole set.
#[derive(Clone, Debug, Serialize)]
pub struct OutputSummary {
    pub metric: String,
    pub reference: Option<f64>,
    pub current: Option<f64>,
}

/// One window of the current set.
#[derive(Clone, Debug, Serialize)]
pub struct WindowSummary {
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub n: usize,
    pub metrics: BTreeMap<String, Option<f64>>,
    /// The metrics outside their band in this window.
    pub alarms: Vec<String>,
    #[serde(skip)]
    pub rows: Vec<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DriftAnalysis {
    pub reference_path: String,
    pub current_path: String,
    pub reference_rows: usize,
    pub current_rows: usize,
    pub drift: DatasetDrift,
    pub outputs: Vec<OutputSummary>,
    pub window: Option<Window>,
    pub windows: Vec<WindowSummary>,
    pub series: Vec<MetricSeries>,
    /// Why no band could be set, when a metric has none.
    pub notes: Vec<String>,
    /// Hints of concept drift, for a reader.
    pub hints: Vec<String>,
}

impl DriftAnalysis {
    pub fn compute(
        reference: &MonitoredSet,
        current: &MonitoredSet,
        options: &DriftOptions,
    ) -> Result<DriftAnalysis, DriftError> {
        let columns = monitored::drift_columns(reference, current);
        let drift = dataset_drift(
            &columns,
            |name| options.choices.get(name).copied().unwrap_or_default(),
            options.drift_share,
        )?;
        let classes = monitored::top_classes(reference, 5);
        let ref_metrics = monitored::row_metrics(reference, &classes);
        let cur_metrics = monitored::row_metrics(current, &classes);
        let outputs = cur_metrics
            .iter()
            .map(|m| OutputSummary {
                metric: m.name.clone(),
                reference: ref_metrics
                    .iter()
                    .find(|r| r.name == m.name)
                    .and_then(|r| r.over(0..reference.len() as u32)),
                current: m.over(0..current.len() as u32),
            })
            .collect();
        let mut notes = Vec::new();
        let (windows, series) = match options.window {
            None => (Vec::new(), Vec::new()),
            Some(window) => {
                let cut = monitor::cut(current.len(), current.times.as_deref(), window);
                let ref_cut = reference_windows(reference, window, &cut);
                if ref_cut.len() < 2 {
                    notes.push(format!(
                        "the reference makes {} window(s) of {}: alarm bands need two, so only bounds you enter raise alarms",
                        ref_cut.len(),
                        window.describe()
                    ));
                }
                let pairs: Vec<_> = cur_metrics
                    .iter()
                    .map(|m| (m.clone(), ref_metrics.iter().find(|r| r.name == m.name)))
                    .collect();
                let series = monitor::series(&pairs, &cut, &ref_cut, |name| {
                    options.bands.get(name).copied()
                });
                let empty: Vec<String> = cut
                    .iter()
                    .filter(|w| w.rows.is_empty())
                    .map(|w| w.start.map_or_else(String::new, monitor::format_time))
                    .collect();
                if !empty.is_empty() {
                    notes.push(format!(
                        "{} window(s) hold no rows and have no values: {}",
                        empty.len(),
                        empty.join(", ")
                    ));
                }
                let windows = cut
                    .into_iter()
                    .enumerate()
                    .map(|(i, w)| WindowSummary {
                        start: w.start,
                        end: w.end,
                        n: w.rows.len(),
                        metrics: series
                            .iter()
                            .map(|s| (s.metric.clone(), s.values[i]))
                            .collect(),
                        alarms: series
                            .iter()
                            .filter(|s| s.alarms.contains(&i))
                            .map(|s| s.metric.clone())
                            .collect(),
                        rows: w.rows,
                    })
                    .collect();
                (windows, series)
            }
        };
        let hints = concept_hints(reference, current, &drift);
        Ok(DriftAnalysis {
            reference_path: reference.path.clone(),
            current_path: current.path.clone(),
            reference_rows: reference.len(),
            current_rows: current.len(),
            drift,
            outputs,
            window: options.window,
            windows,
            series,
            notes,
            hints,
        })
    }

    /// Windows where any alarm fired.
    pub fn alarm_count(&self) -> usize {
        self.windows.iter().filter(|w| !w.alarms.is_empty()).count()
    }
}

/// The reference cut into comparable windows: by the same calendar window when it has
/// times, otherwise into runs of the current windows' median size.
fn reference_windows(
    reference: &MonitoredSet,
    window: Window,
    current: &[WindowRows],
) -> Vec<WindowRows> {
    match (window, &reference.times) {
        (Window::Seconds(_), Some(times)) => monitor::cut(reference.len(), Some(times), window),
        (Window::Rows(_), times) => monitor::cut(reference.len(), times.as_deref(), window),
        (Window::Seconds(_), None) => {
            let mut sizes: Vec<usize> = current
                .iter()
                .map(|w| w.rows.len())
                .filter(|&n| n > 0)
                .collect();
            sizes.sort_unstable();
            match sizes.get(sizes.len() / 2) {
                Some(&size) => monitor::cut(reference.len(), None, Window::Rows(size)),
                None => Vec::new(),
            }
        }
    }
}

/// Smallest group, on each side, for a per-slice hint.
const MIN_HINT_ROWS: u64 = 30;

/// Concept-drift hints, for classification with labels on both sides: accuracy fell
/// significantly (two-proportion z-test, p < 0.05) while no input column drifted; or a
/// slice value's accuracy changed significantly while its share of the rows did not
/// (z-test p ≥ 0.05).
fn concept_hints(
    reference: &MonitoredSet,
    current: &MonitoredSet,
    drift: &DatasetDrift,
) -> Vec<String> {
    let mut hints = Vec::new();
    if reference.task != Task::Classification || !reference.has_labels() || !current.has_labels() {
        return hints;
    }
    let tally = |set: &MonitoredSet, rows: &mut dyn Iterator<Item = usize>| {
        let (mut right, mut n) = (0u64, 0u64);
        for r in rows {
            if let Some(c) = set.correct(r) {
                n += 1;
                right += u64::from(c);
            }
        }
        (right, n)
    };
    let (rr, rn) = tally(reference, &mut (0..reference.len()));
    let (cr, cn) = tally(current, &mut (0..current.len()));
    let inputs_drifted = drift.columns.iter().any(|c| {
        c.drift
            && c.column != reference.names.label
            && c.column != reference.names.prediction
            && Some(&c.column) != reference.names.confidence.as_ref()
    });
    let pct = |a: u64, n: u64| 100.0 * a as f64 / n as f64;
    if rn > 0 && cn > 0 {
        let p = z_test(rr, rn, cr, cn, false);
        if p < 0.05 && pct(cr, cn) < pct(rr, rn) && !inputs_drifted {
            hints.push(format!(
                "accuracy fell from {:.1} % to {:.1} % (p = {:.3}) while no input column drifted: the relation between inputs and labels may have changed (concept drift)",
                pct(rr, rn),
                pct(cr, cn),
                p
            ));
        }
    }
    // Accuracy and size per value, one pass over each set per slice column.
    let per_value = |set: &MonitoredSet, codes: &SliceCodes, values: usize| {
        let mut counts = vec![(0u64, 0u64); values];
        codes.iter().enumerate().for_each(|(r, code)| {
            if let (Some(c), Some(slot)) = (set.correct(r), counts.get_mut(code as usize)) {
                slot.0 += u64::from(c);
                slot.1 += 1;
            }
        });
        counts
    };
    for slice in &reference.slices {
        if slice.kind == SliceKind::Binned {
            continue;
        }
        let Some(other) = current.slices.iter().find(|s| s.name == slice.name) else {
            continue;
        };
        let ours = per_value(reference, &slice.codes, slice.values.len());
        let theirs = per_value(current, &other.codes, other.values.len());
        for (code, value) in slice.values.iter().enumerate() {
            let Some(other_code) = other.values.iter().position(|v| v == value) else {
                continue;
            };
            let ((r_right, r_n), (c_right, c_n)) = (ours[code], theirs[other_code]);
            if r_n < MIN_HINT_ROWS || c_n < MIN_HINT_ROWS {
                continue;
            }
            let acc_p = z_test(r_right, r_n, c_right, c_n, false);
            let share_p = z_test(r_n, rn, c_n, cn, false);
            if acc_p < 0.05 && share_p >= 0.05 {
                hints.push(format!(
                    "{} = {value}: accuracy from {:.1} % to {:.1} % (p = {:.3}) while its share stayed at {:.1} % and {:.1} %",
                    slice.name,
                    pct(r_right, r_n),
                    pct(c_right, c_n),
                    acc_p,
                    pct(r_n, rn),
                    pct(c_n, cn)
                ));
            }
        }
    }
    hints
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ids;
    use crate::model::dataset::{SliceColumn, SliceKind};
    use crate::model::drift::monitored::RoleNames;

    /// A classification set: `rows` of (device code, right?).
    fn set(rows: &[(u32, bool)]) -> MonitoredSet {
        let mut ids = Ids::with_capacity(rows.len(), rows.len() * 4);
        for r in 0..rows.len() {
            ids.push(&format!("r{r}"));
        }
        MonitoredSet {
            path: "set".into(),
            task: Task::Classification,
            names: RoleNames {
                label: "label".into(),
                prediction: "prediction".into(),
                confidence: None,
            },
            ids,
            predictions: rows.iter().map(|&(_, right)| u32::from(!right)).collect(),
            labels: Some(vec![0; rows.len()]),
            vocab: vec!["a".into(), "b".into()],
            confidence: None,
            slices: vec![SliceColumn {
                name: "device".into(),
                kind: SliceKind::Categorical,
                values: vec!["phone".into(), "tablet".into()],
                codes: rows.iter().map(|&(d, _)| d).collect::<Vec<u32>>().into(),
                numbers: None,
            }],
            times: None,
            inputs: Vec::new(),
            edits: None,
            media: None,
            media_root: None,
        }
    }

    fn rows(
        phone_right: usize,
        phone: usize,
        tablet_right: usize,
        tablet: usize,
    ) -> Vec<(u32, bool)> {
        let mut out = Vec::new();
        out.extend((0..phone).map(|i| (0, i < phone_right)));
        out.extend((0..tablet).map(|i| (1, i < tablet_right)));
        out
    }

    #[test]
    fn a_slice_whose_accuracy_fell_at_the_same_share_is_a_concept_drift_hint() {
        let reference = set(&rows(190, 200, 190, 200));
        let current = set(&rows(120, 200, 190, 200));
        let a = DriftAnalysis::compute(&reference, &current, &DriftOptions::default()).unwrap();
        assert!(
            !a.drift
                .columns
                .iter()
                .any(|c| c.column == "device" && c.drift)
        );
        let phone: Vec<&String> = a
            .hints
            .iter()
            .filter(|h| h.starts_with("device = phone"))
            .collect();
        assert_eq!(phone.len(), 1, "{:?}", a.hints);
        assert!(phone[0].contains("95.0 % to 60.0 %"), "{}", phone[0]);
        assert!(!a.hints.iter().any(|h| h.starts_with("device = tablet")));
        // Overall accuracy fell while no input column drifted.
        assert!(
            a.hints.iter().any(|h| h.starts_with("accuracy fell")),
            "{:?}",
            a.hints
        );
        // Without labels in the current set, no hint.
        let mut unlabelled = current.clone();
        unlabelled.labels = None;
        let a = DriftAnalysis::compute(&reference, &unlabelled, &DriftOptions::default()).unwrap();
        assert!(a.hints.is_empty());
    }
}
