//! Slices: accuracy per value of each slice column with its interval, gap, HLP, WER and
//! recall of a chosen class, flagged when far below overall or small.

use egui_plot::{Line, Plot, PlotPoints, Points};

use super::{PLOT_HEIGHT, SMALL, interval, pct, reference_line, show_rows, source};
use crate::app::AppCommand;
use crate::app::figures::Figures;
use crate::app::session::{Command, Session};
use crate::model::Task;
use crate::model::filter::RowFilter;
use crate::model::slices::FlagRule;
use crate::report::format::{self, signed_points};
use crate::ui::state::DashboardView;

pub(super) fn slices_ui(
    ui: &mut egui::Ui,
    session: &Session,
    figures: &Figures,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    let analysis = &figures.analysis;
    let set = &session.project.dataset.set;
    if set.slices.is_empty() {
        ui.weak("This dataset has no slice columns.");
        return;
    }
    let overall = analysis.overall.accuracy;
    // The classes whose recall each value carries (those the reports show).
    let recall_classes = analysis.confusion.as_ref().map_or(&[][..], |c| c.shown());
    ui.horizontal(|ui| {
        ui.label(format!("Overall accuracy {}.", pct(overall)));
        let label = ui.label("Flag values whose 95 % interval lies more than");
        let mut margin = session.flag_rule.margin * 100.0;
        let changed = ui
            .add(
                egui::DragValue::new(&mut margin)
                    .range(0.0..=100.0)
                    .speed(0.5)
                    .suffix(" pts"),
            )
            .labelled_by(label.id)
            .changed();
        if changed {
            commands.push(Command::SetFlagRule(FlagRule::points(margin)).into());
        }
        ui.label("below it (exported reports use the same rule).");
        if set.task == Task::Classification {
            let label = ui.label("Recall of class:");
            let names = set.class_names();
            egui::ComboBox::from_id_salt("recall-class")
                .selected_text(
                    state
                        .recall_class
                        .and_then(|i| recall_classes.get(i))
                        .map_or("(none)", |&c| names[c].as_str()),
                )
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut state.recall_class, None, "(none)");
                    for (i, &c) in recall_classes.iter().enumerate() {
                        ui.selectable_value(&mut state.recall_class, Some(i), &names[c]);
                    }
                })
                .response
                .labelled_by(label.id);
        }
    });
    for (column_index, column) in set.slices.iter().enumerate() {
        let values: Vec<_> = analysis
            .slices
            .iter()
            .filter(|s| s.column == column.name)
            .collect();
        egui::CollapsingHeader::new(format!("{} ({} values)", column.name, values.len()))
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new(("slice", column_index))
                    .striped(true)
                    .show(ui, |ui| {
                        for title in ["value", "n", "accuracy [95% CI]", "gap to overall", "HLP"] {
                            ui.strong(title);
                        }
                        if set.task == Task::Transcription {
                            ui.strong("WER");
                        }
                        if let Some(&c) = state.recall_class.and_then(|i| recall_classes.get(i)) {
                            ui.strong(format!("recall of {}", set.class_names()[c]));
                        }
                        ui.strong("flag");
                        ui.end_row();
                        for s in &values {
                            let code = column.values.iter().position(|v| *v == s.value);
                            if ui.link(&s.value).clicked()
                                && let Some(code) = code
                            {
                                show_rows(
                                    RowFilter {
                                        slice: Some((column_index, code as u32)),
                                        ..RowFilter::default()
                                    },
                                    commands,
                                );
                            }
                            ui.label(s.n.to_string());
                            ui.label(format!("{} {}", pct(s.accuracy), interval(s.ci95.as_ref())));
                            ui.label(s.gap_to_overall.map_or(format::UNKNOWN.to_string(), |g| {
                                format!("{} pts", signed_points(g))
                            }));
                            ui.label(format!("{}{}", pct(s.hlp), source(s.hlp_source)));
                            if set.task == Task::Transcription {
                                ui.label(pct(s.wer));
                            }
                            if let Some(c) = state.recall_class {
                                let recall = s.class_recall.get(c);
                                ui.label(recall.map_or(format::UNKNOWN.to_string(), |r| {
                                    format!("{} (n={})", pct(r.recall), r.support)
                                }));
                            }
                            let low = session.flag_rule.flags(s, overall);
                            let small = s.n < SMALL;
                            let flag = match (low, small) {
                                (true, true) => "below overall (small)",
                                (true, false) => "below overall",
                                (false, true) => "small",
                                (false, false) => "",
                            };
                            if low {
                                ui.colored_label(ui.visuals().error_fg_color, flag);
                            } else {
                                ui.weak(flag);
                            }
                            ui.end_row();
                        }
                    });
                slice_plot_ui(ui, column_index, &values, overall);
            });
    }
}

/// Accuracy per value with its 95 % interval, and the overall accuracy as a line.
fn slice_plot_ui(
    ui: &mut egui::Ui,
    column: usize,
    values: &[&crate::model::slices::SliceStats],
    overall: Option<f64>,
) {
    let names: Vec<String> = values
        .iter()
        .map(|s| format!("{} (n={})", s.value, s.n))
        .collect();
    let count = names.len();
    let colour = egui::Color32::from_rgb(86, 156, 214);
    Plot::new(("slice-plot", column))
        .height(PLOT_HEIGHT)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .y_axis_label("accuracy (%)")
        .include_y(0.0)
        .include_y(100.0)
        .include_x(-0.5)
        .include_x(count as f64 - 0.5)
        .x_axis_formatter(super::named_axis(names))
        .show(ui, |plot| {
            let points: Vec<[f64; 2]> = values
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.accuracy.map(|a| [i as f64, a * 100.0]))
                .collect();
            for (i, s) in values.iter().enumerate() {
                if let Some(ci) = &s.ci95 {
                    let x = i as f64;
                    let bar = vec![[x, ci.0 * 100.0], [x, ci.1 * 100.0]];
                    plot.line(
                        Line::new("95% interval", PlotPoints::from(bar))
                            .color(colour)
                            .width(2.5),
                    );
                }
            }
            plot.points(
                Points::new("accuracy", PlotPoints::from(points))
                    .radius(4.0)
                    .color(colour),
            );
            if let Some(a) = overall {
                plot.hline(reference_line("overall", a * 100.0));
            }
        });
}
