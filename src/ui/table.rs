//! The review table: virtualised (only visible rows are laid out), so it stays smooth at a
//! million rows. Clicking a row selects it; clicking a column title sorts by it (again:
//! the other way); when the selection moves, the table scrolls to it; a field jumps to a
//! row by number or id. Long tables are shown in pages (`ui::state::PAGE_ROWS`) so that row
//! positions stay exact; the page follows the selection.

use egui_extras::{Column, TableBuilder};

use super::state::TableView;
use super::thousands;
use crate::app::AppCommand;
use crate::app::session::{Command, Session};
use crate::model::order::{Order, SortKey};
use crate::model::text::visible;

const ROW_HEIGHT: f32 = 22.0;

const COLUMNS: [(&str, SortKey); 7] = [
    ("#", SortKey::Row),
    ("id", SortKey::Id),
    ("truth", SortKey::Truth),
    ("prediction", SortKey::Prediction),
    ("conf.", SortKey::Confidence),
    ("reviewed", SortKey::Reviewed),
    ("tags", SortKey::Tags),
];

pub fn table_ui(
    ui: &mut egui::Ui,
    session: &Session,
    goto_input: &mut String,
    view: &mut TableView,
    commands: &mut Vec<AppCommand>,
) {
    let page_rows = view.page_rows.max(1);
    let pages = session.rows.len().div_ceil(page_rows).max(1);
    view.page = view.page.min(pages - 1);
    // Scroll only when the selection moves, so the user can scroll away from it.
    let mut scroll_to = None;
    if session.selected != view.revealed {
        view.revealed = session.selected;
        if let Some(position) = session.selected.and_then(|r| session.position(r).ok()) {
            view.page = position / page_rows;
            scroll_to = Some(position % page_rows);
        }
    }
    // Wrapped, so the page buttons move to a second line when the table is narrow.
    ui.horizontal_wrapped(|ui| {
        let label = ui.label("Go to row:");
        let field = ui
            .add(
                egui::TextEdit::singleline(goto_input)
                    .hint_text("number or id")
                    .desired_width(140.0),
            )
            .labelled_by(label.id);
        if field.lost_focus()
            && ui.input(|i| i.key_pressed(egui::Key::Enter))
            && !goto_input.trim().is_empty()
        {
            commands.push(Command::GoTo(std::mem::take(goto_input)).into());
        }
        if pages == 1 {
            // Long tables need the room for the pager; the titles say it on hover too.
            ui.weak("Click a column title to sort by it.");
        } else {
            ui.separator();
            if ui
                .add_enabled(view.page > 0, egui::Button::new("< Previous page"))
                .clicked()
            {
                view.page -= 1;
            }
            let first = view.page * page_rows;
            let last = (first + page_rows).min(session.rows.len());
            ui.label(format!(
                "rows {}-{} of {}",
                thousands(first + 1),
                thousands(last),
                thousands(session.rows.len())
            ));
            if ui
                .add_enabled(view.page + 1 < pages, egui::Button::new("Next page >"))
                .clicked()
            {
                view.page += 1;
            }
        }
    });
    let start = view.page * page_rows;
    let shown = &session.rows[start..(start + page_rows).min(session.rows.len())];
    let set = &session.project.dataset.set;
    let book = &session.project.book;
    let mut table = TableBuilder::new(ui)
        .id_salt(("review-table", view.page))
        .striped(true)
        .sense(egui::Sense::click())
        .column(Column::auto().at_least(40.0))
        .column(Column::initial(110.0).resizable(true))
        .column(Column::initial(170.0).resizable(true).clip(true))
        .column(Column::initial(170.0).resizable(true).clip(true))
        .column(Column::auto().at_least(50.0))
        .column(Column::auto().at_least(60.0))
        .column(Column::remainder().clip(true));
    if let Some(position) = scroll_to {
        table = table.scroll_to_row(position, None);
    }
    table
        .header(ROW_HEIGHT, |mut header| {
            for (title, key) in COLUMNS {
                header.col(|ui| {
                    let current = session.order.key == key;
                    let arrow = match (current, session.order.descending) {
                        (false, _) => "",
                        (true, false) => " ^",
                        (true, true) => " v",
                    };
                    let clicked = ui
                        .add(
                            egui::Button::new(
                                egui::RichText::new(format!("{title}{arrow}")).strong(),
                            )
                            .frame(false),
                        )
                        .on_hover_text("Sort by this column")
                        .clicked();
                    if clicked {
                        commands.push(
                            Command::Sort(Order {
                                key,
                                descending: current && !session.order.descending,
                            })
                            .into(),
                        );
                    }
                });
            }
        })
        .body(|body| {
            body.rows(ROW_HEIGHT, shown.len(), |mut row| {
                let r = shown[row.index()];
                let i = r as usize;
                let selected = session.selected == Some(r);
                row.set_selected(selected);
                let wrong = !set.correct[i];
                row.col(|ui| {
                    ui.label((i + 1).to_string());
                });
                row.col(|ui| {
                    ui.label(visible(set.ids.get(i)));
                });
                row.col(|ui| {
                    ui.label(visible(set.label_text(i)));
                });
                row.col(|ui| {
                    let text = egui::RichText::new(visible(set.prediction_text(i)));
                    // Red on the selection's colour does not read: a selected error is
                    // drawn in the selection's text colour, bold.
                    ui.label(match (wrong, selected) {
                        (true, true) => text.color(ui.visuals().selection.stroke.color).strong(),
                        (true, false) => text.color(ui.visuals().error_fg_color),
                        (false, _) => text,
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
                    commands.push(Command::Select(r).into());
                }
            });
        });
}
