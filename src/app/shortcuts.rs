//! The keyboard shortcuts, in one table: the key handling and the `?` overlay are both built
//! from it, so they cannot drift apart.

use egui::{Key, Modifiers};

use super::audio::AudioAction;
use super::session::Command;
use super::{AppCommand, Panel};

/// One shortcut: the keys that trigger it, how the overlay names them, what it does.
pub struct Shortcut {
    /// Key and modifiers; the command receives the index of the key that matched.
    pub keys: &'static [(Modifiers, Key)],
    /// Also triggered by typing this text (a "?" is Shift+/ or another key by layout).
    pub text: Option<&'static str>,
    pub label: &'static str,
    pub help: &'static str,
    pub command: fn(usize) -> AppCommand,
}

const NONE: Modifiers = Modifiers::NONE;

/// Rows Page Down and Page Up move by.
const PAGE: isize = 20;

/// In matching order: Ctrl+Shift+Z comes before Ctrl+Z, which would also match it.
pub const SHORTCUTS: &[Shortcut] = &[
    Shortcut {
        keys: &[
            (NONE, Key::Num1),
            (NONE, Key::Num2),
            (NONE, Key::Num3),
            (NONE, Key::Num4),
            (NONE, Key::Num5),
            (NONE, Key::Num6),
            (NONE, Key::Num7),
            (NONE, Key::Num8),
            (NONE, Key::Num9),
        ],
        text: None,
        label: "1 - 9",
        help: "toggle the tag with that hotkey on the selected row",
        command: |i| Command::ToggleHotkey(i as u8 + 1).into(),
    },
    Shortcut {
        keys: &[
            (NONE, Key::ArrowRight),
            (NONE, Key::ArrowDown),
            (NONE, Key::J),
        ],
        text: None,
        label: "Right or Down arrow, or J",
        help: "next row in the current filter",
        command: |_| Command::Next.into(),
    },
    Shortcut {
        keys: &[(NONE, Key::ArrowLeft), (NONE, Key::ArrowUp), (NONE, Key::K)],
        text: None,
        label: "Left or Up arrow, or K",
        help: "previous row in the current filter",
        command: |_| Command::Previous.into(),
    },
    Shortcut {
        keys: &[(NONE, Key::PageDown), (NONE, Key::PageUp)],
        text: None,
        label: "Page Down, Page Up",
        help: "20 rows down or up",
        command: |i| Command::MoveBy(if i == 0 { PAGE } else { -PAGE }).into(),
    },
    Shortcut {
        keys: &[(NONE, Key::Home), (NONE, Key::End)],
        text: None,
        label: "Home, End",
        help: "first or last row in the current filter",
        command: |i| {
            if i == 0 {
                Command::First
            } else {
                Command::Last
            }
            .into()
        },
    },
    Shortcut {
        keys: &[(NONE, Key::Space)],
        text: None,
        label: "Space",
        help: "play or pause the clip",
        command: |_| AudioAction::PlayPause.into(),
    },
    Shortcut {
        keys: &[(NONE, Key::R)],
        text: None,
        label: "R",
        help: "replay the clip from the start",
        command: |_| AudioAction::Replay.into(),
    },
    Shortcut {
        keys: &[(NONE, Key::Enter)],
        text: None,
        label: "Enter",
        help: "mark reviewed and go to the next row",
        command: |_| Command::MarkReviewedAndNext.into(),
    },
    Shortcut {
        keys: &[(NONE, Key::N)],
        text: None,
        label: "N",
        help: "next unreviewed error",
        command: |_| Command::NextUnreviewedError.into(),
    },
    Shortcut {
        keys: &[(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z)],
        text: None,
        label: "Ctrl+Shift+Z",
        help: "redo",
        command: |_| Command::Redo.into(),
    },
    Shortcut {
        keys: &[(Modifiers::COMMAND, Key::Z)],
        text: None,
        label: "Ctrl+Z",
        help: "undo",
        command: |_| Command::Undo.into(),
    },
    Shortcut {
        keys: &[(Modifiers::COMMAND, Key::F)],
        text: None,
        label: "Ctrl+F",
        help: "search",
        command: |_| AppCommand::FocusSearch,
    },
    Shortcut {
        keys: &[(NONE, Key::OpenBracket)],
        text: Some("["),
        label: "[",
        help: "show or hide the sidebar",
        command: |_| AppCommand::TogglePanel(Panel::Sidebar),
    },
    Shortcut {
        keys: &[(NONE, Key::CloseBracket)],
        text: Some("]"),
        label: "]",
        help: "show or hide the inspector",
        command: |_| AppCommand::TogglePanel(Panel::Inspector),
    },
    Shortcut {
        keys: &[(Modifiers::SHIFT, Key::Slash), (NONE, Key::Questionmark)],
        text: Some("?"),
        label: "?",
        help: "show or hide this list",
        command: |_| AppCommand::ToggleHelp,
    },
];
