//! Drift: a current set (production data) against this project's dataset. The per-column
//! table (test, score, threshold, drift, new categories), the reference and current
//! distributions of the selected column side by side, every metric over time against its
//! band with the breaching windows in red, and the rows behind a window or a new category.

use egui::{Color32, RichText};
use egui_plot::{Bar, BarChart, Line, Plot, PlotPoints, Points};

use super::PLOT_HEIGHT;
use crate::app::AppCommand;
use crate::app::drift::{DriftCommand, DriftResult, DriftState};
use crate::app::session::{Command, Session};
use crate::data::media::{MediaKind, media_kind};
use crate::model::MISSING;
use crate::model::drift::monitor::{Window, format_time};
use crate::model::drift::monitored::{MonitoredSet, drift_columns};
use crate::model::drift::{ColumnSample, DriftTest, TestChoice};
use crate::report::drift::{metric_value, new_value_text, score};
use crate::ui::state::{DashboardView, DriftView};
use crate::ui::submitted;

const REFERENCE: Color32 = Color32::from_rgb(86, 156, 214);
const CURRENT: Color32 = Color32::from_rgb(230, 140, 40);
const ALARM: Color32 = Color32::from_rgb(207, 34, 46);
/// Rows listed under a window or a category (the count says how many there are).
const LISTED: usize = 200;

fn drift_command(c: DriftCommand, commands: &mut Vec<AppCommand>) {
    commands.push(Command::Drift(c).into());
}

pub(super) fn drift_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    let view = &mut state.drift;
    let monitor = &session.drift;
    ui.heading("Drift");
    ui.label("Compare a current set (production data with the same columns; labels optional) with this project's dataset, as Evidently tests drift.");
    if view.current_path.is_empty()
        && let Some(p) = &monitor.settings.current
    {
        view.current_path = p.display().to_string();
    }
    ui.horizontal(|ui| {
        let label = ui.label("Current set:");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut view.current_path)
                    .hint_text("a dataset folder or table file")
                    .desired_width(360.0),
            )
            .labelled_by(label.id);
        let button = ui.button("Compare");
        if submitted(ui, &field, button) && !view.current_path.trim().is_empty() {
            drift_command(
                DriftCommand::SetCurrent(view.current_path.trim().into()),
                commands,
            );
        }
    });
    ui.horizontal(|ui| {
        let label = ui.label("Window:");
        if view.window.is_empty()
            && let Some(w) = monitor.settings.options.window
        {
            view.window = w.describe();
        }
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut view.window)
                    .hint_text("1d, 1w, 1h or 500 rows")
                    .desired_width(110.0),
            )
            .labelled_by(label.id);
        let button = ui.button("Cut into windows");
        if submitted(ui, &field, button) {
            let text = view.window.trim();
            if text.is_empty() {
                view.window_error = None;
                drift_command(DriftCommand::SetWindow(None), commands);
            } else {
                match Window::parse(text) {
                    Ok(w) => {
                        view.window_error = None;
                        drift_command(DriftCommand::SetWindow(Some(w)), commands);
                    }
                    Err(e) => view.window_error = Some(e),
                }
            }
        }
        let mut media = monitor.settings.media_metrics;
        if ui
            .checkbox(&mut media, "Measure the media")
            .on_hover_text("Audio: duration, RMS and peak level, clipped and silent share. Images: size, brightness, contrast, sharpness, saturated share. Measured once, kept in the project.")
            .changed()
        {
            drift_command(DriftCommand::SetMediaMetrics(media), commands);
        }
    });
    if let Some(e) = &view.window_error {
        ui.colored_label(ALARM, e);
    }
    for w in &monitor.warnings {
        ui.colored_label(Color32::from_rgb(176, 120, 0), w);
    }
    match &monitor.state {
        DriftState::Idle => {
            ui.weak("No current set yet: name one above (for example the speech sample's production traffic, sample_data/speech-current).");
        }
        DriftState::Running { progress, .. } => {
            ui.horizontal(|ui| {
                ui.spinner();
                let (_, rows) = progress.snapshot();
                let done = progress.done();
                if rows > 0 && done > 0 {
                    ui.label(format!("Comparing… media {done} of {rows}"));
                } else {
                    ui.label("Comparing…");
                }
                if ui.button("Cancel").clicked() {
                    drift_command(DriftCommand::Cancel, commands);
                }
            });
        }
        DriftState::Failed(message) => {
            ui.colored_label(ALARM, message);
        }
        DriftState::Ready(result) => result_ui(ui, result, view, commands),
    }
}

