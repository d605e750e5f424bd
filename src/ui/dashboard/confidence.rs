//! Confidence: the partial-automation curve, the reliability diagram and per-class
//! precision-recall curves.

use egui_plot::{Bar, BarChart, Line, Plot, PlotPoints, Points};

use super::{PLOT_HEIGHT, pct, reference_line, show_rows};
use crate::app::AppCommand;
use crate::app::figures::Figures;
use crate::app::session::Session;
use crate::model::automation::lowest_threshold_reaching;
use crate::model::filter::RowFilter;
use crate::report::format;
use crate::ui::state::DashboardView;

pub(super) fn confidence_ui(
    ui: &mut egui::Ui,
    session: &Session,
    figures: &Figures,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    let curve = &figures.analysis.automation;
    if curve.is_empty() {
        ui.weak("This dataset has no confidence column.");
        return;
    }
    ui.strong(
        "Partial automation: accept the model's answer when its confidence is at least a threshold",
    );
    ui.horizontal(|ui| {
        let label = ui.label("Target accuracy:");
        let mut percent = state.target_accuracy * 100.0;
        ui.add(
            egui::DragValue::new(&mut percent)
                .range(50.0..=100.0)
                .speed(0.1)
                .suffix(" %"),
        )
        .labelled_by(label.id);
        state.target_accuracy = percent / 100.0;
    });
    match lowest_threshold_reaching(curve, state.target_accuracy) {
        Some(threshold) => {
            let point = curve.iter().find(|p| p.threshold == threshold);
            ui.horizontal(|ui| {
                ui.label(format!(
                    "Threshold {threshold:.2} reaches it: {} accuracy on {} of the rows ({} rows).",
                    pct(point.and_then(|p| p.accuracy)),
                    pct(point.map(|p| p.coverage)),
                    point.map_or(0, |p| p.covered)
                ));
                if ui.button("Show these rows").clicked() {
                    show_rows(
                        RowFilter {
                            confidence: Some((threshold, 1.0)),
                            ..RowFilter::default()
                        },
                        commands,
                    );
                }
            });
        }
        None => {
            ui.label("No threshold reaches this accuracy.");
        }
    }
    let line: Vec<[f64; 2]> = curve
        .iter()
        .filter_map(|p| p.accuracy.map(|a| [p.coverage * 100.0, a * 100.0]))
        .collect();
    let target = state.target_accuracy * 100.0;
    Plot::new("automation")
        .height(PLOT_HEIGHT * 1.5)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_label("coverage: rows automated (%)")
        .y_axis_label("accuracy on them (%)")
        .include_x(0.0)
        .include_x(100.0)
        .include_y(target)
        .show(ui, |plot| {
            plot.line(
                Line::new("accuracy vs coverage", PlotPoints::from(line))
                    .color(egui::Color32::from_rgb(86, 156, 214))
                    .width(2.0),
            );
            plot.hline(reference_line("target", target));
        });
    reliability_ui(ui, figures);
    pr_ui(ui, session, figures, state);
}

/// Accuracy against mean confidence per confidence bin, with the diagonal of a perfectly
/// calibrated model and the expected calibration error.
fn reliability_ui(ui: &mut egui::Ui, figures: &Figures) {
    let Some(reliability) = &figures.reliability else {
        return;
    };
    ui.add_space(10.0);
    ui.strong(format!(
        "Reliability diagram: expected calibration error (ECE) {}",
        reliability
            .ece
            .map_or(format::UNKNOWN.to_string(), |e| format::points(Some(e), 1))
    ));
    let bars: Vec<Bar> = reliability
        .bins
        .iter()
        .filter_map(|b| {
            let accuracy = b.accuracy?;
            Some(
                Bar::new((b.lower + b.upper) * 50.0, accuracy * 100.0)
                    .width((b.upper - b.lower) * 95.0)
                    .name(format!(
                        "{:.0}-{:.0} % (n={})",
                        b.lower * 100.0,
                        b.upper * 100.0,
                        b.n
                    )),
            )
        })
        .collect();
    Plot::new("reliability")
        .height(PLOT_HEIGHT * 1.3)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_label("confidence (%)")
        .y_axis_label("accuracy (%)")
        .include_x(0.0)
        .include_x(100.0)
        .include_y(0.0)
        .include_y(100.0)
        .show(ui, |plot| {
            plot.bar_chart(
                BarChart::new("accuracy per confidence bin", bars)
                    .color(egui::Color32::from_rgb(86, 156, 214)),
            );
            plot.line(
                Line::new(
                    "perfect calibration",
                    PlotPoints::from(vec![[0.0, 0.0], [100.0, 100.0]]),
                )
                .color(egui::Color32::GRAY),
            );
        });
}

/// Precision against recall of one class as the confidence threshold rises.
fn pr_ui(ui: &mut egui::Ui, session: &Session, figures: &Figures, state: &mut DashboardView) {
    let curves = &figures.pr_curves;
    if curves.is_empty() {
        return;
    }
    let names = session.project.dataset.set.class_names();
    state.pr_class = state.pr_class.min(curves.len() - 1);
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        let label = ui.strong("Precision-recall curve of class (vs the rest):");
        egui::ComboBox::from_id_salt("pr-class")
            .selected_text(&names[state.pr_class])
            .show_ui(ui, |ui| {
                for (c, name) in names.iter().enumerate().take(curves.len()) {
                    ui.selectable_value(&mut state.pr_class, c, name);
                }
            })
            .response
            .labelled_by(label.id);
    });
    let points: Vec<[f64; 2]> = curves[state.pr_class]
        .iter()
        .filter_map(|p| Some([p.recall? * 100.0, p.precision? * 100.0]))
        .collect();
    Plot::new("pr-curve")
        .height(PLOT_HEIGHT * 1.3)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_label("recall (%)")
        .y_axis_label("precision (%)")
        .include_x(0.0)
        .include_x(100.0)
        .include_y(0.0)
        .include_y(100.0)
        .show(ui, |plot| {
            let colour = egui::Color32::from_rgb(86, 156, 214);
            plot.line(
                Line::new("precision vs recall", PlotPoints::from(points.clone()))
                    .color(colour)
                    .width(2.0),
            );
            plot.points(
                Points::new("thresholds 0.50 to 0.99", PlotPoints::from(points))
                    .radius(3.0)
                    .color(colour),
            );
        });
}
