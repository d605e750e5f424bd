//! The column-mapping dialog, shown when a dataset is opened for the first time: the role
//! of each column (detected, or chosen by the user), the slices, the task, what loading
//! with these roles gives (rows, classes, warnings, or why it fails), a preview of the first
//! rows, and where the project will be created.

use crate::app::AppCommand;
use crate::app::opening::MappingDialog;
use crate::data::table::{Delimited, SEPARATORS, separator_name};
use crate::data::{ColumnRoles, MappingRequest};
use crate::model::Task;

type RequestField = fn(&mut MappingRequest) -> &mut Option<String>;
type RoleField = fn(&ColumnRoles) -> Option<&str>;

/// Each single-column role: its name, where the user's choice goes, where the detected
/// column is.
const ROLES: [(&str, RequestField, RoleField); 8] = [
    ("Id", |r| &mut r.id, |c| c.id.as_deref()),
    ("Truth (label)", |r| &mut r.label, |c| Some(&c.label)),
    ("Prediction", |r| &mut r.prediction, |c| Some(&c.prediction)),
    (
        "Confidence",
        |r| &mut r.confidence,
        |c| c.confidence.as_deref(),
    ),
    ("Media file", |r| &mut r.media, |c| c.media.as_deref()),
    (
        "Human label (HLP)",
        |r| &mut r.human,
        |c| c.human.as_deref(),
    ),
    (
        "Baseline prediction",
        |r| &mut r.baseline,
        |c| c.baseline.as_deref(),
    ),
    ("Tags", |r| &mut r.tags, |c| c.tags.as_deref()),
];

pub fn mapping_ui(ui: &mut egui::Ui, dialog: &MappingDialog, commands: &mut Vec<AppCommand>) {
    // The user's choices are edited on a copy and sent back as one command when they change.
    let (mut request, mut project) = (dialog.request.clone(), dialog.project.clone());
    let (mut create, mut cancel) = (false, false);
    egui::Panel::bottom("mapping-actions").show(ui, |ui| {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            let label = ui.label("Project file:");
            let field = ui
                .add(egui::TextEdit::singleline(&mut project).desired_width(520.0))
                .labelled_by(label.id);
            let ready = dialog.can_create();
            let button = ui
                .add_enabled(ready, egui::Button::new("Create project"))
                .on_disabled_hover_text("Choose columns that load without errors first");
            // Enter in the project file's field creates it, as the button does.
            create = ready && super::submitted(ui, &field, button);
            cancel = ui.button("Cancel").clicked();
        });
        ui.add_space(6.0);
    });
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| dialog_ui(ui, dialog, &mut request));
    });
    if request != dialog.request || project != dialog.project {
        commands.push(AppCommand::EditMapping {
            request: Box::new(request),
            project,
        });
    }
    if create {
        commands.push(AppCommand::CreateProject);
    } else if cancel {
        commands.push(AppCommand::Cancel);
    }
}

/// The field separator of a CSV/TSV table: as detected, or chosen.
fn separator_ui(ui: &mut egui::Ui, found: Delimited, request: &mut MappingRequest) {
    let label = ui.strong("Separator");
    // The preview was read with the user's choice, or detected without one.
    let shown = found.describe();
    ui.horizontal(|ui| {
        egui::ComboBox::from_id_salt("separator")
            .selected_text(shown)
            .width(260.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut request.separator, None, "detect automatically");
                for separator in SEPARATORS {
                    let name = separator_name(separator);
                    ui.selectable_value(&mut request.separator, Some(char::from(separator)), name);
                }
            })
            .response
            .labelled_by(label.id);
        if found.decimal_comma() {
            ui.weak("decimal commas (0,93) are read as numbers");
        }
    });
    ui.end_row();
}

