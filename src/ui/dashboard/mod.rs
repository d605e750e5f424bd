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
use crate::app::session::{Command, Session};
use crate::app::{AppCommand, Section, View};
use crate::model::filter::RowFilter;
use crate::model::hlp::HlpSource;
use crate::model::stats::Interval;
use crate::report::format;

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
    egui::ScrollArea::both().show(ui, |ui| match state.section {
        Section::Overview => overview::overview_ui(ui, session, commands),
        Section::Priorities => priorities::priorities_ui(ui, session, state, commands),
        Section::Slices => slices::slices_ui(ui, session, state, commands),
        Section::Classes => classes::classes_ui(ui, session, state, commands),
        Section::Confidence => confidence::confidence_ui(ui, session, state, commands),
        Section::Comparison => comparison::comparison_ui(ui, session, commands),
        Section::Labels => labels::labels_ui(ui, session, commands),
        Section::Drift => drift::drift_ui(ui, session, state, commands),
        Section::FindSlices => found_slices::found_slices_ui(ui, session, state, commands),
        Section::Audit => audit::audit_ui(ui, session, state, commands),
    });
}
