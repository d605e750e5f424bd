//! Find slices: SliceLine's parameters, the ranked slices it finds (rows one click away,
//! each a possible audit check), and two features crossed in an accuracy heatmap.

use egui::{Color32, RichText, Sense};

use crate::app::session::{Command, Session};
use crate::app::slice_finder::{FinderCommand, FinderState};
use crate::app::{AppCommand, View};
use crate::model::Task;
use crate::model::slice_finder::grid::Grid;
use crate::model::slice_finder::{ErrorKind, MinSupport, Search, feature_names};
use crate::ui::state::{DashboardView, FindSlicesView};

const BELOW: Color32 = Color32::from_rgb(207, 34, 46);
/// The most values drawn along each side of the grid (classes can run to thousands).
const GRID_VALUES: usize = 60;
/// Side of a grid cell.
const CELL: egui::Vec2 = egui::vec2(58.0, 34.0);

fn finder(c: FinderCommand, commands: &mut Vec<AppCommand>) {
    commands.push(Command::Slices(c).into());
}

pub(super) fn found_slices_ui(
    ui: &mut egui::Ui,
    session: &Session,
    state: &mut DashboardView,
    commands: &mut Vec<AppCommand>,
) {
    let view = &mut state.found;
    let set = &session.project.dataset.set;
    let names = feature_names(set, &session.project.book);
    ui.heading("Slice discovery");
    ui.label("SliceLine ranks every combination of slice values, tags and classes by a score that weighs how much worse the model does there against how many rows it holds.");
    let draft = view
        .draft
        .get_or_insert_with(|| session.finder.search.clone());
    let mut support_entered = false;
    ui.horizontal(|ui| {
        ui.label("alpha");
        ui.add(egui::DragValue::new(&mut draft.params.alpha).range(0.01..=1.0).speed(0.01))
            .on_hover_text("Weight of the error rate against the size, above 0 and at most 1; higher finds smaller, worse slices.");
        ui.label("k");
        ui.add(egui::DragValue::new(&mut draft.params.k).range(1..=1000))
            .on_hover_text("Slices to keep; all those tied with the k-th are kept too.");
        ui.label("max level");
        ui.add(egui::DragValue::new(&mut draft.params.max_level).range(1..=6))
            .on_hover_text("The most predicates one slice may combine.");
        let label = ui.label("min support");
        if view.support.is_empty() {
            // As `MinSupport::parse` reads it back: rows, or a share.
            view.support = match draft.params.min_support {
                MinSupport::Default => String::new(),
                MinSupport::Rows(r) => r.to_string(),
                MinSupport::Share(s) => s.to_string(),
            };
        }
        let field = ui
            .add(
                egui::TextEdit::singleline(&mut view.support)
                    .hint_text("1 % (≥ 10)")
                    .desired_width(90.0),
            )
            .labelled_by(label.id);
        support_entered = crate::ui::entered(ui, &field);
        field.on_hover_text("The fewest rows of a slice: a count (50), a share (0.01) or a percentage (1%). Empty: 1 % of the rows and at least 10.");
        let kinds: Vec<ErrorKind> = match set.task {
            Task::Classification => vec![ErrorKind::Misclassified],
            Task::Transcription => vec![ErrorKind::Wer, ErrorKind::Misclassified],
        }
        .into_iter()
        .chain(set.baseline.is_some().then_some(ErrorKind::Regressions))
        .collect();
        let mut kind = draft.error_kind(set);
        egui::ComboBox::from_label("errors")
            .selected_text(kind.as_str())
            .show_ui(ui, |ui| {
                for k in kinds {
                    ui.selectable_value(&mut kind, k, k.as_str());
                }
            });
        draft.errors = Some(kind);
    });
    ui.collapsing(
        format!(
            "Features: {}",
            if draft.columns.is_empty() {
                format!("all {}", names.len())
            } else {
                format!("{} of {}", draft.columns.len(), names.len())
            }
        ),
        |ui| {
            ui.horizontal_wrapped(|ui| {
                for name in &names {
                    let mut on = draft.columns.is_empty() || draft.columns.contains(name);
                    if ui.checkbox(&mut on, name).changed() {
                        if draft.columns.is_empty() {
                            draft.columns = names.clone();
                        }
                        draft.columns.retain(|c| c != name);
                        if on {
                            draft.columns = names
                                .iter()
                                .filter(|n| *n == name || draft.columns.contains(n))
                                .cloned()
                                .collect();
                        }
                        if draft.columns.len() == names.len() {
                            draft.columns.clear();
                        }
                    }
                }
            });
        },
    );
    ui.horizontal(|ui| {
        let running = session.finder.is_running();
        let search = ui.add_enabled(!running, egui::Button::new("Search"));
        if search.clicked() || (support_entered && !running) {
            let support = view.support.trim();
            let parsed = if support.is_empty() {
                Ok(MinSupport::Default)
            } else {
                MinSupport::parse(support)
            };
            match parsed {
                Ok(s) => {
                    view.error = None;
                    draft.params.min_support = s;
                    let search: Search = draft.clone();
                    finder(FinderCommand::Run(search), commands);
                }
                Err(e) => view.error = Some(e.to_string()),
            }
        }
        if let Some(done) = session.finder.progress() {
            ui.add(
                egui::ProgressBar::new(done)
                    .desired_width(200.0)
                    .show_percentage(),
            );
            if ui.button("Cancel").clicked() {
                finder(FinderCommand::Cancel, commands);
            }
        }
    });
    if let Some(e) = &view.error {
        ui.colored_label(BELOW, e);
    }
    match &session.finder.state {
        FinderState::Idle => {
            ui.weak("Choose the parameters and press Search; it runs in the background.");
        }
        FinderState::Running { .. } => {}
        FinderState::Failed(message) => {
            ui.colored_label(BELOW, message);
        }
        FinderState::Ready(found) => {
            ui.add_space(6.0);
            for table in crate::report::found_slices::tables(found) {
                ui.label(table.intro);
            }
            if !found.slices.is_empty() {
                egui::Grid::new("found-slices").striped(true).num_columns(8).show(ui, |ui| {
                    for h in ["rank", "slice", "size", "errors", "error rate", "score", "", ""] {
                        ui.label(RichText::new(h).strong());
                    }
                    ui.end_row();
                    for (rank, s) in found.slices.iter().enumerate() {
                        ui.label((rank + 1).to_string());
                        ui.horizontal(|ui| {
                            ui.label(s.predicates.describe());
                            if let Some(same) = s.same_rows_as {
                                ui.weak(format!("(the rows of #{same})"))
                                    .on_hover_text("Another name for a better-ranked slice: the same rows, so the same score.");
                            }
                        });
                        ui.label(s.size.to_string());
                        ui.label(crate::report::found_slices::format_errors(s.errors));
                        ui.label(format!("{:.1} %", s.error_rate * 100.0));
                        ui.label(format!("{:.4}", s.score));
                        if ui.button("Show rows").clicked() {
                            finder(FinderCommand::ShowSlice(rank), commands);
                            commands.push(AppCommand::Show(View::Review));
                        }
                        if ui
                            .button("Add as audit check")
                            .on_hover_text("Accuracy (WER for transcripts) at most 5 points worse than overall; edit it in the Audit section.")
                            .clicked()
                        {
                            finder(FinderCommand::AddCheck(rank), commands);
                        }
                        ui.end_row();
                    }
                });
            }
        }
    }
    ui.add_space(12.0);
    grid_ui(ui, session, view, &names, commands);
}

