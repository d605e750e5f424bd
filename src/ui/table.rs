//! The review table: virtualised (only visible rows are laid out), so it stays smooth at a
//! million rows. Clicking a row selects it; the selection is kept in view.

use egui_extras::{Column, TableBuilder};

use crate::app::session::{Command, Session};

const ROW_HEIGHT: f32 = 22.0;

pub fn table_ui(ui: &mut egui::Ui, session: &Session, commands: &mut Vec<Command>) {
    let set = &session.project.dataset.set;
    let book = &session.project.book;
    let mut table = TableBuilder::new(ui)
        .striped(true)
        .sense(egui::Sense::click())
        .column(Column::auto().at_least(40.0))
        .column(Column::initial(110.0).resizable(true))
        .column(Column::initial(220.0).resizable(true).clip(true))
        .column(Column::initial(220.0).resizable(true).clip(true))
        .column(Column::auto().at_least(50.0))
        .column(Column::auto().at_least(60.0))
        .column(Column::remainder().clip(true));
    if let Some(position) = session
        .selected
        .and_then(|r| session.rows.binary_search(&r).ok())
    {
        table = table.scroll_to_row(position, None);
    }
    table
        .header(ROW_HEIGHT, |mut header| {
            for title in [
                "#",
                "id",
                "truth",
                "prediction",
                "conf.",
                "reviewed",
                "tags",
            ] {
                header.col(|ui| {
                    ui.strong(title);
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, session.rows.len(), |mut row| {
                let r = session.rows[row.index()];
                let i = r as usize;
                row.set_selected(session.selected == Some(r));
                let wrong = !set.correct[i];
                row.col(|ui| {
                    ui.label((i + 1).to_string());
                });
                row.col(|ui| {
                    ui.label(set.ids.get(i));
                });
                row.col(|ui| {
                    ui.label(set.label_text(i));
                });
                row.col(|ui| {
                    let text = egui::RichText::new(set.prediction_text(i));
                    ui.label(if wrong {
                        text.color(ui.visuals().error_fg_color)
                    } else {
                        text
                    });
                });
                row.col(|ui| {
                    if let Some(c) = set
                        .confidence
                        .as_ref()
                        .map(|c| c[i])
                        .filter(|c| !c.is_nan())
                    {
                        ui.label(format!("{c:.2}"));
                    }
                });
                row.col(|ui| {
                    if book.is_reviewed(i) {
                        ui.label("yes");
                    }
                });
                row.col(|ui| {
                    let names: Vec<&str> = (0..book.names().len())
                        .filter(|&t| book.has(t, i))
                        .map(|t| book.names()[t].as_str())
                        .collect();
                    ui.label(names.join(", "));
                });
                if row.response().clicked() {
                    commands.push(Command::Select(r));
                }
            });
        });
}
