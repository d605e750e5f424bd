//! Application state, commands and background work, independent of how they are drawn:
//! the UI (`crate::ui`, which depends on this module and never the other way) reads
//! [`ErrataApp`] and its [`session::Session`] and emits [`AppCommand`]s, which
//! [`ErrataApp::apply`] carries out once per frame. Opening, media decoding, file dialogs
//! and report export run on named threads.

pub mod audio;
mod command;
pub mod dialogs;
pub mod drift;
pub mod figures;
pub mod images;
pub mod media;
pub mod opening;
pub mod session;
pub mod shortcuts;
pub mod slice_finder;

pub use command::{AppCommand, Panel};

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Duration;

use crate::data::contain::contain;
use crate::report::Format;

use crate::data::media::{MediaKind, media_kind};
use audio::{AudioAction, AudioLoader, Player};
use dialogs::{FileDialog, Pick};
use images::ImageLoader;
use opening::{Job, MappingDialog, OpenError, Opened};
use session::Session;

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
    /// Use the system's file dialogs (tests turn them off to act as a system without any).
    pub native_dialogs: bool,
    /// Where opened samples are copied (tests use a temporary folder); `None`: the
    /// platform's data folder ([`data_folder`]).
    pub samples_copy: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            audio_output: true,
            dashboard: None,
            native_dialogs: true,
            samples_copy: None,
        }
    }
}

/// Which view of an open project is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    #[default]
    Review,
    Dashboard,
}

/// The dashboard's sections (also the values of `errata open --dashboard`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// The headline figures and the three largest potential gains.
    #[default]
    Overview,
    Priorities,
    Slices,
    Classes,
    Confidence,
    Comparison,
    /// Agreement between annotators, suspected label errors, corrected labels.
    Labels,
    /// A current set against this project's dataset: drift, metrics over time, alarms.
    Drift,
    /// The slices where the model errs most (SliceLine), two features crossed.
    FindSlices,
    Audit,
}

/// The answer of a clip being decoded on a thread of its own.
type ClipDecode = std::sync::mpsc::Receiver<media::Decoded<std::sync::Arc<audio::Clip>>>;

/// The player's key for a clip outside the project (never a row number: sets hold fewer
/// rows).
const FILE_ROW: u32 = u32::MAX;

/// Rows around the selection whose media are decoded ahead, so stepping shows them at once.
const PREFETCH: usize = 3;

pub struct ErrataApp {
    screen: Screen,
    view: View,
    images: ImageLoader,
    audio: AudioLoader,
    player: Player,
    /// A clip outside the project (the Drift section's current rows): the file playing or
    /// being decoded, and the decode's answer.
    file_clip: Option<(PathBuf, Option<ClipDecode>)>,
    /// What was asked of the player this frame.
    audio_actions: Vec<AudioAction>,
    /// Play each clip when its row is selected.
    autoplay: bool,
    /// The row last selected, to notice a new selection.
    last_selected: Option<u32>,
    /// A row to play as soon as its clip is decoded.
    play_when_ready: Option<u32>,
    /// The last error, shown until dismissed.
    error: Option<String>,
    show_help: bool,
    /// The side panels the user collapsed.
    hidden_panels: Vec<Panel>,
    /// The search field should take the keyboard (asked this frame, drawn next frame).
    focus_search: bool,
    /// Projects opened before, most recent first (kept between runs).
    recent: Vec<PathBuf>,
    /// The bundled samples, when they can be found.
    samples: Option<PathBuf>,
    /// A native file dialog that is open.
    file_dialog: Option<FileDialog>,
    native_dialogs: bool,
    /// Where opened samples are copied, so their projects never land in the install folder.
    samples_copy: Option<PathBuf>,
    /// The export window is open, with a note when the native dialog did not appear.
    export_window: Option<Option<String>>,
    /// A report being written, and where.
    export: Option<(PathBuf, Receiver<Result<(), String>>)>,
}

/// Key of the recent-projects list in eframe's storage.
pub const RECENT_KEY: &str = "recent_projects";
const RECENT_MAX: usize = 8;

/// Copies a folder and everything in it; a half-made copy is removed.
fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            let target = to.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                copy(&entry.path(), &target)?;
            } else {
                std::fs::copy(entry.path(), &target)?;
            }
        }
        Ok(())
    }
    copy(from, to).inspect_err(|_| {
        let _ = std::fs::remove_dir_all(to);
    })
}

