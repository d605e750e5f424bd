//! Application state, commands and background work, independent of how they are drawn:
//! the UI (`crate::ui`) reads [`session::Session`] and emits [`session::Command`]s (and
//! [`audio::AudioAction`]s), which [`ErrataApp`] applies once per frame. Opening, media
//! decoding and file dialogs run on named threads.

pub mod audio;
pub mod dialogs;
pub mod images;
pub mod media;
pub mod opening;
pub mod session;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Duration;

use crate::data::contain::contain;
use crate::report::Format;

use audio::{AudioAction, AudioLoader, Player};
use dialogs::{FileDialog, Pick};
use images::ImageLoader;
use opening::{Job, MappingDialog, Opened};
use session::{Command, Session};

pub enum Screen {
    Welcome,
    Loading(Job),
    Mapping(Box<MappingDialog>),
    Review(Box<Session>),
}

/// How the app is started.
#[derive(Clone, Debug)]
pub struct Options {
    /// Open the default audio output device (tests turn it off to act as a machine without one).
    pub audio_output: bool,
    /// Start on this section of the dashboard instead of the review view.
    pub dashboard: Option<Section>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            audio_output: true,
            dashboard: None,
        }
    }
}

/// How the inspector shows the image: fitted to the panel, or at a zoom factor, panned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImageView {
    /// The row the view belongs to (a new row starts fitted).
    pub row: Option<u32>,
    /// `None` fits the image to the panel; otherwise screen pixels per image pixel.
    pub zoom: Option<f32>,
    pub offset: egui::Vec2,
}

/// Which view of an open project is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Review,
    Dashboard,
}

/// The dashboard's sections.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    #[default]
    Priorities,
    Slices,
    Classes,
    Confidence,
    Comparison,
    Audit,
}

/// How the dashboard is shown (not part of the project).
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardView {
    pub section: Section,
    /// The tag or slice value whose HLP and rating are being edited.
    pub editing: Option<crate::model::hlp::Subject>,
    /// The HLP being typed, in percent, and why it was refused.
    pub hlp_draft: String,
    pub hlp_error: Option<String>,
    /// Priorities sorted by this column (index into the table's columns), largest first
    /// unless `ascending`.
    pub sort_column: usize,
    pub ascending: bool,
    /// Slice values more than this many points below overall accuracy are flagged.
    pub flag_points: f64,
    /// The class whose recall is shown per slice value.
    pub recall_class: Option<usize>,
    /// Confusion matrix as row-normalised shares rather than counts.
    pub normalised: bool,
    /// The accuracy the automation curve is read at.
    pub target_accuracy: f64,
    /// The class whose precision-recall curve is shown.
    pub pr_class: usize,
    /// The audit spec being edited (TOML), once the editor is opened.
    pub audit_draft: Option<String>,
}

impl Default for DashboardView {
    fn default() -> Self {
        DashboardView {
            section: Section::default(),
            editing: None,
            hlp_draft: String::new(),
            hlp_error: None,
            sort_column: 0,
            ascending: false,
            flag_points: 5.0,
            recall_class: None,
            normalised: false,
            target_accuracy: 0.95,
            pr_class: 0,
            audit_draft: None,
        }
    }
}

/// Rows per page of the review table. egui lays rows out at f32 offsets, exact only to
/// about 2^24 px; 500,000 rows of 22 px stay well inside, so every row keeps its exact place
/// however long the table.
pub const PAGE_ROWS: usize = 500_000;

/// How the review table is shown (not part of the project).
#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    /// The selected row the table last scrolled to (it scrolls again when the selection moves).
    pub revealed: Option<u32>,
    /// The page shown, of `page_rows` rows each.
    pub page: usize,
    pub page_rows: usize,
}

impl Default for TableView {
    fn default() -> Self {
        TableView {
            revealed: None,
            page: 0,
            page_rows: PAGE_ROWS,
        }
    }
}