fn dialog_ui(ui: &mut egui::Ui, dialog: &MappingDialog, request: &mut MappingRequest) {
    ui.heading("Column mapping");
    ui.label(format!("Dataset: {}", dialog.dataset.display()));
    ui.add_space(8.0);
    let detected = dialog.preview.dataset.as_ref().ok().map(|d| &d.roles);
    let columns = dialog.preview.columns.clone();
    egui::Grid::new("roles")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for (name, field, role) in ROLES {
                let label = ui.strong(name);
                let choice = field(request);
                let shown = match (&*choice, detected.and_then(role)) {
                    (Some(column), _) => column.clone(),
                    (None, Some(column)) => format!("{column} (detected)"),
                    (None, None) => "(none detected)".into(),
                };
                egui::ComboBox::from_id_salt(name)
                    .selected_text(shown)
                    .width(260.0)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(choice, None, "detect automatically");
                        for column in &columns {
                            ui.selectable_value(choice, Some(column.clone()), column);
                        }
                    })
                    .response
                    .labelled_by(label.id);
                ui.end_row();
            }
            let label = ui.strong("Task");
            let shown = match (request.task, &dialog.preview.dataset) {
                (Some(task), _) => task.as_str().to_string(),
                (None, Ok(d)) => format!("{} (detected)", d.set.task.as_str()),
                (None, Err(_)) => "detect automatically".into(),
            };
            egui::ComboBox::from_id_salt("task")
                .selected_text(shown)
                .width(260.0)
                .show_ui(ui, |ui| {
                    let task = &mut request.task;
                    ui.selectable_value(task, None, "detect automatically");
                    ui.selectable_value(task, Some(Task::Classification), "classification");
                    ui.selectable_value(task, Some(Task::Transcription), "transcription");
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            if let Some(found) = dialog.preview.delimited {
                separator_ui(ui, found, request);
            }
        });
    ui.checkbox(
        &mut request.normalize_labels,
        "Normalise labels: trim spaces, compose Unicode, lowercase (\"Dog\" and \"dog \" are one class)",
    );
    ui.add_space(8.0);
    ui.strong("Annotators (columns of several people's labels of the same rows)");
    let annotators: Vec<String> = match (&request.annotators, detected) {
        (chosen, _) if !chosen.is_empty() => chosen.clone(),
        (_, Some(roles)) => roles.annotators.clone(),
        _ => Vec::new(),
    };
    let probabilities: Vec<String> = detected
        .map(|r| r.probabilities.clone())
        .unwrap_or_default();
    let slice_only: Vec<String> = detected.map(|r| r.slices.clone()).unwrap_or_default();
    ui.push_id("annotators", |ui| {
        ui.horizontal_wrapped(|ui| {
            for column in columns
                .iter()
                .filter(|c| annotators.contains(c) || slice_only.contains(c))
            {
                let mut on = annotators.contains(column);
                if ui.checkbox(&mut on, format!("{column} ")).changed() {
                    let mut chosen = annotators.clone();
                    if on {
                        chosen.push(column.clone());
                        request.slices.retain(|c| c != column);
                    } else {
                        chosen.retain(|c| c != column);
                    }
                    request.annotators = chosen;
                }
            }
        });
    });
    if !probabilities.is_empty() {
        ui.weak(format!(
            "Class probabilities: {} (used to find suspected label errors)",
            probabilities.join(", ")
        ));
    }
    ui.add_space(8.0);
    ui.strong("Slices (columns to break results down by)");
    let sliced: Vec<String> = match (&request.slices, detected) {
        (chosen, _) if !chosen.is_empty() => chosen.clone(),
        (_, Some(roles)) => roles.slices.clone(),
        _ => Vec::new(),
    };
    // Columns that hold a role are not offered as slices.
    let roles: Vec<&str> = detected
        .map(|roles| {
            ROLES
                .iter()
                .filter_map(|(_, _, role)| role(roles))
                .collect()
        })
        .unwrap_or_default();
    ui.horizontal_wrapped(|ui| {
        for column in columns.iter().filter(|c| {
            !roles.contains(&c.as_str()) && !annotators.contains(c) && !probabilities.contains(c)
        }) {
            let mut on = sliced.contains(column);
            if ui.checkbox(&mut on, column).changed() {
                let mut slices: Vec<String> = sliced.clone();
                if on {
                    slices.push(column.clone());
                } else {
                    slices.retain(|c| c != column);
                }
                request.slices = slices;
            }
        }
    });
    ui.add_space(8.0);
    ui.separator();
    ui.strong("Check");
    if dialog.pending.is_some() || *request != dialog.previewed {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Loading with these columns...");
        });
    } else {
        match &dialog.preview.dataset {
            Ok(dataset) => {
                let set = &dataset.set;
                let classes = match set.task {
                    Task::Classification => format!("{} classes, ", set.class_names().len()),
                    Task::Transcription => String::new(),
                };
                ui.label(format!(
                    "{} rows, {classes}task: {}, {} errors",
                    set.len(),
                    set.task.as_str(),
                    set.correct.iter().filter(|c| !**c).count()
                ));
                for warning in &dataset.warnings {
                    ui.colored_label(ui.visuals().warn_fg_color, format!("Warning: {warning}"));
                }
                for note in &dataset.notes {
                    ui.weak(note);
                }
                let media = dialog.preview.media_check.as_ref();
                let undecodable = media.map_or(0, |m| m.undecodable.len());
                if let Some(check) = media.filter(|m| m.probed > 0) {
                    if undecodable == 0 {
                        ui.label(format!(
                            "Media: the {} files probed (a sample of the rows) decode.",
                            check.probed
                        ));
                    } else {
                        ui.colored_label(
                            ui.visuals().warn_fg_color,
                            format!(
                                "Media: {undecodable} of {} files probed cannot be decoded; \
                                 `errata report --check-media` probes them all.",
                                check.probed
                            ),
                        );
                        for (_, why) in check.undecodable.iter().take(5) {
                            ui.label(crate::model::text::shorten(why, 200));
                        }
                    }
                }
                if dataset.warnings.is_empty() && undecodable == 0 {
                    ui.label("No problems found.");
                }
            }
            Err(e) => {
                ui.colored_label(ui.visuals().error_fg_color, format!("Error: {e}"));
            }
        }
    }
    ui.add_space(8.0);
    ui.separator();
    ui.strong(format!(
        "First {} rows of the table",
        dialog.preview.head.len()
    ));
    egui::ScrollArea::horizontal().show(ui, |ui| {
        egui::Grid::new("preview").striped(true).show(ui, |ui| {
            for column in &columns {
                ui.strong(column);
            }
            ui.end_row();
            for row in &dialog.preview.head {
                for cell in row {
                    let short: String = cell.chars().take(40).collect();
                    ui.label(short);
                }
                ui.end_row();
            }
        });
    });
}
