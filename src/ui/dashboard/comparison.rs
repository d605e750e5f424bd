//! Model comparison: model and baseline accuracy per tag and slice value, regressions and
//! fixes.

use super::{pct, show_rows};
use crate::app::AppCommand;
use crate::app::figures::Figures;
use crate::app::session::Session;
use crate::model::comparison::Change;
use crate::model::filter::RowFilter;
use crate::model::group::GroupCounts;
use crate::model::stats::ratio;
use crate::report::format::{self, signed_points};

/// The model against the baseline: accuracy of both per tag and slice value, and the
/// regressions and fixes (each a link to its rows).
pub(super) fn comparison_ui(
    ui: &mut egui::Ui,
    session: &Session,
    figures: &Figures,
    commands: &mut Vec<AppCommand>,
) {
    let Some((regressed, fixed)) = figures.changes else {
        ui.weak("This dataset has no baseline column (an earlier model's predictions); add one to compare.");
        return;
    };
    let set = &session.project.dataset.set;
    let book = &session.project.book;
    ui.horizontal(|ui| {
        if ui
            .link(format!("{regressed} regressions"))
            .on_hover_text("Rows the baseline got right and the model gets wrong")
            .clicked()
        {
            show_rows(
                RowFilter {
                    change: Some(Change::Regressed),
                    ..RowFilter::default()
                },
                commands,
            );
        }
        if ui
            .link(format!("{fixed} fixes"))
            .on_hover_text("Rows the baseline got wrong and the model gets right")
            .clicked()
        {
            show_rows(
                RowFilter {
                    change: Some(Change::Fixed),
                    ..RowFilter::default()
                },
                commands,
            );
        }
    });
    let row = |ui: &mut egui::Ui,
               name: String,
               counts: &GroupCounts,
               filter: RowFilter,
               commands: &mut Vec<AppCommand>| {
        if ui.link(name).clicked() {
            show_rows(filter, commands);
        }
        let model = ratio(counts.correct, counts.n);
        let baseline = ratio(counts.baseline_correct, counts.baseline_n);
        ui.label(counts.n.to_string());
        ui.label(pct(model));
        ui.label(pct(baseline));
        ui.label(match (model, baseline) {
            (Some(m), Some(b)) => format!("{} pts", signed_points(m - b)),
            _ => format::UNKNOWN.to_string(),
        });
        ui.end_row();
    };
    egui::Grid::new("comparison").striped(true).show(ui, |ui| {
        for title in [
            "tag or slice",
            "n",
            "model accuracy",
            "baseline accuracy",
            "change",
        ] {
            ui.strong(title);
        }
        ui.end_row();
        for (tag, name) in book.names().iter().enumerate() {
            let filter = RowFilter {
                tag: Some(tag),
                ..RowFilter::default()
            };
            row(
                ui,
                format!("tag {name}"),
                book.counts(tag),
                filter,
                commands,
            );
        }
        for s in &figures.analysis.slices {
            let Some(column) = set.slices.iter().position(|c| c.name == s.column) else {
                continue;
            };
            let code = set.slices[column].values.iter().position(|v| *v == s.value);
            let filter = RowFilter {
                slice: code.map(|v| (column, v as u32)),
                ..RowFilter::default()
            };
            row(
                ui,
                format!("slice {}={}", s.column, s.value),
                &s.counts,
                filter,
                commands,
            );
        }
    });
}