pub struct ErrataApp {
    pub screen: Screen,
    pub view: View,
    pub dashboard: DashboardView,
    pub images: ImageLoader,
    pub audio: AudioLoader,
    pub player: Player,
    /// What the UI asked of the player this frame.
    pub audio_actions: Vec<AudioAction>,
    /// Play each clip when its row is selected.
    pub autoplay: bool,
    /// The row last selected, to notice a new selection.
    last_selected: Option<u32>,
    /// A row to play as soon as its clip is decoded.
    play_when_ready: Option<u32>,
    pub image_view: ImageView,
    /// The last error, shown until dismissed.
    pub error: Option<String>,
    pub show_help: bool,
    pub focus_search: bool,
    pub path_input: String,
    /// The "go to row" field of the table.
    pub goto_input: String,
    pub table: TableView,
    /// The note being edited, and the row it belongs to.
    pub note_draft: Option<(u32, String)>,
    /// The window title last set.
    pub window_title: String,
    /// Projects opened before, most recent first (kept between runs).
    pub recent: Vec<PathBuf>,
    /// The bundled samples, when they can be found.
    pub samples: Option<PathBuf>,
    /// A native file dialog that is open.
    pub file_dialog: Option<FileDialog>,
    /// A report being written, and where.
    export: Option<(PathBuf, Receiver<Result<(), String>>)>,
}

/// Key of the recent-projects list in eframe's storage.
const RECENT_KEY: &str = "recent_projects";
const RECENT_MAX: usize = 8;

/// The bundled `sample_data` folder: beside the executable or a few folders above it (an
/// installed copy, or `target/release` in a source checkout), in the current folder, or in
/// the source tree the program was built from.
pub fn find_samples() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok();
    let beside_exe = exe
        .iter()
        .flat_map(|e| e.ancestors().skip(1).take(4))
        .map(|dir| dir.join("sample_data"));
    let current = std::env::current_dir()
        .ok()
        .map(|dir| dir.join("sample_data"));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    beside_exe
        .chain(current)
        .chain(std::iter::once(source))
        .find(|dir| dir.join("speech").is_dir())
}

impl ErrataApp {
    pub fn new(cc: &eframe::CreationContext<'_>, open: Option<PathBuf>) -> Self {
        ErrataApp::with_options(cc, open, Options::default())
    }

    pub fn with_options(
        cc: &eframe::CreationContext<'_>,
        open: Option<PathBuf>,
        options: Options,
    ) -> Self {
        let mut app = ErrataApp {
            screen: Screen::Welcome,
            view: if options.dashboard.is_some() {
                View::Dashboard
            } else {
                View::Review
            },
            dashboard: DashboardView {
                section: options.dashboard.unwrap_or_default(),
                ..DashboardView::default()
            },
            images: ImageLoader::new(&cc.egui_ctx),
            audio: AudioLoader::new(&cc.egui_ctx),
            player: Player::new(options.audio_output),
            audio_actions: Vec::new(),
            autoplay: true,
            last_selected: None,
            play_when_ready: None,
            image_view: ImageView::default(),
            error: None,
            show_help: false,
            focus_search: false,
            path_input: String::new(),
            goto_input: String::new(),
            table: TableView::default(),
            note_draft: None,
            window_title: String::new(),
            recent: cc
                .storage
                .and_then(|s| eframe::get_value(s, RECENT_KEY))
                .unwrap_or_default(),
            samples: find_samples(),
            file_dialog: None,
            export: None,
        };
        if let Some(path) = open {
            app.open(path, &cc.egui_ctx);
        }
        app
    }

    fn start(&mut self, job: Result<Job, String>) {
        match job {
            Ok(job) => self.screen = Screen::Loading(job),
            Err(message) => self.error = Some(message),
        }
    }

