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

/// The table's columns: title, sort key, and how wide. Truth and prediction take the room
/// left; the others fit their content, and the user may resize them.
fn columns() -> [(&'static str, SortKey, Column); 7] {
    [
        ("#", SortKey::Row, Column::auto().at_least(40.0)),
        (
            "id",
            SortKey::Id,
            Column::auto()
                .at_least(60.0)
                .at_most(260.0)
                .resizable(true)
                .clip(true),
        ),
        (
            "truth",
            SortKey::Truth,
            Column::remainder().at_least(70.0).clip(true),
        ),
        (
            "prediction",
            SortKey::Prediction,
            Column::remainder().at_least(70.0).clip(true),
        ),
        ("conf.", SortKey::Confidence, Column::auto().at_least(50.0)),
        ("reviewed", SortKey::Reviewed, Column::auto().at_least(60.0)),
        (
            "tags",
            SortKey::Tags,
            Column::initial(130.0)
                .at_least(50.0)
                .resizable(true)
                .clip(true),
        ),
    ]
}

/// A cell's text cut to its column, the whole of it shown on hover.
fn cell(ui: &mut egui::Ui, text: impl Into<egui::WidgetText>) {
    ui.add(egui::Label::new(text).truncate());
}

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
    // Scroll only when the selection moves (or a sort or filter moves it), so the user can
    // scroll away from it.
    let mut scroll_to = None;
    let revealed = session
        .selected
        .and_then(|r| Some((r, session.position(r).ok()?)));
    if revealed != view.revealed {
        view.revealed = revealed;
        if let Some((_, position)) = revealed {
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
    let hidden = &session.hidden_columns;
    let shown_columns: Vec<(&str, SortKey, Column)> = columns()
        .into_iter()
        .filter(|(title, ..)| !hidden.iter().any(|h| h == title))
        .collect();
    let mut table = TableBuilder::new(ui)
        .id_salt(("review-table", view.page, hidden))
        .striped(true)
        .sense(egui::Sense::click());
    for (_, _, column) in &shown_columns {
        table = table.column(*column);
    }
    if let Some(position) = scroll_to {
        table = table.scroll_to_row(position, None);
    }
    table
        .header(ROW_HEIGHT, |mut header| {
            for &(title, key, _) in &shown_columns {
                header.col(|ui| {
                    let current = session.order.key == key;
                    let arrow = match (current, session.order.descending) {
                        (false, _) => "",
                        (true, false) => " ^",
                        (true, true) => " v",
                    };
                    let response = ui
                        .add(
                            egui::Button::new(
                                egui::RichText::new(format!("{title}{arrow}")).strong(),
                            )
                            .frame(false),
                        )
                        .on_hover_text("Sort by this column; right-click to show or hide columns");
                    response.context_menu(|ui| columns_menu(ui, hidden, commands));
                    if response.clicked() {
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
                for &(_, key, _) in &shown_columns {
                    row.col(|ui| match key {
                        SortKey::Row => {
                            ui.label((i + 1).to_string());
                        }
                        SortKey::Id => cell(ui, visible(set.ids.get(i))),
                        SortKey::Truth => cell(ui, visible(set.label_text(i))),
                        SortKey::Prediction => {
                            let text = egui::RichText::new(visible(set.prediction_text(i)));
                            // Red on the selection's colour does not read: a selected
                            // error is drawn in the selection's text colour, bold.
                            cell(
                                ui,
                                match (wrong, selected) {
                                    (true, true) => {
                                        text.color(ui.visuals().selection.stroke.color).strong()
                                    }
                                    (true, false) => text.color(ui.visuals().error_fg_color),
                                    (false, _) => text,
                                },
                            );
                        }
                        SortKey::Confidence => {
                            if let Some(c) = set
                                .confidence
                                .as_ref()
                                .map(|c| c[i])
                                .filter(|c| !c.is_nan())
                            {
                                ui.label(format!("{c:.2}"));
                            }
                        }
                        SortKey::Reviewed => {
                            if book.is_reviewed(i) {
                                ui.label("yes");
                            }
                        }
                        SortKey::Tags => {
                            let names: Vec<&str> = (0..book.names().len())
                                .filter(|&t| book.has(t, i))
                                .map(|t| book.names()[t].as_str())
                                .collect();
                            cell(ui, visible(&names.join(", ")));
                        }
                    });
                }
                if row.response().clicked() {
                    commands.push(Command::Select(r).into());
                }
            });
        });
}

/// Which columns the table shows: a check per column ("#" always stays).
fn columns_menu(ui: &mut egui::Ui, hidden: &[String], commands: &mut Vec<AppCommand>) {
    ui.label("Show columns");
    for (title, ..) in columns().into_iter().skip(1) {
        let mut shown = !hidden.iter().any(|h| h == title);
        if ui.checkbox(&mut shown, title).changed() {
            let mut now: Vec<String> = hidden.iter().filter(|h| *h != title).cloned().collect();
            if !shown {
                now.push(title.to_string());
            }
            commands.push(Command::SetHiddenColumns(now).into());
        }
    }
}
