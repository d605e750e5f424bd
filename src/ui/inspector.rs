//! The inspector: the selected row's media, truth against prediction (a word-level diff for
//! transcripts), confidence, metadata, tag toggles, reviewed mark and note.

use crate::app::images::ImageLoader;
use crate::app::session::{Command, Session};
use crate::data::media::{MediaKind, media_kind};
use crate::model::Task;
use crate::model::text::{WordDiff, word_diff};

/// Rows around the selection whose images are decoded ahead.
const PREFETCH: i64 = 3;

pub fn inspector_ui(
    ui: &mut egui::Ui,
    session: &Session,
    images: &mut ImageLoader,
    note_draft: &mut Option<(u32, String)>,
    commands: &mut Vec<Command>,
) {
    let Some(row) = session.selected else {
        ui.weak("No row selected.");
        return;
    };
    let set = &session.project.dataset.set;
    let i = row as usize;
    let media = session
        .project
        .dataset
        .media
        .as_ref()
        .and_then(|m| m[i].clone());
    let root = &session.project.dataset.table.root;
    // Decode the neighbours in the filter ahead of time, so stepping shows them at once.
    if let Some(position) = session.rows.iter().position(|&r| r == row) {
        for offset in std::iter::once(0).chain((1..=PREFETCH).flat_map(|d| [d, -d])) {
            let Some(&r) = usize::try_from(position as i64 + offset)
                .ok()
                .and_then(|p| session.rows.get(p))
            else {
                continue;
            };
            let path = session
                .project
                .dataset
                .media
                .as_ref()
                .and_then(|m| m[r as usize].clone());
            if let Some(path) = path.filter(|p| media_kind(p) == MediaKind::Image) {
                images.request(r, root.join(path));
            }
        }
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading(set.ids.get(i));
        if let Some(path) = &media {
            match media_kind(path) {
                MediaKind::Image => match images.get(row) {
                    Some(Ok(texture)) => {
                        let max = egui::vec2(ui.available_width(), 420.0);
                        ui.add(
                            egui::Image::new(texture)
                                .max_size(max)
                                .maintain_aspect_ratio(true),
                        );
                    }
                    Some(Err(message)) => {
                        ui.colored_label(
                            ui.visuals().error_fg_color,
                            format!("Cannot show the image: {message}"),
                        );
                    }
                    None => {
                        ui.spinner();
                    }
                },
                _ => {
                    ui.label(format!("Media: {path}"));
                }
            }
        }
        ui.separator();
        egui::Grid::new("truth").num_columns(2).show(ui, |ui| {
            ui.strong("Truth");
            ui.label(set.label_text(i));
            ui.end_row();
            ui.strong("Prediction");
            let text = egui::RichText::new(set.prediction_text(i));
            ui.label(if set.correct[i] {
                text
            } else {
                text.color(ui.visuals().error_fg_color)
            });
            ui.end_row();
            if let Some(c) = set
                .confidence
                .as_ref()
                .map(|c| c[i])
                .filter(|c| !c.is_nan())
            {
                ui.strong("Confidence");
                ui.label(format!("{c:.3}"));
                ui.end_row();
            }
            ui.strong("Result");
            ui.label(if set.correct[i] { "correct" } else { "error" });
            ui.end_row();
            for slice in &set.slices {
                ui.strong(&slice.name);
                ui.label(&slice.values[slice.codes[i] as usize]);
                ui.end_row();
            }
        });
        if set.task == Task::Transcription && !set.correct[i] {
            ui.add_space(4.0);
            ui.strong("Word differences");
            diff_ui(ui, set.label_text(i), set.prediction_text(i));
        }
        ui.separator();
        ui.strong("Tags");
        let book = &session.project.book;
        for (id, name) in book.names().iter().enumerate() {
            let mut on = book.has(id, i);
            let key = session
                .tag_def(id)
                .and_then(|t| t.hotkey)
                .map_or(String::new(), |k| format!(" [{k}]"));
            if ui.checkbox(&mut on, format!("{name}{key}")).changed() {
                commands.push(Command::ToggleTag(id));
            }
        }
        ui.label(if book.is_reviewed(i) {
            "Reviewed"
        } else {
            "Not reviewed yet (Enter marks it)"
        });
        ui.add_space(4.0);
        ui.strong("Note");
        if note_draft.as_ref().is_none_or(|(r, _)| *r != row) {
            *note_draft = Some((row, session.note(row).unwrap_or_default().to_string()));
        }
        if let Some((_, draft)) = note_draft.as_mut() {
            let field = ui.add(
                egui::TextEdit::multiline(draft)
                    .desired_rows(2)
                    .hint_text("A note on this row"),
            );
            if field.lost_focus() {
                commands.push(Command::SetNote(draft.clone()));
            }
        }
    });
}

/// Reference against hypothesis word by word: deletions struck through, insertions and
/// substitutions coloured.
fn diff_ui(ui: &mut egui::Ui, reference: &str, hypothesis: &str) {
    let (bad, added) = (ui.visuals().error_fg_color, ui.visuals().warn_fg_color);
    ui.horizontal_wrapped(|ui| {
        for step in word_diff(reference, hypothesis) {
            match step {
                WordDiff::Same(w) => {
                    ui.label(w);
                }
                WordDiff::Substituted {
                    reference,
                    hypothesis,
                } => {
                    ui.label(egui::RichText::new(reference).strikethrough().color(bad));
                    ui.label(egui::RichText::new(hypothesis).color(added));
                }
                WordDiff::Deleted(w) => {
                    ui.label(egui::RichText::new(w).strikethrough().color(bad));
                }
                WordDiff::Inserted(w) => {
                    ui.label(egui::RichText::new(format!("+{w}")).color(added));
                }
            }
        }
    });
}
