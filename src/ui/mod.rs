//! The desktop UI: one panel per file, functions named `*_ui` that read the app state and
//! return the commands the user gave. Nothing here writes to the project.

mod dashboard;
mod inspector;
mod keys;
mod mapping;
mod sidebar;
mod table;
mod welcome;

use crate::app::opening::Job;
use crate::app::session::Command;
use crate::app::{ErrataApp, Screen, View};
use crate::data::progress::STEPS;

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
        Screen::Welcome => welcome::welcome_ui(ui, app),
        Screen::Loading(job) => {
            if loading_ui(ui, job) {
                app.cancel_loading();
            }
        }
        Screen::Mapping(_) => mapping::mapping_ui(ui, app),
        Screen::Review(_) => commands = review_ui(ui, app),
    }
    commands
}

/// A count with thousands separators ("10,000,000"): long tables show eight-digit counts.
pub fn thousands(n: impl ToString) -> String {
    let digits = n.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (at, digit) in digits.chars().enumerate() {
        if at > 0 && (digits.len() - at).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// The progress of an open: the step, the rows read, the time so far. Returns whether the
/// user cancelled.
fn loading_ui(ui: &mut egui::Ui, job: &Job) -> bool {
    let (step, rows) = job.progress.snapshot();
    let mut cancel = false;
    egui::CentralPanel::default().show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 3.0);
            ui.heading(format!("Opening {}", job.target.display()));
            ui.add_space(12.0);
            let done = step as f32 / STEPS.len() as f32;
            ui.add(
                egui::ProgressBar::new(done)
                    .desired_width(480.0)
                    .text(format!(
                        "step {} of {}: {}",
                        step + 1,
                        STEPS.len(),
                        STEPS[step]
                    )),
            );
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - 300.0).max(0.0) / 2.0);
                ui.spinner();
                ui.label(if rows > 0 {
                    format!(
                        "{} rows read, {:.1} s",
                        thousands(rows),
                        job.started.elapsed().as_secs_f32()
                    )
                } else {
                    format!("{:.1} s", job.started.elapsed().as_secs_f32())
                });
            });
            ui.add_space(12.0);
            cancel =
                ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape));
        });
    });
    // Keep the elapsed time moving.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(100));
    cancel
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
                    thousands(session.rows.len()),
                    thousands(session.project.dataset.set.len())
                ));
            });
        });
    });
    let mut export = false;
    egui::Panel::top("views").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut app.view, View::Review, "Review");
            ui.selectable_value(&mut app.view, View::Dashboard, "Dashboard");
            ui.separator();
            if ui
                .add_enabled(
                    app.file_dialog.is_none(),
                    egui::Button::new("Export report..."),
                )
                .on_hover_text("Write the audit report as HTML, Markdown or JSON")
                .clicked()
            {
                export = true;
            }
        });
    });
    egui::Panel::left("sidebar")
        .default_size(230.0)
        .show(ui, |ui| {
            sidebar::sidebar_ui(ui, session, &mut app.focus_search, &mut commands);
        });
    if app.view == View::Dashboard {
        egui::CentralPanel::default().show(ui, |ui| {
            dashboard::dashboard_ui(
                ui,
                session,
                &mut app.dashboard,
                &mut app.view,
                &mut commands,
            );
        });
    } else {
        egui::Panel::right("inspector")
            .default_size(420.0)
            .show(ui, |ui| {
                let state = inspector::InspectorState {
                    images: &mut app.images,
                    audio: &mut app.audio,
                    player: &app.player,
                    audio_actions: &mut app.audio_actions,
                    autoplay: &mut app.autoplay,
                    image_view: &mut app.image_view,
                    note_draft: &mut app.note_draft,
                };
                inspector::inspector_ui(ui, session, state, &mut commands);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            table::table_ui(
                ui,
                session,
                &mut app.goto_input,
                &mut app.table,
                &mut commands,
            );
        });
    }
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
    if export {
        app.pick(crate::app::dialogs::Pick::SaveReport, &ui.ctx().clone());
    }
    commands
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_by_thousands() {
        for (n, shown) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (123456, "123,456"),
            (10_000_000, "10,000,000"),
        ] {
            assert_eq!(super::thousands(n), shown);
        }
    }
}
