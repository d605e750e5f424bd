//! The sidebar: tags with live counts and hotkeys, and the filters of the review table.

use crate::app::session::{Command, Session};
use crate::model::filter::{Outcome, RowFilter};

pub fn sidebar_ui(
    ui: &mut egui::Ui,
    session: &Session,
    focus_search: &mut bool,
    commands: &mut Vec<Command>,
) {
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
            let label = format!("[{key}] {name} ({})", book.counts(id).n);
            if ui
                .selectable_label(selected, label)
                .on_hover_text("Show only rows with this tag")
                .clicked()
            {
                let tag = if selected { None } else { Some(id) };
                commands.push(Command::SetFilter(RowFilter {
                    tag,
                    ..session.filter.clone()
                }));
            }
        });
    }
    if book.names().is_empty() {
        ui.weak("No tags yet.");
    }
    ui.add_space(8.0);
    ui.separator();
    ui.heading("Filter");
    let mut filter = session.filter.clone();
    ui.horizontal(|ui| {
        ui.radio_value(&mut filter.outcome, Outcome::All, "All");
        ui.radio_value(&mut filter.outcome, Outcome::Errors, "Errors");
        ui.radio_value(&mut filter.outcome, Outcome::Correct, "Correct");
    });
    ui.checkbox(&mut filter.unreviewed_only, "Unreviewed only");
    ui.checkbox(&mut filter.untagged, "Untagged only");
    ui.label("Search id, label, prediction:");
    let search = ui.add(egui::TextEdit::singleline(&mut filter.search).hint_text("Ctrl+F"));
    if std::mem::take(focus_search) {
        search.request_focus();
    }
    if !session.filter.is_empty() && ui.button("Clear filter").clicked() {
        filter = RowFilter::default();
    }
    if filter != session.filter {
        commands.push(Command::SetFilter(filter));
    }
    ui.add_space(8.0);
    ui.separator();
    let reviewed = book.reviewed();
    ui.label(format!(
        "{} reviewed rows, {} errors among them",
        reviewed.n,
        reviewed.errors()
    ));
}
