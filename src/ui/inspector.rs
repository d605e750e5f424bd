//! The inspector: the selected row's media, truth against prediction (a word-level diff for
//! transcripts), confidence, metadata, tag toggles, reviewed mark and note.

use std::time::Duration;

use super::state::{ImageView, UiState};
use super::thousands;
use crate::app::audio::{AudioAction, Clip, Player};
use crate::app::session::{Command, Session};
use crate::app::{AppCommand, ErrataApp};
use crate::data::media::{MediaKind, media_kind};
use crate::model::Task;
use crate::model::text::{WordDiff, visible, word_diff};

/// The image area never gets lower than this, however wide and flat the photo.
const MIN_IMAGE_HEIGHT: f32 = 160.0;
const WAVEFORM_HEIGHT: f32 = 90.0;
const ZOOM_RANGE: std::ops::RangeInclusive<f32> = 0.05..=32.0;

pub fn inspector_ui(
    ui: &mut egui::Ui,
    app: &ErrataApp,
    session: &Session,
    state: &mut UiState,
    commands: &mut Vec<AppCommand>,
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
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.heading(visible(set.ids.get(i)));
        if let Some(path) = &media {
            // The file's name always, whether it shows, plays or fails.
            ui.weak(format!("File: {}", visible(path)))
                .on_hover_text(visible(path).into_owned());
            match media_kind(path) {
                MediaKind::Image => match app.images().get(row) {
                    Some(Ok(texture)) => image_ui(ui, texture, row, &mut state.image),
                    Some(Err(message)) => error_tile(ui, "Cannot show the image", message),
                    None => {
                        ui.spinner();
                    }
                },
                MediaKind::Audio => match app.audio().get(row) {
                    Some(Ok(clip)) => {
                        audio_ui(ui, clip, row, app.player(), commands);
                        let mut autoplay = app.autoplay();
                        if ui
                            .checkbox(&mut autoplay, "Play each clip when its row is selected")
                            .changed()
                        {
                            commands.push(AppCommand::SetAutoplay(autoplay));
                        }
                    }
                    Some(Err(message)) => error_tile(ui, "Cannot play the clip", message),
                    None => {
                        ui.spinner();
                    }
                },
                _ => {
                    ui.weak("Neither an image nor a sound errata can show.");
                }
            }
        }
        ui.separator();
        egui::Grid::new("truth").num_columns(2).show(ui, |ui| {
            ui.strong("Truth");
            ui.label(visible(set.label_text(i)));
            ui.end_row();
            ui.strong("Prediction");
            let text = egui::RichText::new(visible(set.prediction_text(i)));
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
            if let Some(annotators) = &set.annotators {
                for (a, name) in annotators.names.iter().enumerate() {
                    ui.strong(visible(name));
                    match annotators.label(i, a) {
                        crate::model::MISSING => ui.weak("—"),
                        code => {
                            let text = egui::RichText::new(visible(&set.vocab[code as usize]));
                            if code == set.labels[i] {
                                ui.label(text)
                            } else {
                                ui.label(text.color(ui.visuals().warn_fg_color))
                            }
                        }
                    };
                    ui.end_row();
                }
            }
            for slice in &set.slices {
                ui.strong(&slice.name);
                let value = visible(&slice.values[slice.codes.get(i) as usize]);
                // A binned number: the row's own value, with its bin beside it.
                match slice.numbers.as_ref().map(|n| n[i]).filter(|x| !x.is_nan()) {
                    Some(number) => ui.label(format!("{number} (bin {value})")),
                    None => ui.label(value),
                };
                ui.end_row();
            }
        });
        if set.task == Task::Transcription && !set.correct[i] {
            ui.add_space(4.0);
            ui.strong("Word differences");
            diff_ui(ui, set.label_text(i), set.prediction_text(i));
        }
        if set.task == Task::Classification {
            label_review_ui(ui, session, i, commands);
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
                commands.push(Command::ToggleTag(id).into());
            }
        }
        ui.label(if book.is_reviewed(i) {
            "Reviewed"
        } else {
            "Not reviewed yet (Enter marks it)"
        });
        ui.add_space(4.0);
        ui.strong("Note");
        let note_draft = &mut state.drafts.note;
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
                commands.push(Command::SetNote(draft.clone()).into());
            }
        }
    });
}

