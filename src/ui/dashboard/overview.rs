//! Overview: the headline figures of the report's "Overall" (accuracy with its interval,
//! WER/CER for transcripts, rows, errors, reviewed rows) and the three largest potential
//! gains, each a link to its rows.

use super::priorities::priority_lines;
use super::{interval, pct, show_rows};
use crate::app::AppCommand;
use crate::app::figures::Figures;
use crate::app::session::Session;
use crate::model::Task;
use crate::model::filter::{Outcome, RowFilter};
use crate::report::format;
use crate::ui::thousands;

pub(super) fn overview_ui(
    ui: &mut egui::Ui,
    session: &Session,
    figures: &Figures,
    commands: &mut Vec<AppCommand>,
) {
    let analysis = &figures.analysis;
    let overall = &analysis.overall;
    let dataset = &session.project.dataset;
    let transcription = dataset.set.task == Task::Transcription;
    let accuracy_name = if transcription {
        "sentence accuracy"
    } else {
        "accuracy"
    };
    let mut cards = vec![Card {
        name: accuracy_name,
        value: pct(overall.accuracy),
        note: format!("95 % interval {}", interval(overall.ci95.as_ref())),
        shows_errors: false,
    }];
    if transcription {
        cards.push(Card {
            name: "WER",
            value: format::percent(overall.wer, 2),
            note: "word error rate".into(),
            shows_errors: false,
        });
        cards.push(Card {
            name: "CER",
            value: format::percent(overall.cer, 2),
            note: "character error rate".into(),
            shows_errors: false,
        });
    }
    cards.push(Card {
        name: "rows",
        value: thousands(overall.n),
        note: if dataset.excluded_rows > 0 {
            format!("{} excluded", thousands(dataset.excluded_rows))
        } else {
            "none excluded".into()
        },
        shows_errors: false,
    });
    cards.push(Card {
        name: "errors",
        value: thousands(overall.errors),
        note: "show them".into(),
        shows_errors: true,
    });
    cards.push(Card {
        name: "reviewed",
        value: thousands(analysis.reviewed_rows),
        note: "rows with a tag or a mark".into(),
        shows_errors: false,
    });
    // As many cards a line as the width holds.
    let per_line = ((ui.available_width() / (CARD_WIDTH + 36.0)) as usize).max(1);
    for line in cards.chunks(per_line) {
        ui.horizontal(|ui| {
            for card in line {
                if card.show(ui) {
                    show_rows(
                        RowFilter {
                            outcome: Outcome::Errors,
                            ..RowFilter::default()
                        },
                        commands,
                    );
                }
            }
        });
    }
    ui.add_space(12.0);
    ui.strong("Largest potential gains");
    ui.weak("Gap to human-level performance × share of data, in points of overall accuracy.");
    let mut lines = priority_lines(session, figures);
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

const CARD_WIDTH: f32 = 140.0;

/// One headline figure: its name, the value large, a note below (a link to the errors on
/// the errors card).
struct Card {
    name: &'static str,
    value: String,
    note: String,
    shows_errors: bool,
}

impl Card {
    /// Draws the card; true when its link was clicked.
    fn show(&self, ui: &mut egui::Ui) -> bool {
        let mut clicked = false;
        egui::Frame::group(ui.style())
            .inner_margin(egui::Margin::same(10))
            .show(ui, |ui| {
                ui.set_width(CARD_WIDTH);
                ui.vertical(|ui| {
                    ui.weak(self.name);
                    ui.label(egui::RichText::new(&self.value).size(26.0).strong());
                    if self.shows_errors {
                        clicked = ui.link(&self.note).clicked();
                    } else {
                        ui.weak(&self.note);
                    }
                });
            });
        clicked
    }
}
