//! The welcome screen: open a dataset or project by path (or by dropping it on the window),
//! a recent project, or one of the bundled samples.

use std::path::{Path, PathBuf};

/// Returns the path the user chose to open.
pub fn welcome_ui(
    ui: &mut egui::Ui,
    path_input: &mut String,
    recent: &[PathBuf],
) -> Option<PathBuf> {
    let mut chosen = None;
    egui::CentralPanel::default().show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(60.0);
            ui.heading("errata");
            ui.label("Error analysis and auditing of machine-learning evaluation sets");
            ui.add_space(30.0);
            ui.label("Open a dataset folder, a table file (CSV, TSV, Parquet, JSON Lines) or a project (.errata):");
            let field = ui.add(egui::TextEdit::singleline(path_input).hint_text("path").desired_width(480.0));
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button("Open").clicked() || enter) && !path_input.trim().is_empty() {
                chosen = Some(PathBuf::from(path_input.trim()));
            }
            ui.weak("or drop a dataset folder, a table or a project on this window");
            if !recent.is_empty() {
                ui.add_space(20.0);
                ui.label("Recent projects:");
                for path in recent {
                    if ui.button(path.display().to_string()).clicked() {
                        chosen = Some(path.clone());
                    }
                }
            }
            ui.add_space(20.0);
            ui.label("Bundled samples:");
            let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
            for (name, what) in [("speech", "60 spoken commands with ASR transcripts"), ("phones", "80 phone-screen photos with defect labels")] {
                if ui.button(format!("{name}: {what}")).clicked() {
                    chosen = Some(samples.join(name));
                }
            }
        });
    });
    chosen
}