/// The row's label review: correct the ground truth to another class or confirm it (kept in
/// the project with who and when; the dataset file is never changed).
fn label_review_ui(
    ui: &mut egui::Ui,
    session: &Session,
    row: usize,
    commands: &mut Vec<AppCommand>,
) {
    use crate::data::project::LabelVerdict;
    let project = &session.project;
    let given = project.given_set();
    let id = given.ids.get(row);
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.strong("Label");
        match project.label_review(id) {
            Some(review) => {
                let what = match &review.label {
                    Some(label) => format!(
                        "corrected from {} to {}",
                        given.label_text(row),
                        visible(label)
                    ),
                    None => "confirmed".to_string(),
                };
                ui.label(what)
                    .on_hover_text(format!("by {} on {}", review.author, review.at));
                if ui.small_button("Undo review").clicked() {
                    commands.push(Command::ReviewLabel(LabelVerdict::Cleared).into());
                }
            }
            None => {
                ui.weak("as given");
            }
        }
    });
    ui.horizontal(|ui| {
        if ui
            .button("Confirm label")
            .on_hover_text("The given label is right")
            .clicked()
        {
            commands.push(Command::ReviewLabel(LabelVerdict::Confirmed).into());
        }
        egui::ComboBox::from_label("correct to")
            .selected_text("a class…")
            .show_ui(ui, |ui| {
                for class in given.class_names() {
                    if class != given.label_text(row)
                        && ui.selectable_label(false, visible(class)).clicked()
                    {
                        commands.push(
                            Command::ReviewLabel(LabelVerdict::Corrected(class.clone())).into(),
                        );
                    }
                }
            });
    });
}

/// A message in place of media that cannot be shown, naming the file.
fn error_tile(ui: &mut egui::Ui, what: &str, message: &str) {
    egui::Frame::group(ui.style())
        .fill(ui.visuals().extreme_bg_color)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.colored_label(ui.visuals().error_fg_color, format!("{what}: {message}"));
        });
}

/// The image fitted to the panel, or zoomed (wheel, about the pointer) and panned (drag);
/// buttons for fit and 1:1.
fn image_ui(ui: &mut egui::Ui, texture: &egui::TextureHandle, row: u32, view: &mut ImageView) {
    let fitted = |keep| ImageView {
        row: Some(row),
        keep,
        ..ImageView::default()
    };
    if view.row != Some(row) {
        if view.keep {
            view.row = Some(row);
        } else {
            *view = fitted(false);
        }
    }
    let size = texture.size_vec2();
    // As tall as the image is at the panel's width, within the visible part of the panel
    // (leaving room for the figures below it).
    let width = ui.available_width();
    let visible_height = ui.clip_rect().height();
    let height = (width * size.y / size.x.max(1.0))
        .min(visible_height * 0.6)
        .max(MIN_IMAGE_HEIGHT);
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::click_and_drag());
    let fit = (rect.width() / size.x).min(rect.height() / size.y);
    let mut zoom = view.zoom.unwrap_or(fit);
    if response.hovered() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            let new_zoom =
                (zoom * (scroll / 200.0).exp()).clamp(*ZOOM_RANGE.start(), *ZOOM_RANGE.end());
            // Keep the image point under the pointer where it is.
            if let Some(pointer) = response.hover_pos() {
                let from_centre = pointer - rect.center() - view.offset;
                view.offset -= from_centre * (new_zoom / zoom - 1.0);
            }
            zoom = new_zoom;
            view.zoom = Some(zoom);
        }
    }
    if response.dragged() {
        view.offset += response.drag_delta();
        view.zoom = Some(zoom);
    }
    if response.double_clicked() {
        *view = fitted(view.keep);
        zoom = fit;
    }
    let shown = egui::Rect::from_center_size(rect.center() + view.offset, size * zoom);
    ui.painter().with_clip_rect(rect).image(
        texture.id(),
        shown,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
        egui::Color32::WHITE,
    );
    ui.horizontal(|ui| {
        if ui.button("Fit").clicked() {
            *view = fitted(view.keep);
        }
        if ui.button("1:1").clicked() {
            view.zoom = Some(1.0);
            view.offset = egui::Vec2::ZERO;
        }
        ui.checkbox(&mut view.keep, "Keep zoom and position across rows");
    });
    ui.weak(format!(
        "{} x {} px, {:.0} %; wheel zooms, drag pans, double-click fits",
        size.x,
        size.y,
        zoom * 100.0
    ));
}

