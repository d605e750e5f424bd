//! The desktop UI: one panel per file, functions named `*_ui` that read the app state and
//! return the commands the user gave. Nothing here writes to the project.

mod inspector;
mod keys;
mod sidebar;
mod table;
mod welcome;

use crate::app::session::Command;
use crate::app::{ErrataApp, Screen};

/// Draws the whole window for one frame and returns the commands to apply.
pub fn app_ui(ui: &mut egui::Ui, app: &mut ErrataApp) -> Vec<Command> {
    let mut commands = Vec::new();
    if let Some(error) = app.error.clone() {
        egui::Panel::top("error").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, format!("Error: {error}"));
                if ui.button("Dismiss").clicked() {
                    app.error = None;
                }
            });
        });
    }
    match &app.screen {
        Screen::Welcome => {
            let dropped = ui
                .ctx()
                .input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()));
            if let Some(path) =
                welcome::welcome_ui(ui, &mut app.path_input, &app.recent).or(dropped)
            {
                app.open(path, &ui.ctx().clone());
            }
        }
        Screen::Loading { path, .. } => {
            let path = path.display().to_string();
            egui::CentralPanel::default().show(ui, |ui| {
                ui.centered_and_justified(|ui| {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(format!("Loading {path}..."));
                    });
                });
            });
        }
        Screen::Review(_) => commands = review_ui(ui, app),
    }
    commands
}

fn review_ui(ui: &mut egui::Ui, app: &mut ErrataApp) -> Vec<Command> {
    let mut commands = keys::commands_from_keys(ui.ctx(), app);
    let Screen::Review(session) = &app.screen else {
        return commands;
    };
    let title = format!(
        "errata - {}",
        session
            .project
            .store
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    // Only when it changes: a viewport command asks for another frame.
    if app.window_title != title {
        ui.ctx()
            .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
        app.window_title = title;
    }
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(format!(
                "Saved to {}",
                session.project.store.path().display()
            ));
            ui.separator();
            ui.label(&session.status);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!(
                    "{} of {} rows shown - press ? for shortcuts",
                    session.rows.len(),
                    session.project.dataset.set.len()
                ));
            });
        });
    });
    egui::Panel::left("sidebar")
        .default_size(230.0)
        .show(ui, |ui| {
            sidebar::sidebar_ui(ui, session, &mut app.focus_search, &mut commands);
        });
    egui::Panel::right("inspector")
        .default_size(420.0)
        .show(ui, |ui| {
            inspector::inspector_ui(
                ui,
                session,
                &mut app.images,
                &mut app.note_draft,
                &mut commands,
            );
        });
    egui::CentralPanel::default().show(ui, |ui| {
        table::table_ui(ui, session, &mut commands);
    });
    if app.show_help {
        egui::Window::new("Keyboard shortcuts")
            .collapsible(false)
            .open(&mut app.show_help)
            .show(ui.ctx(), |ui| {
                egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                    for (key, action) in keys::SHORTCUTS {
                        ui.strong(*key);
                        ui.label(*action);
                        ui.end_row();
                    }
                });
            });
    }
    commands
}