fn grid_ui(
    ui: &mut egui::Ui,
    session: &Session,
    view: &mut FindSlicesView,
    names: &[String],
    commands: &mut Vec<AppCommand>,
) {
    ui.heading("Two features crossed");
    ui.horizontal(|ui| {
        let mut changed = false;
        for (which, title) in [(0, "down"), (1, "across")] {
            let current = if which == 0 {
                &mut view.down
            } else {
                &mut view.across
            };
            egui::ComboBox::from_label(title)
                .selected_text(current.as_deref().unwrap_or("pick a feature"))
                .show_ui(ui, |ui| {
                    for n in names {
                        changed |= ui.selectable_value(current, Some(n.clone()), n).changed();
                    }
                });
        }
        if changed && let (Some(d), Some(a)) = (&view.down, &view.across) {
            finder(FinderCommand::Grid(d.clone(), a.clone()), commands);
        }
    });
    let Some(grid) = &session.finder.grid else {
        ui.weak("Pick two features (a slice column and the true class, say) to see the accuracy of every pair of values.");
        return;
    };
    ui.label(format!(
        "Accuracy per cell with its rows; cells less accurate than the whole set ({}) are outlined in red. Click a cell for its rows.",
        grid.overall.map_or("–".into(), |o| format!("{:.1} %", o * 100.0))
    ));
    egui::ScrollArea::both()
        .max_height(560.0)
        .show(ui, |ui| heatmap(ui, grid, commands));
}