/// Gives the memory a finished load, analysis or sort freed back to the system. glibc keeps
/// freed blocks smaller than 32 MB in its arenas for reuse, and these free many (a million
/// rows of a column at a time): at ten million rows they held about 110 MB of a window that
/// may stay open for hours.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only hands back pages that glibc's allocator holds unused.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// errata's folder in the platform's data folder: settings (`app.ron`: recent projects,
/// window layout) and the copies of the samples the user opened. Linux
/// `~/.local/share/errata`, macOS `~/Library/Application Support/errata`, Windows
/// `%APPDATA%\errata\data`.
pub fn data_folder() -> Option<PathBuf> {
    eframe::storage_dir("errata")
}

/// The bundled `sample_data` folder, wherever errata is installed: beside the executable or
/// a few folders above it (a copied binary, `target/release` and the Windows installer's
/// folder), `../share/errata/` or `../lib/errata/` (Linux packages), the bundle's
/// `Resources` (macOS), the current folder, or the source tree the program was built from.
pub fn find_samples() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok();
    let beside_exe = exe
        .iter()
        .flat_map(|e| e.ancestors().skip(1).take(4))
        .flat_map(|dir| {
            [
                dir.join("sample_data"),
                dir.join("share/errata/sample_data"),
                dir.join("lib/errata/sample_data"),
                dir.join("Resources/sample_data"),
            ]
        });
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
    /// The app on its welcome screen (or opening `open`), with the recent projects kept in
    /// eframe's storage.
    pub fn new(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
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
            images: ImageLoader::new(ctx),
            audio: AudioLoader::new(ctx),
            player: Player::new(options.audio_output),
            audio_actions: Vec::new(),
            autoplay: true,
            last_selected: None,
            play_when_ready: None,
            error: None,
            show_help: false,
            hidden_panels: Vec::new(),
            focus_search: false,
            recent: storage
                .and_then(|s| eframe::get_value(s, RECENT_KEY))
                .unwrap_or_default(),
            samples: find_samples(),
            file_dialog: None,
            native_dialogs: options.native_dialogs,
            samples_copy: options
                .samples_copy
                .or_else(|| data_folder().map(|d| d.join("samples"))),
            export_window: None,
            export: None,
            file_clip: None,
        };
        if let Some(path) = open {
            app.open(path, ctx);
        }
        app
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn view(&self) -> View {
        self.view
    }

    pub fn session(&self) -> Option<&Session> {
        match &self.screen {
            Screen::Review(s) => Some(s),
            _ => None,
        }
    }

    pub fn images(&self) -> &ImageLoader {
        &self.images
    }

    pub fn audio(&self) -> &AudioLoader {
        &self.audio
    }

    pub fn player(&self) -> &Player {
        &self.player
    }

    pub fn autoplay(&self) -> bool {
        self.autoplay
    }

    /// The message shown until dismissed.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn show_help(&self) -> bool {
        self.show_help
    }

    pub fn panel_shown(&self, panel: Panel) -> bool {
        !self.hidden_panels.contains(&panel)
    }

    /// Whether the search field should take the keyboard this frame.
    pub fn focus_search(&self) -> bool {
        self.focus_search
    }

    pub fn recent(&self) -> &[PathBuf] {
        &self.recent
    }

    pub fn samples(&self) -> Option<&Path> {
        self.samples.as_deref()
    }

    /// Whether a native file dialog is open (its buttons wait meanwhile).
    pub fn dialog_open(&self) -> bool {
        self.file_dialog.is_some()
    }

    /// Shows the progress of `job` until it ends (what `Open` does; tests start their own).
    pub fn start_loading(&mut self, job: Job) {
        self.screen = Screen::Loading(job);
    }

    /// Shows the progress of `job` until it ends, or why it could not start.
    pub fn start(&mut self, job: Result<Job, String>) {
        match job {
            Ok(job) => self.screen = Screen::Loading(job),
            Err(message) => self.error = Some(message),
        }
    }

    /// Opens a dataset or project in the background; the window keeps drawing meanwhile.
    fn open(&mut self, path: PathBuf, ctx: &egui::Context) {
        self.error = None;
        self.start(opening::open_in_background(path, opening::Wake::of(ctx)));
    }

    /// Opens a bundled sample from a copy in the user's data folder (made on first use, kept
    /// after: its project and tags live beside it), so that an installed, read-only copy of
    /// errata is never written to.
    fn open_sample(&mut self, name: String, ctx: &egui::Context) {
        let (Some(samples), Some(copies)) = (self.samples.clone(), self.samples_copy.clone())
        else {
            self.error = Some(format!(
                "The sample {name} cannot be opened: no bundled samples or no data folder found"
            ));
            return;
        };
        let copy = copies.join(&name);
        self.error = None;
        self.start(Job::spawn(copy.clone(), ctx, move |progress| {
            if !copy.exists() {
                copy_folder(&samples.join(&name), &copy).map_err(|e| {
                    OpenError::Failed(format!(
                        "{}: cannot copy the sample there ({e}); check that the folder can be \
                         written",
                        copy.display()
                    ))
                })?;
            }
            opening::open(&copy, progress)
        }));
    }

    /// Creates the project the mapping dialog describes, then opens it for review.
    fn create_project(&mut self, ctx: &egui::Context) {
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
    fn cancel(&mut self) {
        if let Screen::Loading(job) = &self.screen {
            job.cancel();
            self.screen = Screen::Welcome;
        } else if let Screen::Mapping(_) = &self.screen {
            self.screen = Screen::Welcome;
        }
    }

    /// Opens the native file dialog on its own thread.
    fn pick(&mut self, pick: Pick, ctx: &egui::Context) {
        if !self.native_dialogs {
            self.no_dialog(pick);
        } else if self.file_dialog.is_none() {
            self.file_dialog = Some(FileDialog::spawn(pick, ctx));
        }
    }

    /// The native dialog did not appear: say so, where the path can be typed instead.
    fn no_dialog(&mut self, pick: Pick) {
        if pick == Pick::SaveReport {
            self.export_window = Some(Some(dialogs::NO_DIALOG.into()));
        } else {
            self.error = Some(format!(
                "{} Use the path field on this screen, or drop the file on the window.",
                dialogs::NO_DIALOG
            ));
        }
    }

    /// The export window: open (with its note, if any) or closed.
    pub fn export_window(&self) -> Option<Option<&str>> {
        self.export_window.as_ref().map(Option::as_deref)
    }

    /// Where a report goes by default: beside the project, named after it.
    pub fn suggested_report_path(&self) -> Option<PathBuf> {
        let Screen::Review(session) = &self.screen else {
            return None;
        };
        let project = session.project.store.path();
        let stem = project.file_stem()?.to_string_lossy();
        Some(project.with_file_name(format!("{stem}-report.html")))
    }

    /// Picks up finished background work (loads, previews, file dialogs, exports, decoded
    /// media); called at the start of each frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        self.images.poll(ctx);
        self.poll_dialog(ctx);
        self.poll_export();
        match &mut self.screen {
            Screen::Loading(job) => match job.poll() {
                Some(Ok(Opened::Review(session))) => {
                    self.remember(&session);
                    self.screen = Screen::Review(session);
                }
                Some(Ok(Opened::Mapping(dialog))) => self.screen = Screen::Mapping(dialog),
                Some(Err(OpenError::Cancelled)) => self.screen = Screen::Welcome,
                Some(Err(OpenError::Failed(message))) => {
                    self.error = Some(message);
                    self.screen = Screen::Welcome;
                }
                None => {}
            },
            Screen::Mapping(dialog) => {
                if let Err(message) = dialog.poll_preview(ctx) {
                    self.error = Some(message);
                }
            }
            Screen::Review(session) => {
                if session.poll_figures() | session.poll_drift() | session.finder.poll() {
                    ctx.request_repaint();
                } else if session.figures_state().is_computing()
                    || session.drift.is_running()
                    || session.finder.is_running()
                {
                    ctx.request_repaint_after(std::time::Duration::from_millis(100));
                }
            }
            Screen::Welcome => {}
        }
    }

    fn poll_dialog(&mut self, ctx: &egui::Context) {
        let Some(dialog) = &self.file_dialog else {
            return;
        };
        let Some(picked) = dialog.poll() else {
            return;
        };
        let pick = dialog.pick;
        self.file_dialog = None;
        match picked {
            Ok(Some(path)) if pick == Pick::SaveReport => {
                self.export_window = None;
                self.export(path, ctx)
            }
            Ok(Some(path)) => self.open(path, ctx),
            Ok(None) => {}
            Err(_) => self.no_dialog(pick),
        }
    }

    fn poll_export(&mut self) {
        let Some((path, done)) = &self.export else {
            return;
        };
        let result = match done.try_recv() {
            Ok(result) => result,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(format!(
                "{}: writing the report failed unexpectedly; the project is unchanged",
                path.display()
            )),
        };
        match (result, &mut self.screen) {
            (Ok(()), Screen::Review(session)) => {
                session.status = format!("Exported the report to {}", path.display())
            }
            (Ok(()), _) => {}
            (Err(message), _) => self.error = Some(message),
        }
        self.export = None;
    }

    /// Writes the project's report to `path` (format by extension) on a background thread;
    /// the file appears whole or not at all.
    fn export(&mut self, path: PathBuf, ctx: &egui::Context) {
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
        let Some(report) = session.report() else {
            self.error = Some(
                "The figures are still being computed; export the report once the dashboard \
                 shows them"
                    .into(),
            );
            return;
        };
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

    /// Carries out the commands the UI emitted this frame, then follows the selection with
    /// media decoding and audio. An error becomes the message shown and drops the commands
    /// after it.
    pub fn apply(&mut self, commands: Vec<AppCommand>, ctx: &egui::Context) {
        self.focus_search = false;
        for command in commands {
            match command {
                AppCommand::Review(command) => {
                    if let Screen::Review(session) = &mut self.screen
                        && let Err(e) = session.apply(command)
                    {
                        self.error = Some(e.to_string());
                        break;
                    }
                }
                AppCommand::PlayFile(path) => self.play_file(path),
                AppCommand::Audio(action) => self.audio_actions.push(action),
                AppCommand::SetAutoplay(on) => self.autoplay = on,
                AppCommand::Open(path) => self.open(path, ctx),
                AppCommand::Pick(pick) => self.pick(pick, ctx),
                AppCommand::Export(path) => {
                    self.export_window = None;
                    self.export(path, ctx)
                }
                AppCommand::EditMapping { request, project } => {
                    if let Screen::Mapping(dialog) = &mut self.screen {
                        dialog.request = *request;
                        dialog.project = project;
                    }
                }
                AppCommand::CreateProject => self.create_project(ctx),
                AppCommand::Cancel => self.cancel(),
                AppCommand::Show(view) => self.view = view,
                AppCommand::ToggleHelp => self.show_help = !self.show_help,
                AppCommand::OpenSample(name) => self.open_sample(name, ctx),
                AppCommand::ShowExport(open) => self.export_window = open.then_some(None),
                AppCommand::TogglePanel(panel) => {
                    if !self.hidden_panels.contains(&panel) {
                        self.hidden_panels.push(panel);
                    } else {
                        self.hidden_panels.retain(|p| *p != panel);
                    }
                }
                AppCommand::FocusSearch => self.focus_search = true,
                AppCommand::DismissError => self.error = None,
            }
        }
        self.prefetch();
        self.drive_audio(ctx);
    }

    /// Decodes the media of the selection and of its neighbours in the table ahead of time
    /// (while the review table is shown), so stepping shows them at once.
    fn prefetch(&mut self) {
        let Screen::Review(session) = &self.screen else {
            return;
        };
        let (Some(row), Some(media), View::Review) = (
            session.selected,
            session.project.dataset.media.as_ref(),
            self.view,
        ) else {
            return;
        };
        let root = &session.project.dataset.table.root;
        let at = session.position(row).unwrap_or_else(|i| i);
        let neighbours = (1..=PREFETCH)
            .flat_map(|d| [at.checked_add(d), at.checked_sub(d)])
            .flatten()
            .filter_map(|p| session.rows.get(p).copied());
        for r in std::iter::once(row).chain(neighbours) {
            let Some(path) = &media[r as usize] else {
                continue;
            };
            match media_kind(path) {
                MediaKind::Image => self.images.request(r, root.join(path)),
                MediaKind::Audio => self.audio.request(r, root.join(path)),
                _ => {}
            }
        }
    }

    /// The file outside the project last asked to play (the Drift section's rows).
    pub fn playing_file(&self) -> Option<&std::path::Path> {
        self.file_clip.as_ref().map(|(p, _)| p.as_path())
    }

    /// Plays a file outside the project, or pauses it when it is the one playing. It is
    /// decoded on a thread of its own and played as soon as it is ready.
    fn play_file(&mut self, path: PathBuf) {
        if let Some((playing, None)) = &self.file_clip
            && *playing == path
            && self.player.is_playing(FILE_ROW)
        {
            self.player.pause_all();
            self.file_clip = None;
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let file = path.clone();
        let spawned = std::thread::Builder::new()
            .name("errata-file-decode".into())
            .spawn(move || {
                let decoded = crate::data::contain::contain(|| audio::decode_clip(&file))
                    .unwrap_or_else(|panic| Err(format!("{}: {panic}", file.display())));
                let _ = tx.send(decoded);
            });
        match spawned {
            Ok(_) => self.file_clip = Some((path, Some(rx))),
            Err(e) => self.error = Some(format!("cannot decode {}: {e}", path.display())),
        }
    }

    /// Plays, pauses, seeks as asked; follows the selection (stopping the old clip, playing
    /// the new one when autoplay is on); keeps the position display moving while playing.
    fn drive_audio(&mut self, ctx: &egui::Context) {
        self.audio.poll();
        if let Some((path, Some(rx))) = &self.file_clip
            && let Ok(decoded) = rx.try_recv()
        {
            let path = path.clone();
            match decoded {
                Ok(clip) => {
                    self.player.apply(AudioAction::Replay, FILE_ROW, &clip);
                    self.file_clip = Some((path, None));
                }
                Err(message) => {
                    self.error = Some(message);
                    self.file_clip = None;
                }
            }
        }
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
}