fn result_ui(
    ui: &mut egui::Ui,
    result: &DriftResult,
    view: &mut DriftView,
    commands: &mut Vec<AppCommand>,
) {
    let a = &result.analysis;
    let d = &a.drift;
    ui.add_space(6.0);
    let verdict = if d.dataset_drift {
        RichText::new("The data set drifts").color(ALARM).strong()
    } else {
        RichText::new("No data set drift").strong()
    };
    ui.horizontal(|ui| {
        ui.label(verdict);
        ui.label(format!(
            "{} of {} columns drifted ({:.0} %, the data set drifts at {:.0} %). Reference {} rows, current {} rows.",
            d.drifted,
            d.columns.len(),
            d.drift_share * 100.0,
            d.threshold * 100.0,
            a.reference_rows,
            a.current_rows
        ));
    });
    for hint in &a.hints {
        ui.colored_label(ALARM, format!("Concept drift? {hint}"));
    }
    for note in &a.notes {
        ui.weak(note);
    }
    ui.add_space(6.0);
    egui::Grid::new("drift-columns")
        .striped(true)
        .num_columns(7)
        .show(ui, |ui| {
            for h in [
                "column",
                "test",
                "score",
                "threshold",
                "drift",
                "new values",
                "",
            ] {
                ui.label(RichText::new(h).strong());
            }
            ui.end_row();
            for c in &d.columns {
                let selected = view.column.as_deref() == Some(c.column.as_str());
                let name = ui.selectable_label(selected, &c.column);
                if name.clicked() {
                    view.column = Some(c.column.clone());
                }
                let mut choice = c.test;
                egui::ComboBox::from_id_salt(("drift-test", &c.column))
                    .selected_text(choice.name())
                    .show_ui(ui, |ui| {
                        for t in DriftTest::ALL.into_iter().filter(|t| t.applies_to(c.kind)) {
                            ui.selectable_value(&mut choice, t, t.name())
                                .on_hover_text(t.describe());
                        }
                    })
                    .response
                    .labelled_by(name.id);
                if choice != c.test {
                    drift_command(
                        DriftCommand::SetTest(
                            c.column.clone(),
                            TestChoice {
                                test: Some(choice),
                                threshold: None,
                            },
                        ),
                        commands,
                    );
                }
                ui.label(score(c.score)).on_hover_text(c.test.describe());
                ui.label(format!("{:.3}", c.threshold));
                if c.drift {
                    ui.label(RichText::new("DRIFT").color(ALARM).strong());
                } else {
                    ui.label("");
                }
                ui.horizontal(|ui| {
                    for v in &c.new_values {
                        if ui.link(new_value_text(v)).clicked() {
                            view.rows = Some(category_rows(&result.current, &c.column, &v.value));
                        }
                    }
                });
                ui.label("");
                ui.end_row();
            }
            for (column, why) in &d.skipped {
                ui.label(column);
                ui.weak(format!("not tested: {why}"));
                ui.end_row();
            }
        });
    if let Some(column) = view.column.clone() {
        ui.add_space(8.0);
        distribution_ui(ui, result, &column);
        if let Some(c) = d.columns.iter().find(|c| c.column == column) {
            threshold_ui(ui, c, view, commands);
        }
    }
    if let Some(e) = &view.entry_error {
        ui.colored_label(ALARM, e);
    }
    if !a.windows.is_empty() {
        ui.add_space(8.0);
        over_time_ui(ui, result, view, commands);
    }
    if let Some((title, rows)) = &view.rows {
        ui.add_space(8.0);
        rows_ui(ui, &result.current, title, rows, commands);
    }
}

/// Reads a typed number; empty is `None`.
fn typed(text: &str) -> Result<Option<f64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| format!("{t:?} is not a number"))
}