/// The grid as painted cells: the colour runs from red (0 %) to green (100 %).
fn heatmap(ui: &mut egui::Ui, grid: &Grid, commands: &mut Vec<AppCommand>) {
    let label_width = 140.0;
    let rows = grid.down_values.len().min(GRID_VALUES);
    let cols = grid.across_values.len().min(GRID_VALUES);
    let size = egui::vec2(
        label_width + CELL.x * cols as f32,
        24.0 + CELL.y * rows as f32,
    );
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let painter = ui.painter_at(rect);
    let font = egui::FontId::proportional(11.0);
    let text = ui.visuals().text_color();
    for (j, (name, _)) in grid.across_values.iter().take(cols).enumerate() {
        let at = rect.min + egui::vec2(label_width + CELL.x * (j as f32 + 0.5), 12.0);
        painter.text(
            at,
            egui::Align2::CENTER_CENTER,
            crate::model::text::shorten(name, 9),
            font.clone(),
            text,
        );
    }
    let mut hovered = None;
    for (i, (name, _)) in grid.down_values.iter().take(rows).enumerate() {
        let y = rect.min.y + 24.0 + CELL.y * i as f32;
        painter.text(
            egui::pos2(rect.min.x + label_width - 6.0, y + CELL.y / 2.0),
            egui::Align2::RIGHT_CENTER,
            crate::model::text::shorten(name, 20),
            font.clone(),
            text,
        );
        for j in 0..cols {
            let cell_rect = egui::Rect::from_min_size(
                egui::pos2(rect.min.x + label_width + CELL.x * j as f32, y),
                CELL,
            )
            .shrink(1.0);
            let cell = grid.cell(i, j);
            let fill = match cell.accuracy() {
                Some(a) => {
                    let a = a as f32;
                    Color32::from_rgb((220.0 * (1.0 - a)) as u8 + 30, (180.0 * a) as u8 + 40, 60)
                }
                None => ui.visuals().faint_bg_color,
            };
            painter.rect_filled(cell_rect, 2.0, fill);
            if grid.flagged(i, j) {
                painter.rect_stroke(
                    cell_rect,
                    2.0,
                    egui::Stroke::new(2.0, BELOW),
                    egui::StrokeKind::Inside,
                );
            }
            if let Some(a) = cell.accuracy() {
                painter.text(
                    cell_rect.center() - egui::vec2(0.0, 7.0),
                    egui::Align2::CENTER_CENTER,
                    format!("{:.0} %", a * 100.0),
                    font.clone(),
                    Color32::WHITE,
                );
                painter.text(
                    cell_rect.center() + egui::vec2(0.0, 8.0),
                    egui::Align2::CENTER_CENTER,
                    format!("n {}", cell.n),
                    font.clone(),
                    Color32::WHITE,
                );
            }
            if response.hover_pos().is_some_and(|p| cell_rect.contains(p)) {
                hovered = Some((i, j));
            }
        }
    }
    if let Some((i, j)) = hovered {
        let cell = grid.cell(i, j);
        let tip = format!(
            "{} = {}\n{} = {}\n{} rows, accuracy {}",
            grid.down,
            grid.down_values[i].0,
            grid.across,
            grid.across_values[j].0,
            cell.n,
            cell.accuracy()
                .map_or("–".into(), |a| format!("{:.1} %", a * 100.0))
        );
        response.clone().on_hover_text(tip);
        if response.clicked() && cell.n > 0 {
            finder(FinderCommand::ShowCell(i, j), commands);
            commands.push(AppCommand::Show(View::Review));
        }
    }
}
