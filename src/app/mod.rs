//! Application state, commands and background work, independent of how they are drawn:
//! the UI (`crate::ui`) reads [`session::Session`] and emits [`session::Command`]s, which
//! [`ErrataApp`] applies once per frame. Loading and image decoding run on named threads.

pub mod images;
pub mod session;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};

use crate::data::MappingRequest;
use crate::data::project::{Project, default_project_path};
use crate::data::store::looks_like_project;
use images::ImageLoader;
use session::{Command, Session};

pub enum Screen {
    Welcome,
    Loading {
        path: PathBuf,
        result: Receiver<Result<Session, String>>,
    },
    Review(Box<Session>),
}

pub struct ErrataApp {
    pub screen: Screen,
    pub images: ImageLoader,
    /// The last error, shown until dismissed.
    pub error: Option<String>,
    pub show_help: bool,
    pub focus_search: bool,
    pub path_input: String,
    /// The note being edited, and the row it belongs to.
    pub note_draft: Option<(u32, String)>,
    /// The window title last set.
    pub window_title: String,
    /// Projects opened before, most recent first (kept between runs).
    pub recent: Vec<PathBuf>,
}

/// Key of the recent-projects list in eframe's storage.
const RECENT_KEY: &str = "recent_projects";
const RECENT_MAX: usize = 8;

/// Opens a project, or a dataset through the project beside it (created on first open).
pub fn open_session(path: &Path) -> Result<Session, String> {
    if looks_like_project(path) {
        return Session::open(path).map_err(|e| e.to_string());
    }
    let project = default_project_path(path);
    if project.exists() {
        return Session::open(&project).map_err(|e| e.to_string());
    }
    Project::init(path, &MappingRequest::default(), &project)
        .and_then(Session::new)
        .map_err(|e| e.to_string())
}

impl ErrataApp {
    pub fn new(cc: &eframe::CreationContext<'_>, open: Option<PathBuf>) -> Self {
        let mut app = ErrataApp {
            screen: Screen::Welcome,
            images: ImageLoader::new(&cc.egui_ctx),
            error: None,
            show_help: false,
            focus_search: false,
            path_input: String::new(),
            note_draft: None,
            window_title: String::new(),
            recent: cc
                .storage
                .and_then(|s| eframe::get_value(s, RECENT_KEY))
                .unwrap_or_default(),
        };
        if let Some(path) = open {
            app.open(path, &cc.egui_ctx);
        }
        app
    }

    /// Loads in the background; the window keeps drawing meanwhile.
    pub fn open(&mut self, path: PathBuf, ctx: &egui::Context) {
        let (send, result) = sync_channel(1);
        let ctx = ctx.clone();
        let target = path.clone();
        let spawned = std::thread::Builder::new()
            .name("errata-load".into())
            .spawn(move || {
                let loaded =
                    std::panic::catch_unwind(|| open_session(&target)).unwrap_or_else(|_| {
                        Err(format!("{}: loading failed unexpectedly", target.display()))
                    });
                let _ = send.send(loaded);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.screen = Screen::Loading { path, result },
            Err(e) => self.error = Some(format!("cannot start loading: {e}")),
        }
    }

    /// Picks up a finished load.
    pub fn poll(&mut self) {
        if let Screen::Loading { result, .. } = &self.screen {
            match result.try_recv() {
                Ok(Ok(session)) => {
                    let project = session.project.store.path().to_path_buf();
                    let project = std::path::absolute(&project).unwrap_or(project);
                    self.recent.retain(|p| p != &project);
                    self.recent.insert(0, project);
                    self.recent.truncate(RECENT_MAX);
                    self.screen = Screen::Review(Box::new(session));
                }
                Ok(Err(message)) => {
                    self.error = Some(message);
                    self.screen = Screen::Welcome;
                }
                Err(_) => {}
            }
        }
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
        self.poll();
        self.images.poll(ui.ctx());
        let commands = crate::ui::app_ui(ui, self);
        self.apply(commands);
    }
}