/// The selected column's threshold, typed; "Default" goes back to the test's own.
fn threshold_ui(
    ui: &mut egui::Ui,
    c: &crate::model::drift::ColumnDrift,
    view: &mut DriftView,
    commands: &mut Vec<AppCommand>,
) {
    ui.horizontal(|ui| {
        let label = ui.label(format!(
            "Threshold of {} ({}):",
            c.column,
            c.test.describe()
        ));
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut view.threshold)
                    .hint_text(format!("{}", c.threshold))
                    .desired_width(70.0),
            )
            .labelled_by(label.id);
        let button = ui.button("Set threshold");
        if submitted(ui, &field, button) {
            match typed(&view.threshold) {
                Ok(Some(t)) if t >= 0.0 => {
                    view.entry_error = None;
                    drift_command(
                        DriftCommand::SetTest(
                            c.column.clone(),
                            TestChoice {
                                test: Some(c.test),
                                threshold: Some(t),
                            },
                        ),
                        commands,
                    );
                }
                Ok(_) => view.entry_error = Some("A threshold is a number of 0 or more.".into()),
                Err(e) => view.entry_error = Some(e),
            }
        }
        if ui.button("Default test and threshold").clicked() {
            view.threshold.clear();
            drift_command(
                DriftCommand::SetTest(c.column.clone(), TestChoice::default()),
                commands,
            );
        }
    });
}

/// The shown metric's alarm band, typed (either bound may be empty); "Reference band" goes
/// back to the reference windows' mean ± 3 sd.
fn band_ui(ui: &mut egui::Ui, metric: &str, view: &mut DriftView, commands: &mut Vec<AppCommand>) {
    ui.horizontal(|ui| {
        let label = ui.label("Alarm band from");
        ui.add(
            egui::TextEdit::singleline(&mut view.band_low)
                .hint_text("low")
                .desired_width(70.0),
        )
        .labelled_by(label.id);
        let to = ui.label("to");
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut view.band_high)
                    .hint_text("high")
                    .desired_width(70.0),
            )
            .labelled_by(to.id);
        let button = ui.button("Set band");
        if submitted(ui, &field, button) {
            match (typed(&view.band_low), typed(&view.band_high)) {
                (Ok(None), Ok(None)) => {
                    view.entry_error = Some("Give a low bound, a high bound or both.".into())
                }
                (Ok(low), Ok(high)) => {
                    view.entry_error = None;
                    drift_command(
                        DriftCommand::SetBand(
                            metric.to_string(),
                            Some(crate::model::drift::monitor::Band { low, high }),
                        ),
                        commands,
                    );
                }
                (Err(e), _) | (_, Err(e)) => view.entry_error = Some(e),
            }
        }
        if ui.button("Reference band").clicked() {
            view.band_low.clear();
            view.band_high.clear();
            drift_command(DriftCommand::SetBand(metric.to_string(), None), commands);
        }
    });
}

/// Reference and current side by side: shares per value, or per bin of the numbers.
fn distribution_ui(ui: &mut egui::Ui, result: &DriftResult, column: &str) {
    let columns = drift_columns(&result.reference, &result.current);
    let Some((_, sample)) = columns.iter().find(|(n, _)| n == column) else {
        return;
    };
    ui.label(RichText::new(format!("{column}: reference and current")).strong());
    let (names, reference, current) = shares(sample);
    let bars = |values: &[f64], offset: f64, colour: Color32, name: &str| {
        BarChart::new(
            name.to_string(),
            values
                .iter()
                .enumerate()
                .map(|(i, v)| Bar::new(i as f64 + offset, v * 100.0).width(0.38))
                .collect(),
        )
        .color(colour)
    };
    Plot::new(("drift-distribution", column))
        .height(PLOT_HEIGHT)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .legend(egui_plot::Legend::default())
        .y_axis_label("share (%)")
        .include_y(0.0)
        .x_axis_formatter(super::named_axis(names))
        .show(ui, |plot| {
            plot.bar_chart(bars(&reference, -0.2, REFERENCE, "reference"));
            plot.bar_chart(bars(&current, 0.2, CURRENT, "current"));
        });
}

