//! Classes: precision, recall, F1 and support per class with the averages, and the
//! confusion matrix as a clickable heatmap.

use super::{interval, pct, show_rows};
use crate::app::AppCommand;
use crate::app::figures::Figures;
use crate::model::filter::RowFilter;
use crate::report::format;
use crate::ui::state::DashboardView;

pub(super) fn classes_ui(
    ui: &mut egui::Ui,
    figures: &Figures,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    let analysis = &figures.analysis;
    let (Some(confusion), Some(averages)) = (&analysis.confusion, &analysis.averages) else {
        ui.label(
            "This is a transcription task: each row's label is a whole transcript, so there \
             are no classes to count. Its figures are word and character error rates (WER, \
             CER), in Overview for the whole set, in Slices per slice value and in \
             Prioritisation per tag; a row's word-by-word diff is in the review inspector.",
        );
        return;
    };
    ui.label(format!(
        "Accuracy {} {} over {} rows.",
        pct(analysis.overall.accuracy),
        interval(analysis.overall.ci95.as_ref()),
        analysis.overall.n
    ));
    egui::Grid::new("classes").striped(true).show(ui, |ui| {
        for title in ["class", "precision", "recall", "F1", "support"] {
            ui.strong(title);
        }
        ui.end_row();
        for &c in confusion.shown() {
            let m = &analysis.classes[c];
            if ui
                .link(&m.label)
                .on_hover_text("Show the rows of this true class")
                .clicked()
            {
                show_rows(
                    RowFilter {
                        truth: Some(c as u32),
                        ..RowFilter::default()
                    },
                    commands,
                );
            }
            ui.label(pct(Some(m.precision)));
            ui.label(pct(Some(m.recall)));
            ui.label(pct(Some(m.f1)));
            ui.label(m.support.to_string());
            ui.end_row();
        }
        for (name, prf) in [
            ("macro average", &averages.macro_avg),
            ("weighted average", &averages.weighted),
            ("micro average", &averages.micro),
        ] {
            ui.strong(name);
            ui.label(pct(Some(prf.precision)));
            ui.label(pct(Some(prf.recall)));
            ui.label(pct(Some(prf.f1)));
            ui.label(analysis.overall.n.to_string());
            ui.end_row();
        }
    });
    if confusion.omitted() > 0 {
        ui.weak(format::more_classes(confusion.omitted()));
    }
    ui.add_space(10.0);
    ui.horizontal(|ui| {
        ui.strong("Confusion matrix (rows: truth, columns: prediction)");
        ui.checkbox(&mut state.normalised, "Row-normalised");
    });
    confusion_ui(ui, confusion, state.normalised, commands);
}

/// The confusion matrix as a heatmap; each cell shows its rows when clicked.
fn confusion_ui(
    ui: &mut egui::Ui,
    confusion: &crate::model::classes::Confusion,
    normalised: bool,
    commands: &mut Vec<AppCommand>,
) {
    let cell = 56.0;
    let short = |s: &str| -> String {
        if s.chars().count() > 9 {
            format!("{}..", s.chars().take(8).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let (shown, matrix) = (confusion.shown(), confusion.matrix());
    let max = matrix.iter().flatten().copied().max().unwrap_or(1).max(1);
    let accent = egui::Color32::from_rgb(86, 156, 214);
    let base = ui.visuals().extreme_bg_color;
    egui::Grid::new("confusion")
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            ui.label("");
            for &c in shown {
                let label = &confusion.labels[c];
                ui.strong(short(label)).on_hover_text(label);
            }
            ui.end_row();
            for (&t, row) in shown.iter().zip(&matrix) {
                ui.strong(short(&confusion.labels[t]))
                    .on_hover_text(&confusion.labels[t]);
                // Shares of the truth class's rows, those in columns not shown included.
                let total = confusion.support(t);
                for (&p, &count) in shown.iter().zip(row) {
                    let share = if normalised {
                        if total == 0 {
                            0.0
                        } else {
                            count as f64 / total as f64
                        }
                    } else {
                        count as f64 / max as f64
                    };
                    let (rect, response) =
                        ui.allocate_exact_size(egui::vec2(cell, 26.0), egui::Sense::click());
                    let fill = base.lerp_to_gamma(accent, share.clamp(0.0, 1.0) as f32);
                    ui.painter().rect_filled(rect, 2.0, fill);
                    let text = if normalised {
                        format!("{:.0} %", share * 100.0)
                    } else {
                        count.to_string()
                    };
                    let strong = share > 0.5;
                    ui.painter().text(
                        rect.center(),
                        egui::Align2::CENTER_CENTER,
                        &text,
                        egui::FontId::proportional(13.0),
                        if strong {
                            egui::Color32::WHITE
                        } else {
                            ui.visuals().text_color()
                        },
                    );
                    let name = format!(
                        "truth {}, predicted {}: {count} rows",
                        confusion.labels[t], confusion.labels[p]
                    );
                    response
                        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &name));
                    let response = response.on_hover_text(&name);
                    if response.clicked() {
                        show_rows(
                            RowFilter {
                                truth: Some(t as u32),
                                predicted: Some(p as u32),
                                ..RowFilter::default()
                            },
                            commands,
                        );
                    }
                }
                ui.end_row();
            }
        });
}