fn clock(d: Duration) -> String {
    let s = d.as_secs_f64();
    format!("{}:{:05.2}", (s / 60.0) as u64, s % 60.0)
}

/// The waveform (click or drag to seek), play/pause, replay, loop, position and duration.
fn audio_ui(
    ui: &mut egui::Ui,
    clip: &Clip,
    row: u32,
    player: &Player,
    commands: &mut Vec<AppCommand>,
) {
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), WAVEFORM_HEIGHT),
        egui::Sense::click_and_drag(),
    );
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let colour = ui.visuals().selection.bg_fill;
    let columns = clip.peaks.len().max(1) as f32;
    let half = rect.height() / 2.0;
    for (c, &(lo, hi)) in clip.peaks.iter().enumerate() {
        let x = rect.left() + (c as f32 + 0.5) * rect.width() / columns;
        let (top, bottom) = (
            rect.center().y - hi.clamp(-1.0, 1.0) * half,
            rect.center().y - lo.clamp(-1.0, 1.0) * half,
        );
        painter.line_segment(
            [egui::pos2(x, top), egui::pos2(x, bottom.max(top + 1.0))],
            egui::Stroke::new(1.0, colour),
        );
    }
    let position = player.position(row);
    let fraction = if clip.duration.is_zero() {
        0.0
    } else {
        (position.as_secs_f32() / clip.duration.as_secs_f32()).clamp(0.0, 1.0)
    };
    let x = rect.left() + fraction * rect.width();
    painter.line_segment(
        [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
        egui::Stroke::new(2.0, ui.visuals().strong_text_color()),
    );
    if (response.clicked() || response.dragged())
        && let Some(pointer) = response.interact_pointer_pos()
    {
        commands.push(AudioAction::Seek((pointer.x - rect.left()) / rect.width()).into());
    }
    // Without an output device, playing does nothing: the buttons say so by being off.
    let can_play = player.unavailable().is_none();
    ui.horizontal(|ui| {
        let playing = player.is_playing(row);
        let play = egui::Button::new(if playing { "Pause" } else { "Play" });
        if ui
            .add_enabled(can_play, play)
            .on_hover_text("Space")
            .on_disabled_hover_text("No audio output on this machine")
            .clicked()
        {
            commands.push(AudioAction::PlayPause.into());
        }
        if ui
            .add_enabled(can_play, egui::Button::new("Replay"))
            .on_hover_text("R")
            .on_disabled_hover_text("No audio output on this machine")
            .clicked()
        {
            commands.push(AudioAction::Replay.into());
        }
        let mut looping = player.looping;
        if ui.toggle_value(&mut looping, "Loop").clicked() {
            commands.push(AudioAction::ToggleLoop.into());
        }
        ui.label(format!("{} / {}", clock(position), clock(clip.duration)));
    });
    if let Some(why) = player.unavailable() {
        ui.colored_label(ui.visuals().warn_fg_color, "No audio output")
            .on_hover_text(why);
    }
}

/// Reference against hypothesis word by word: deletions struck through, insertions and
/// substitutions coloured.
fn diff_ui(ui: &mut egui::Ui, reference: &str, hypothesis: &str) {
    let (bad, added) = (ui.visuals().error_fg_color, ui.visuals().warn_fg_color);
    let Some(steps) = word_diff(reference, hypothesis) else {
        ui.weak(format!(
            "These transcripts are too long to align word by word here ({} and {} words); \
             their word and character error counts include every edit.",
            thousands(reference.split_whitespace().count()),
            thousands(hypothesis.split_whitespace().count())
        ));
        return;
    };
    ui.horizontal_wrapped(|ui| {
        for step in steps {
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