/// Labels and shares of each side: the 30 most frequent values, or 20 equal bins.
fn shares(sample: &ColumnSample) -> (Vec<String>, Vec<f64>, Vec<f64>) {
    match sample {
        ColumnSample::Categorical {
            values,
            reference,
            current,
        } => {
            let (rn, cn) = (
                reference.iter().sum::<u64>().max(1) as f64,
                current.iter().sum::<u64>().max(1) as f64,
            );
            let mut order: Vec<usize> = (0..values.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(reference[i] + current[i]));
            order.truncate(30);
            (
                order.iter().map(|&i| values[i].clone()).collect(),
                order.iter().map(|&i| reference[i] as f64 / rn).collect(),
                order.iter().map(|&i| current[i] as f64 / cn).collect(),
            )
        }
        ColumnSample::Numeric { reference, current } => {
            let (Some(&r0), Some(&c0), Some(&r1), Some(&c1)) = (
                reference.first(),
                current.first(),
                reference.last(),
                current.last(),
            ) else {
                return (Vec::new(), Vec::new(), Vec::new());
            };
            let (lo, hi) = (r0.min(c0), r1.max(c1));
            let bins = 20;
            let width = ((hi - lo) / bins as f64).max(f64::MIN_POSITIVE);
            let count = |v: &[f64]| {
                let mut c = vec![0.0; bins];
                for x in v {
                    c[(((x - lo) / width) as usize).min(bins - 1)] += 1.0;
                }
                let n = v.len().max(1) as f64;
                c.into_iter().map(|x| x / n).collect::<Vec<f64>>()
            };
            let names = (0..bins)
                .map(|b| format!("{:.3}", lo + (b as f64 + 0.5) * width))
                .collect();
            (names, count(reference), count(current))
        }
    }
}

/// One metric per window against its band; breaching windows in red, a click lists a
/// window's rows.
fn over_time_ui(
    ui: &mut egui::Ui,
    result: &DriftResult,
    view: &mut DriftView,
    commands: &mut Vec<AppCommand>,
) {
    let a = &result.analysis;
    ui.label(RichText::new("Over time").strong());
    let metric = view
        .metric
        .clone()
        .filter(|m| a.series.iter().any(|s| &s.metric == m))
        .or_else(|| {
            a.series
                .iter()
                .find(|s| !s.alarms.is_empty())
                .or(a.series.first())
                .map(|s| s.metric.clone())
        });
    let Some(metric) = metric else {
        return;
    };
    ui.horizontal(|ui| {
        let label = ui.label("Metric:");
        let mut chosen = metric.clone();
        egui::ComboBox::from_id_salt("drift-metric")
            .selected_text(&chosen)
            .show_ui(ui, |ui| {
                for s in &a.series {
                    let alarms = if s.alarms.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} alarms)", s.alarms.len())
                    };
                    ui.selectable_value(
                        &mut chosen,
                        s.metric.clone(),
                        format!("{}{alarms}", s.metric),
                    );
                }
            })
            .response
            .labelled_by(label.id);
        view.metric = Some(chosen);
    });
    let Some(series) = a.series.iter().find(|s| s.metric == metric) else {
        return;
    };
    let points: Vec<[f64; 2]> = series
        .values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| [i as f64, v]))
        .collect();
    let alarms: Vec<[f64; 2]> = series
        .alarms
        .iter()
        .filter_map(|&i| series.values[i].map(|v| [i as f64, v]))
        .collect();
    let names: Vec<String> = a
        .windows
        .iter()
        .enumerate()
        .map(|(i, w)| w.start.map_or(format!("{}", i + 1), format_time))
        .collect();
    let response = Plot::new(("drift-over-time", metric.clone()))
        .height(PLOT_HEIGHT)
        .y_axis_label(metric.clone())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(super::named_axis(names))
        .show(ui, |plot| {
            if let Some(band) = series.band {
                for (name, y) in [("band low", band.low), ("band high", band.high)] {
                    if let Some(y) = y {
                        plot.hline(super::reference_line(name, y));
                    }
                }
            }
            if let Some(r) = series.reference {
                plot.hline(
                    egui_plot::HLine::new("reference", r)
                        .color(REFERENCE)
                        .style(egui_plot::LineStyle::dotted_loose()),
                );
            }
            plot.line(Line::new(metric.clone(), PlotPoints::from(points.clone())).color(CURRENT));
            plot.points(
                Points::new("windows", PlotPoints::from(points))
                    .radius(3.5)
                    .color(CURRENT),
            );
            plot.points(
                Points::new("alarm", PlotPoints::from(alarms))
                    .radius(5.0)
                    .color(ALARM),
            );
            plot.pointer_coordinate()
        });
    if response.response.clicked()
        && let Some(p) = response.inner
    {
        let i = p.x.round();
        if i >= 0.0 && (i as usize) < a.windows.len() {
            let w = &a.windows[i as usize];
            view.rows = Some((window_title(w.start, w.end, i as usize), w.rows.clone()));
        }
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Windows:");
        for (i, w) in a.windows.iter().enumerate() {
            let text = format!(
                "{} (n={})",
                w.start.map_or(format!("{}", i + 1), format_time),
                w.n
            );
            let label = if w.alarms.is_empty() {
                RichText::new(text)
            } else {
                RichText::new(text).color(ALARM)
            };
            let hover = if w.alarms.is_empty() {
                "no alarm".to_string()
            } else {
                format!("alarms: {}", w.alarms.join(", "))
            };
            if ui.link(label).on_hover_text(hover).clicked() {
                view.rows = Some((window_title(w.start, w.end, i), w.rows.clone()));
            }
        }
    });
    band_ui(ui, &metric, view, commands);
    ui.weak(format!(
        "{} band: {}",
        metric,
        series.band.map_or(
            "no band (the reference makes fewer than two windows)".into(),
            |b| format!(
                "{} to {}{}",
                b.low.map_or("–".into(), |v| metric_value(&metric, Some(v))),
                b.high
                    .map_or("–".into(), |v| metric_value(&metric, Some(v))),
                if series.band_entered {
                    " (entered)"
                } else {
                    " (reference windows' mean ± 3 sd)"
                }
            )
        )
    ));
}

