//! Overview: the headline figures of the report's "Overall" (accuracy with its interval,
//! WER/CER for transcripts, rows, errors, reviewed rows) and the three largest potential
//! gains, each a link to its rows.

use super::priorities::priority_lines;
use super::{interval, pct, show_rows};
use crate::app::AppCommand;
use crate::app::session::Session;
use crate::model::Task;
use crate::model::filter::{Outcome, RowFilter};
use crate::report::format;
use crate::ui::thousands;

pub(super) fn overview_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<AppCommand>) {
    let analysis = &session.analysis;
    let overall = &analysis.overall;
    let dataset = &session.project.dataset;
    let transcription = dataset.set.task == Task::Transcription;
    ui.horizontal_wrapped(|ui| {
        figure(
            ui,
            if transcription {
                "sentence accuracy"
            } else {
                "accuracy"
            },
            &pct(overall.accuracy),
            &format!("95 % interval {}", interval(overall.ci95.as_ref())),
        );
        if transcription {
            figure(
                ui,
                "WER",
                &format::percent(overall.wer, 2),
                "word error rate",
            );
            figure(
                ui,
                "CER",
                &format::percent(overall.cer, 2),
                "character error rate",
            );
        }
        figure(
            ui,
            "rows",
            &thousands(overall.n),
            &if dataset.excluded_rows > 0 {
                format!("{} excluded", thousands(dataset.excluded_rows))
            } else {
                "none excluded".into()
            },
        );
        if figure_link(ui, "errors", &thousands(overall.errors), "show them") {
            show_rows(
                RowFilter {
                    outcome: Outcome::Errors,
                    ..RowFilter::default()
                },
                commands,
            );
        }
        figure(
            ui,
            "reviewed",
            &thousands(analysis.reviewed_rows),
            "rows with a tag or a reviewed mark",
        );
    });
    ui.add_space(12.0);
    ui.strong("Largest potential gains");
    ui.weak("Gap to human-level performance × share of data, in points of overall accuracy.");
    let mut lines = priority_lines(session);
    lines.retain(|l| l.gain.is_some());
    lines.sort_by(|a, b| {
        b.gain
            .partial_cmp(&a.gain)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if lines.is_empty() {
        ui.weak(
            "None yet: tag rows or add slice columns, and give an HLP (a human-label column \
             or an entered value) to rank where work pays most.",
        );
    }
    egui::Grid::new("overview-gains")
        .striped(true)
        .show(ui, |ui| {
            for line in lines.into_iter().take(3) {
                if ui.link(line.subject.to_string()).clicked() {
                    show_rows(line.filter.clone(), commands);
                }
                ui.strong(format::points(line.gain, 2));
                ui.label(format!("{} rows", thousands(line.n)));
                ui.end_row();
            }
        });
    if !dataset.warnings.is_empty() {
        ui.add_space(12.0);
        ui.strong(format!("{} warnings when loading", dataset.warnings.len()));
        for warning in &dataset.warnings {
            ui.label(format::visible(warning));
        }
    }
}

/// One headline figure: its name, the value large, a note below.
fn figure(ui: &mut egui::Ui, name: &str, value: &str, note: &str) {
    card(ui, |ui| {
        ui.weak(name);
        ui.label(egui::RichText::new(value).size(26.0).strong());
        ui.weak(note);
    });
}

/// [`figure`] whose note is a link; true when it was clicked.
fn figure_link(ui: &mut egui::Ui, name: &str, value: &str, link: &str) -> bool {
    let mut clicked = false;
    card(ui, |ui| {
        ui.weak(name);
        ui.label(egui::RichText::new(value).size(26.0).strong());
        clicked = ui.link(link).clicked();
    });
    clicked
}

fn card(ui: &mut egui::Ui, add: impl FnOnce(&mut egui::Ui)) {
    egui::Frame::group(ui.style())
        .inner_margin(egui::Margin::same(10))
        .show(ui, |ui| {
            ui.set_min_width(130.0);
            ui.vertical(|ui| add(ui));
        });
}
