//! The analysis dashboard: prioritisation against HLP (with the HLP and rating editor and a
//! chart of potential gain), slices, classes (with a clickable confusion matrix) and the
//! partial-automation curve. It draws `Session::analysis`, which edits keep current; every
//! name and cell is a link that shows exactly those rows in the review table.

mod audit;
mod classes;
mod comparison;
mod confidence;
mod drift;
mod found_slices;
mod labels;
mod overview;
mod priorities;
mod slices;

use super::state::DashboardView;
use crate::app::figures::FiguresState;
use crate::app::session::{Command, Session};
use crate::app::{AppCommand, Section, View};
use crate::model::filter::RowFilter;
use crate::model::hlp::HlpSource;
use crate::model::stats::Interval;
use crate::report::format;
use crate::ui::thousands;

/// Slice values with fewer rows than this are marked small: their figures are unreliable.
const SMALL: u64 = 30;
const PLOT_HEIGHT: f32 = 190.0;

/// Figures are written as in the reports (`report::format`).
fn pct(value: Option<f64>) -> String {
    format::percent(value, 1)
}

fn interval(ci: Option<&Interval>) -> String {
    format::interval(ci.copied())
}

/// The source of an HLP after its value: " (entered)", nothing without one.
fn source(s: Option<HlpSource>) -> String {
    s.map_or_else(String::new, |s| {
        format!(" ({})", format::hlp_source(Some(s)))
    })
}

/// A reference line on a chart (overall accuracy, a target): dashed, thicker and coloured,
/// so that it does not read as one of the grid lines.
fn reference_line(name: &str, y: f64) -> egui_plot::HLine {
    egui_plot::HLine::new(name, y)
        .color(egui::Color32::from_rgb(230, 140, 40))
        .width(2.0)
        .style(egui_plot::LineStyle::dashed_loose())
}

/// An x axis labelling positions 0, 1, 2 … with `names` (bars or points per value).
fn named_axis(
    names: Vec<String>,
) -> impl Fn(egui_plot::GridMark, &std::ops::RangeInclusive<f64>) -> String + 'static {
    move |mark, _| {
        let i = mark.value.round();
        if (mark.value - i).abs() > 1e-6 || i < 0.0 || i as usize >= names.len() {
            return String::new();
        }
        names[i as usize].clone()
    }
}

/// Shows `filter`'s rows in the review table.
fn show_rows(filter: RowFilter, commands: &mut Vec<AppCommand>) {
    commands.push(Command::SetFilter(filter).into());
    commands.push(AppCommand::Show(View::Review));
}

pub fn dashboard_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    ui.horizontal(|ui| {
        for (section, title) in [
            (Section::Overview, "Overview"),
            (Section::Priorities, "Prioritisation"),
            (Section::Slices, "Slices"),
            (Section::Classes, "Classes"),
            (Section::Confidence, "Confidence"),
            (Section::Comparison, "Model comparison"),
            (Section::Labels, "Labels"),
            (Section::Drift, "Drift"),
            (Section::FindSlices, "Find slices"),
            (Section::Audit, "Audit"),
        ] {
            ui.selectable_value(&mut state.section, section, title);
        }
    });
    ui.separator();
    egui::ScrollArea::both().show(ui, |ui| {
        // Drift, slice discovery and the audit run on their own; the other sections show
        // the figures computed over every row, which arrive a moment after the project opens.
        let figures = session.figures();
        match (state.section, figures) {
            (Section::Drift, _) => drift::drift_ui(ui, session, state, commands),
            (Section::FindSlices, _) => found_slices::found_slices_ui(ui, session, state, commands),
            (Section::Audit, _) => audit::audit_ui(ui, session, state, commands),
            (_, None) => figures_pending_ui(ui, session),
            (Section::Overview, Some(f)) => overview::overview_ui(ui, session, f, commands),
            (Section::Priorities, Some(f)) => {
                priorities::priorities_ui(ui, session, f, state, commands)
            }
            (Section::Slices, Some(f)) => slices::slices_ui(ui, session, f, state, commands),
            (Section::Classes, Some(f)) => classes::classes_ui(ui, f, state, commands),
            (Section::Confidence, Some(f)) => {
                confidence::confidence_ui(ui, session, f, state, commands)
            }
            (Section::Comparison, Some(f)) => comparison::comparison_ui(ui, session, f, commands),
            (Section::Labels, Some(f)) => labels::labels_ui(ui, session, f, commands),
        }
    });
}

/// While the figures are computed (or if that failed): what is happening, and for how many rows.
fn figures_pending_ui(ui: &mut egui::Ui, session: &Session) {
    match session.figures_state() {
        FiguresState::Failed(message) => {
            ui.colored_label(ui.visuals().error_fg_color, message);
        }
        _ => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!(
                    "Computing the figures over {} rows...",
                    thousands(session.project.dataset.set.len())
                ));
            });
        }
    }
}
