//! The welcome screen: open a dataset or project with the native dialog, by path, or by
//! dropping it on the window; a recent project; or one of the bundled samples.

use std::path::PathBuf;

use super::paths::{Completions, completions_ui};
use crate::app::dialogs::Pick;
use crate::app::{AppCommand, ErrataApp};

const SAMPLES: [(&str, &str); 2] = [
    ("speech", "60 spoken commands with ASR transcripts"),
    ("phones", "80 phone-screen photos with defect labels"),
];

pub fn welcome_ui(
    ui: &mut egui::Ui,
    app: &ErrataApp,
    path_input: &mut String,
    completions: &mut Completions,
    commands: &mut Vec<AppCommand>,
) {
    let mut chosen: Option<PathBuf> = ui
        .ctx()
        .input(|i| i.raw.dropped_files.first().map(|f| f.path().to_path_buf()))
        .filter(|p| !p.as_os_str().is_empty());
    let mut pick = None;
    let mut sample = None;
    egui::CentralPanel::default().show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(60.0);
            ui.heading("errata");
            ui.label("Error analysis and auditing of machine-learning evaluation sets");
            ui.add_space(30.0);
            ui.horizontal(|ui| {
                ui.add_space((ui.available_width() - 430.0).max(0.0) / 2.0);
                let waiting = app.dialog_open();
                ui.add_enabled_ui(!waiting, |ui| {
                    if ui.button("Open dataset folder...").clicked() {
                        pick = Some(Pick::DatasetFolder);
                    }
                    if ui.button("Open table file...").clicked() {
                        pick = Some(Pick::TableFile);
                    }
                    if ui.button("Open project...").clicked() {
                        pick = Some(Pick::Project);
                    }
                });
                if waiting {
                    ui.spinner();
                }
            });
            ui.add_space(12.0);
            ui.label("or type the path of a dataset folder, a table (CSV, TSV, Parquet, JSON Lines) or a project (.errata):");
            let field = ui.add(
                egui::TextEdit::singleline(path_input)
                    .hint_text("path")
                    .desired_width(480.0),
            );
            completions_ui(ui, path_input, completions);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Open").clicked() || enter) && !path_input.trim().is_empty() {
                chosen = Some(PathBuf::from(path_input.trim()));
            }
            ui.weak("or drop a dataset folder, a table or a project on this window");
            if !app.recent().is_empty() {
                ui.add_space(20.0);
                ui.label("Recent projects:");
                for path in app.recent() {
                    if ui.button(path.display().to_string()).clicked() {
                        chosen = Some(path.clone());
                    }
                }
            }
            if app.samples().is_some() {
                ui.add_space(20.0);
                ui.label("Bundled samples (opened from a copy in your data folder):");
                for (name, what) in SAMPLES {
                    if ui.button(format!("{name}: {what}")).clicked() {
                        sample = Some(name.to_string());
                    }
                }
            }
        });
    });
    if let Some(pick) = pick {
        commands.push(AppCommand::Pick(pick));
    }
    if let Some(path) = chosen {
        commands.push(AppCommand::Open(path));
    }
    if let Some(name) = sample {
        commands.push(AppCommand::OpenSample(name));
    }
}