fn window_title(start: Option<i64>, end: Option<i64>, i: usize) -> String {
    match (start, end) {
        (Some(s), Some(e)) => format!("window {} – {}", format_time(s), format_time(e)),
        _ => format!("window {}", i + 1),
    }
}

/// The current rows holding a value of a column.
fn category_rows(set: &MonitoredSet, column: &str, value: &str) -> (String, Vec<u32>) {
    let rows = match set.slices.iter().find(|s| s.name == column) {
        Some(slice) => match slice.values.iter().position(|v| v == value) {
            Some(code) => (0..slice.codes.len() as u32)
                .filter(|&r| slice.codes.get(r as usize) as usize == code)
                .collect(),
            None => Vec::new(),
        },
        None => {
            let code = set.vocab.iter().position(|v| v == value);
            let codes = if column == set.names.label {
                set.labels.as_deref().unwrap_or(&[])
            } else {
                &set.predictions
            };
            (0..codes.len() as u32)
                .filter(|&r| code.is_some_and(|c| codes[r as usize] as usize == c))
                .collect()
        }
    };
    (format!("{column} = {value}"), rows)
}

/// The current set's rows behind a click: id, time, prediction, confidence, media file.
fn rows_ui(
    ui: &mut egui::Ui,
    set: &MonitoredSet,
    title: &str,
    rows: &[u32],
    commands: &mut Vec<AppCommand>,
) {
    ui.label(RichText::new(format!("Current rows: {title} ({} rows)", rows.len())).strong());
    let audio = set.media.as_ref().is_some_and(|m| {
        m.iter()
            .flatten()
            .next()
            .is_some_and(|p| media_kind(p) == MediaKind::Audio)
    });
    egui::Grid::new("drift-rows").striped(true).show(ui, |ui| {
        for h in ["id", "time", "prediction", "confidence", "media", ""] {
            ui.label(RichText::new(h).strong());
        }
        ui.end_row();
        for &r in rows.iter().take(LISTED) {
            let r = r as usize;
            ui.label(set.ids.get(r));
            ui.label(
                set.times
                    .as_ref()
                    .and_then(|t| t[r])
                    .map_or(String::new(), format_time),
            );
            let p = set.predictions[r];
            ui.label(if p == MISSING {
                ""
            } else {
                set.vocab[p as usize].as_str()
            });
            ui.label(
                set.confidence
                    .as_ref()
                    .map_or(String::new(), |c| format!("{:.3}", c[r])),
            );
            let media = set
                .media
                .as_ref()
                .and_then(|m| m[r].clone())
                .unwrap_or_default();
            ui.label(&media);
            if audio && !media.is_empty() {
                let root = set.media_root.clone().unwrap_or_default();
                if ui
                    .button("Play")
                    .on_hover_text("Play this clip (again to pause)")
                    .clicked()
                {
                    commands.push(AppCommand::PlayFile(root.join(&media)));
                }
            }
            ui.end_row();
        }
    });
    if rows.len() > LISTED {
        ui.weak(format!("… and {} more", rows.len() - LISTED));
    }
}
