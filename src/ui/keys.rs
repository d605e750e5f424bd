//! The keyboard: every shortcut of the review loop, active whenever no text field has focus.

use egui::{Key, Modifiers};

use crate::app::ErrataApp;
use crate::app::audio::AudioAction;
use crate::app::session::Command;

pub const SHORTCUTS: &[(&str, &str)] = &[
    (
        "1 - 9",
        "toggle the tag with that hotkey on the selected row",
    ),
    ("Right arrow or J", "next row in the current filter"),
    ("Left arrow or K", "previous row in the current filter"),
    ("Space", "play or pause the clip"),
    ("R", "replay the clip from the start"),
    ("Enter", "mark reviewed and go to the next row"),
    ("N", "next unreviewed error"),
    ("Ctrl+Z", "undo"),
    ("Ctrl+Shift+Z", "redo"),
    ("Ctrl+F", "search"),
    ("?", "show or hide this list"),
];

const DIGITS: [Key; 9] = [
    Key::Num1,
    Key::Num2,
    Key::Num3,
    Key::Num4,
    Key::Num5,
    Key::Num6,
    Key::Num7,
    Key::Num8,
    Key::Num9,
];

pub fn commands_from_keys(ctx: &egui::Context, app: &mut ErrataApp) -> Vec<Command> {
    let mut commands = Vec::new();
    if ctx.memory(|m| m.focused().is_some()) {
        // Typing in a text field: only leave it with Escape.
        if ctx.input(|i| i.key_pressed(Key::Escape)) {
            ctx.memory_mut(|m| m.stop_text_input());
        }
        return commands;
    }
    ctx.input_mut(|input| {
        if input.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z) {
            commands.push(Command::Redo);
        }
        if input.consume_key(Modifiers::COMMAND, Key::Z) {
            commands.push(Command::Undo);
        }
        if input.consume_key(Modifiers::COMMAND, Key::F) {
            app.focus_search = true;
        }
        for (i, key) in DIGITS.iter().enumerate() {
            if input.consume_key(Modifiers::NONE, *key) {
                commands.push(Command::ToggleHotkey(i as u8 + 1));
            }
        }
        for key in [Key::ArrowRight, Key::J] {
            if input.consume_key(Modifiers::NONE, key) {
                commands.push(Command::Next);
            }
        }
        for key in [Key::ArrowLeft, Key::K] {
            if input.consume_key(Modifiers::NONE, key) {
                commands.push(Command::Previous);
            }
        }
        if input.consume_key(Modifiers::NONE, Key::Space) {
            app.audio_actions.push(AudioAction::PlayPause);
        }
        if input.consume_key(Modifiers::NONE, Key::R) {
            app.audio_actions.push(AudioAction::Replay);
        }
        if input.consume_key(Modifiers::NONE, Key::Enter) {
            commands.push(Command::MarkReviewedAndNext);
        }
        if input.consume_key(Modifiers::NONE, Key::N) {
            commands.push(Command::NextUnreviewedError);
        }
        let question = input
            .events
            .iter()
            .any(|e| matches!(e, egui::Event::Text(t) if t == "?"));
        if question
            || input.consume_key(Modifiers::SHIFT, Key::Slash)
            || input.consume_key(Modifiers::NONE, Key::Questionmark)
        {
            app.show_help = !app.show_help;
        }
    });
    commands
}