    /// Opens a dataset or project in the background; the window keeps drawing meanwhile.
    pub fn open(&mut self, path: PathBuf, ctx: &egui::Context) {
        let target = path.clone();
        self.error = None;
        self.start(Job::spawn(path, ctx, move |progress| {
            opening::open(&target, progress)
        }));
    }

    /// Creates the project the mapping dialog describes, then opens it for review.
    pub fn create_project(&mut self, ctx: &egui::Context) {
        let screen = std::mem::replace(&mut self.screen, Screen::Welcome);
        let Screen::Mapping(dialog) = screen else {
            self.screen = screen;
            return;
        };
        let target = PathBuf::from(dialog.project.trim());
        self.start(Job::spawn(target, ctx, move |progress| {
            opening::create(*dialog, progress)
        }));
    }

    /// Stops a load (it ends at its next step, writing nothing) and goes back to the start.
    pub fn cancel_loading(&mut self) {
        if let Screen::Loading(job) = &self.screen {
            job.cancel();
            self.screen = Screen::Welcome;
        } else if let Screen::Mapping(_) = &self.screen {
            self.screen = Screen::Welcome;
        }
    }

    /// Opens the native file dialog on its own thread.
    pub fn pick(&mut self, pick: Pick, ctx: &egui::Context) {
        if self.file_dialog.is_none() {
            self.file_dialog = Some(FileDialog::spawn(pick, ctx));
        }
    }

