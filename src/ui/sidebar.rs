//! The sidebar: tags with live counts, hotkeys and colours (right-click one to rename,
//! recolour or delete it; a field adds one), and the filters of the review table.

use super::thousands;
use crate::app::AppCommand;
use crate::app::session::{Command, Session};
use crate::model::Task;
use crate::model::filter::{Outcome, RowFilter};
use crate::model::tags::TagId;

pub fn sidebar_ui(
    ui: &mut egui::Ui,
    session: &Session,
    focus_search: bool,
    commands: &mut Vec<AppCommand>,
) {
    egui::ScrollArea::vertical().show(ui, |ui| {
        tags_ui(ui, session, commands);
        ui.add_space(8.0);
        ui.separator();
        filters_ui(ui, session, focus_search, commands);
    });
}

/// A text buffer kept in egui's memory between frames (for fields that are not app state).
fn draft(ui: &egui::Ui, id: egui::Id) -> String {
    ui.data(|d| d.get_temp::<String>(id)).unwrap_or_default()
}

fn tag_menu_ui(ui: &mut egui::Ui, session: &Session, tag: TagId, commands: &mut Vec<AppCommand>) {
    let name = &session.project.book.names()[tag];
    let id = ui.scope_id().with(("rename", tag));
    let mut text = ui
        .data(|d| d.get_temp::<String>(id))
        .unwrap_or_else(|| name.clone());
    ui.horizontal(|ui| {
        let label = ui.label("Name:");
        let field = ui.text_edit_singleline(&mut text).labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Rename").clicked() || enter)
            && text.trim() != name
            && !text.trim().is_empty()
        {
            commands.push(
                Command::RenameTag {
                    tag,
                    name: text.trim().to_string(),
                }
                .into(),
            );
            ui.close();
        }
    });
    ui.data_mut(|d| d.insert_temp(id, text));
    if let Some(def) = session.tag_def(tag) {
        let mut color = egui::Color32::from_hex(&def.color).unwrap_or(egui::Color32::GRAY);
        ui.horizontal(|ui| {
            ui.label("Colour:");
            if egui::color_picker::color_edit_button_srgba(
                ui,
                &mut color,
                egui::color_picker::Alpha::Opaque,
            )
            .changed()
            {
                commands.push(
                    Command::RecolourTag {
                        tag,
                        color: format!("#{:02x}{:02x}{:02x}", color.r(), color.g(), color.b()),
                    }
                    .into(),
                );
            }
        });
    }
    if ui.button("Delete tag").clicked() {
        commands.push(Command::DeleteTag(tag).into());
        ui.close();
    }
}

fn tags_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<AppCommand>) {
    let book = &session.project.book;
    ui.heading("Tags");
    for (id, name) in book.names().iter().enumerate() {
        let def = session.tag_def(id);
        let color = def
            .and_then(|d| egui::Color32::from_hex(&d.color).ok())
            .unwrap_or(egui::Color32::GRAY);
        let key = def
            .and_then(|d| d.hotkey)
            .map_or("  ".to_string(), |k| k.to_string());
        ui.horizontal(|ui| {
            let (swatch, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(swatch, 2.0, color);
            let selected = session.filter.tag == Some(id);
            let label = format!("[{key}] {name} ({})", thousands(book.counts(id).n));
            let response = ui.selectable_label(selected, label).on_hover_text(
                "Click: show only rows with this tag. Right-click: rename, recolour, delete",
            );
            response.context_menu(|ui| tag_menu_ui(ui, session, id, commands));
            if response.clicked() {
                let tag = if selected { None } else { Some(id) };
                commands.push(
                    Command::SetFilter(RowFilter {
                        tag,
                        ..session.filter.clone()
                    })
                    .into(),
                );
            }
        });
    }
    if book.names().is_empty() {
        ui.weak("No tags yet.");
    }
    let id = ui.scope_id().with("new-tag");
    let mut name = draft(ui, id);
    ui.horizontal(|ui| {
        let label = ui.label("New tag:");
        let field = ui
            .add(egui::TextEdit::singleline(&mut name).desired_width(110.0))
            .labelled_by(label.id);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("Add tag").clicked() || enter) && !name.trim().is_empty() {
            commands.push(Command::CreateTag(name.trim().to_string()).into());
            name.clear();
        }
    });
    ui.data_mut(|d| d.insert_temp(id, name));
}

