//! The keyboard: the shortcuts of `app::shortcuts`, active whenever no text field has focus.

use crate::app::AppCommand;
use crate::app::shortcuts::SHORTCUTS;

/// Pushes the command of every shortcut pressed this frame.
pub fn keys_ui(ctx: &egui::Context, commands: &mut Vec<AppCommand>) {
    if ctx.memory(|m| m.focused().is_some()) {
        // Typing in a text field: only leave it with Escape.
        if ctx.input(|i| i.key_pressed(egui::Key::Escape)) {
            ctx.memory_mut(|m| m.stop_text_input());
        }
        return;
    }
    ctx.input_mut(|input| {
        for shortcut in SHORTCUTS {
            let typed = shortcut.text.is_some_and(|text| {
                input
                    .events
                    .iter()
                    .any(|e| matches!(e, egui::Event::Text(t) if t == text))
            });
            if typed {
                commands.push((shortcut.command)(0));
                continue;
            }
            for (i, (modifiers, key)) in shortcut.keys.iter().enumerate() {
                if input.consume_key(*modifiers, *key) {
                    commands.push((shortcut.command)(i));
                }
            }
        }
    });
}