    /// Picks up finished background work: loads, previews, file dialogs.
    pub fn poll(&mut self, ctx: &egui::Context) {
        if let Some(dialog) = &self.file_dialog
            && let Some(picked) = dialog.poll()
        {
            let pick = dialog.pick;
            self.file_dialog = None;
            match picked {
                Ok(Some(path)) if pick == Pick::SaveReport => self.export(path, ctx),
                Ok(Some(path)) => self.open(path, ctx),
                Ok(None) => {}
                Err(message) => self.error = Some(message),
            }
        }
        if let Some((path, done)) = &self.export
            && let Some(result) = match done.try_recv() {
                Ok(result) => Some(result),
                Err(std::sync::mpsc::TryRecvError::Empty) => None,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Err(format!(
                    "{}: writing the report failed unexpectedly; the project is unchanged",
                    path.display()
                ))),
            }
        {
            match (result, &mut self.screen) {
                (Ok(()), Screen::Review(session)) => {
                    session.status = format!("Exported the report to {}", path.display())
                }
                (Ok(()), _) => {}
                (Err(message), _) => self.error = Some(message),
            }
            self.export = None;
        }
        match &mut self.screen {
            Screen::Loading(job) => match job.poll() {
                Some(Ok(Opened::Review(session))) => {
                    self.remember(&session);
                    self.screen = Screen::Review(session);
                }
                Some(Ok(Opened::Mapping(dialog))) => self.screen = Screen::Mapping(dialog),
                Some(Err(message)) => {
                    if !opening::is_cancelled(&message) {
                        self.error = Some(message);
                    }
                    self.screen = Screen::Welcome;
                }
                None => {}
            },
            Screen::Mapping(dialog) => {
                if let Some(done) = dialog.pending.as_ref().and_then(Job::poll) {
                    dialog.pending = None;
                    match done {
                        Ok(Opened::Mapping(fresh)) => {
                            dialog.preview = fresh.preview;
                            dialog.previewed = fresh.previewed;
                        }
                        Ok(Opened::Review(_)) => {}
                        Err(message) => {
                            // The table no longer reads: keep the dialog, say why.
                            dialog.previewed = dialog.request.clone();
                            self.error = Some(message);
                        }
                    }
                }
                if dialog.pending.is_none() && dialog.request != dialog.previewed {
                    let (dataset, request) = (dialog.dataset.clone(), dialog.request.clone());
                    match Job::spawn(dataset.clone(), ctx, move |progress| {
                        opening::repreview(&dataset, &request, progress)
                    }) {
                        Ok(job) => dialog.pending = Some(job),
                        Err(message) => self.error = Some(message),
                    }
                }
            }
            Screen::Welcome | Screen::Review(_) => {}
        }
    }

    /// Writes the project's report to `path` (format by extension) on a background thread;
    /// the file appears whole or not at all.
    pub fn export(&mut self, path: PathBuf, ctx: &egui::Context) {
        let Screen::Review(session) = &self.screen else {
            return;
        };
        let Some(format) = Format::of_file(&path) else {
            self.error = Some(format!(
                "{}: give the report a name ending in .html, .md or .json",
                path.display()
            ));
            return;
        };
        let report = session.report();
        let (send, done) = sync_channel(1);
        let (target, ctx) = (path.clone(), ctx.clone());
        let spawned = std::thread::Builder::new()
            .name("errata-export".into())
            .spawn(move || {
                let written = contain(|| {
                    let text = format.render(&report).ok_or_else(|| {
                        format!("{}: CSV reports are written by the CLI", target.display())
                    })?;
                    crate::report::write_atomically(&target, text.as_bytes())
                        .map_err(|e| format!("{}: cannot write the report: {e}", target.display()))
                })
                .unwrap_or_else(|panic| {
                    Err(format!(
                        "{}: writing the report failed unexpectedly ({panic}); the project is \
                         unchanged and no partial report was left",
                        target.display()
                    ))
                });
                let _ = send.send(written);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.export = Some((path, done)),
            Err(e) => self.error = Some(format!("cannot start writing the report: {e}")),
        }
    }

    fn remember(&mut self, session: &Session) {
        let project = session.project.store.path().to_path_buf();
        let project = std::path::absolute(&project).unwrap_or(project);
        self.recent.retain(|p| p != &project);
        self.recent.insert(0, project);
        self.recent.truncate(RECENT_MAX);
    }

    /// Applies the commands the UI emitted this frame; errors become the message shown.
    pub fn apply(&mut self, commands: Vec<Command>) {
        let Screen::Review(session) = &mut self.screen else {
            return;
        };
        for command in commands {
            if let Err(e) = session.apply(command) {
                self.error = Some(e.to_string());
                break;
            }
        }
    }

    /// Plays, pauses, seeks as asked; follows the selection (stopping the old clip, playing
    /// the new one when autoplay is on); keeps the position display moving while playing.
    fn drive_audio(&mut self, ctx: &egui::Context) {
        self.audio.poll();
        let selected = self.session().and_then(|s| s.selected);
        if selected != self.last_selected {
            self.last_selected = selected;
            self.player.stop_unless(selected);
            self.play_when_ready = selected.filter(|_| self.autoplay);
        }
        let mut actions = std::mem::take(&mut self.audio_actions);
        if let Some(row) = self.play_when_ready
            && let Some(decoded) = self.audio.get(row)
        {
            self.play_when_ready = None;
            if decoded.is_ok() && !self.player.is_playing(row) {
                actions.insert(0, AudioAction::Replay);
            }
        }
        if let Some(row) = selected {
            match self.audio.get(row) {
                Some(Ok(clip)) => {
                    let clip = clip.clone();
                    for action in actions {
                        self.player.apply(action, row, &clip);
                    }
                }
                _ => {
                    if actions.contains(&AudioAction::ToggleLoop) {
                        self.player.looping = !self.player.looping;
                    }
                }
            }
        }
        if self.player.tick() {
            ctx.request_repaint_after(Duration::from_millis(30));
        }
    }

    pub fn session(&self) -> Option<&Session> {
        match &self.screen {
            Screen::Review(s) => Some(s),
            _ => None,
        }
    }
}

impl eframe::App for ErrataApp {
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, RECENT_KEY, &self.recent);
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll(&ctx);
        self.images.poll(&ctx);
        let commands = crate::ui::app_ui(ui, self);
        self.apply(commands);
        self.drive_audio(&ctx);
    }
}