fn filters_ui(
    ui: &mut egui::Ui,
    session: &Session,
    focus_search: bool,
    commands: &mut Vec<AppCommand>,
) {
    let book = &session.project.book;
    let set = &session.project.dataset.set;
    ui.heading("Filter");
    let mut filter = session.filter.clone();
    ui.horizontal(|ui| {
        ui.radio_value(&mut filter.outcome, Outcome::All, "All");
        ui.radio_value(&mut filter.outcome, Outcome::Errors, "Errors");
        ui.radio_value(&mut filter.outcome, Outcome::Correct, "Correct");
    });
    ui.checkbox(&mut filter.unreviewed_only, "Unreviewed only");
    ui.checkbox(&mut filter.untagged, "Untagged only");
    if set.annotators.is_some() {
        ui.checkbox(&mut filter.annotators_disagree, "Annotators disagree");
    }
    if set.probabilities.is_some() || set.annotators.is_some() {
        // Found with the figures, which arrive a moment after the project opens.
        let figures = session.figures();
        let suspects = figures.and_then(|f| f.analysis.label_issues.as_ref());
        let mut on = filter.listed.is_some();
        let count = match figures {
            Some(_) => suspects.map_or(0, Vec::len).to_string(),
            None => "finding...".into(),
        };
        if ui
            .add_enabled(
                figures.is_some(),
                egui::Checkbox::new(&mut on, format!("Suspected label errors ({count})")),
            )
            .changed()
        {
            filter.listed = on.then(|| {
                crate::model::filter::RowList::new(
                    "suspected label errors",
                    suspects
                        .map(|list| list.iter().map(|i| i.row as u32).collect())
                        .unwrap_or_default(),
                )
            });
        }
    }
    if !set.slices.is_empty() {
        let shown = filter.slice.map_or("any slice".to_string(), |(c, v)| {
            format!(
                "{} = {}",
                set.slices[c].name, set.slices[c].values[v as usize]
            )
        });
        let label = ui.label("Slice:");
        egui::ComboBox::from_id_salt("slice-filter")
            .selected_text(shown)
            .width(200.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.slice, None, "any slice");
                for (c, slice) in set.slices.iter().enumerate() {
                    ui.separator();
                    ui.weak(&slice.name);
                    for (v, value) in slice.values.iter().enumerate() {
                        ui.selectable_value(
                            &mut filter.slice,
                            Some((c, v as u32)),
                            format!("{} = {value}", slice.name),
                        );
                    }
                }
            })
            .response
            .labelled_by(label.id);
    }
    if set.task == Task::Classification {
        for (what, choice) in [
            ("true class", &mut filter.truth),
            ("predicted class", &mut filter.predicted),
        ] {
            let shown = choice.map_or(format!("any {what}"), |c| {
                format!("{what}: {}", set.class_names()[c as usize])
            });
            let label = ui.label(format!("{what}:"));
            egui::ComboBox::from_id_salt(what)
                .selected_text(shown)
                .width(200.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(choice, None, format!("any {what}"));
                    for (c, class) in set.class_names().iter().enumerate() {
                        ui.selectable_value(choice, Some(c as u32), class);
                    }
                })
                .response
                .labelled_by(label.id);
        }
    }
    if set.confidence.is_some() {
        let mut on = filter.confidence.is_some();
        let label = ui.checkbox(&mut on, "Confidence between");
        if on {
            let (mut lo, mut hi) = filter.confidence.unwrap_or((0.0, 1.0));
            ui.horizontal(|ui| {
                ui.add(egui::DragValue::new(&mut lo).range(0.0..=1.0).speed(0.01))
                    .labelled_by(label.id);
                let and = ui.label("and");
                ui.add(egui::DragValue::new(&mut hi).range(0.0..=1.0).speed(0.01))
                    .labelled_by(and.id);
            });
            filter.confidence = Some((lo.min(hi), hi.max(lo)));
        } else {
            filter.confidence = None;
        }
    }
    let label = ui.label("Search id, label, prediction:");
    let search = ui
        .add(egui::TextEdit::singleline(&mut filter.search).hint_text("Ctrl+F"))
        .labelled_by(label.id);
    if focus_search {
        search.request_focus();
    }
    if !session.filter.is_empty() && ui.button("Clear filter").clicked() {
        filter = RowFilter::default();
    }
    if filter != session.filter {
        commands.push(Command::SetFilter(filter).into());
    }
    ui.add_space(8.0);
    ui.separator();
    let reviewed = book.reviewed();
    ui.label(format!(
        "{} reviewed rows, {} errors among them",
        thousands(reviewed.n),
        thousands(reviewed.errors())
    ));
}
