//! Everything the user can ask of the app, as one type: the UI and the keyboard emit
//! [`AppCommand`]s while drawing, and [`super::ErrataApp::apply`] carries them out once per
//! frame, after drawing.

use std::path::PathBuf;

use super::View;
use super::audio::AudioAction;
use super::dialogs::Pick;
use super::session::Command;
use crate::data::MappingRequest;

#[derive(Clone, Debug, PartialEq)]
pub enum AppCommand {
    /// A command of the review loop (select, tag, filter, undo...).
    Review(Command),
    /// Play, pause, seek the selected row's clip.
    Audio(AudioAction),
    /// Play each clip when its row is selected.
    SetAutoplay(bool),
    /// Open a dataset or project (in the background).
    Open(PathBuf),
    /// Open the native file dialog.
    Pick(Pick),
    /// Write the report to this file (format by extension), in the background.
    Export(PathBuf),
    /// The column-mapping dialog's roles and project path as the user set them.
    EditMapping {
        request: Box<MappingRequest>,
        project: String,
    },
    /// Create the project the mapping dialog describes and open it.
    CreateProject,
    /// Stop loading, or leave the mapping dialog, back to the welcome screen.
    Cancel,
    /// Show the review table or the dashboard.
    Show(View),
    /// Show or hide the list of keyboard shortcuts.
    ToggleHelp,
    /// Open a bundled sample (by folder name) from a copy in the user's data folder.
    OpenSample(String),
    /// Open (or close) the export window: a typed path, or the native dialog.
    ShowExport(bool),
    /// Show or hide the sidebar or the inspector.
    TogglePanel(Panel),
    /// Put the cursor in the search field.
    FocusSearch,
    /// Hide the error message.
    DismissError,
    /// Play (or pause) an audio file that is not a row of the project: a current set's clip
    /// listed in the Drift section.
    PlayFile(PathBuf),
}

impl From<Command> for AppCommand {
    fn from(command: Command) -> Self {
        AppCommand::Review(command)
    }
}

impl From<AudioAction> for AppCommand {
    fn from(action: AudioAction) -> Self {
        AppCommand::Audio(action)
    }
}

/// The review view's side panels, which collapse to give the table the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    Sidebar,
    Inspector,
}
