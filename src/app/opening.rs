//! Opening a dataset or a project, on a background thread with progress and cancel. A
//! project opens straight into review; a dataset with no project beside it first goes
//! through the column-mapping dialog, which creates the project from the dataset as
//! previewed (the table is not read again).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::session::Session;
use crate::data::contain::contain;
use crate::data::progress::Step;
use crate::data::project::{Project, default_project_path};
use crate::data::store::{StoreError, looks_like_project};
use crate::data::{LoadError, MappingRequest, Preview, Progress, preview};

/// Rows of the table the mapping dialog shows.
const PREVIEW_ROWS: usize = 8;

/// Where opening leads.
pub enum Opened {
    Review(Box<Session>),
    Mapping(Box<MappingDialog>),
}

/// Why an open ended without a result.
#[derive(Debug, PartialEq)]
pub enum OpenError {
    /// The user cancelled: nothing to say.
    Cancelled,
    /// What went wrong, naming the file, for the user.
    Failed(String),
}

impl From<LoadError> for OpenError {
    fn from(e: LoadError) -> Self {
        match e {
            LoadError::Cancelled => OpenError::Cancelled,
            e => OpenError::Failed(e.to_string()),
        }
    }
}

impl From<StoreError> for OpenError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Dataset(e) => e.into(),
            e => OpenError::Failed(e.to_string()),
        }
    }
}

/// The column-mapping dialog's state: the roles the user chose and the preview of the
/// dataset under the roles it was last made with.
pub struct MappingDialog {
    pub dataset: PathBuf,
    /// Where the project will be created (editable).
    pub project: String,
    pub request: MappingRequest,
    /// The request `preview` was made with; when the user changes `request`, a new preview runs.
    pub previewed: MappingRequest,
    pub preview: Preview,
    /// A new preview on its way.
    pub pending: Option<Job>,
}

impl MappingDialog {
    pub fn can_create(&self) -> bool {
        self.pending.is_none()
            && self.request == self.previewed
            && self.preview.dataset.is_ok()
            && !self.project.trim().is_empty()
    }

    /// Takes in a finished preview, and starts a new one when the user changed the roles
    /// since. Fails with the message to show when the table no longer reads (the dialog
    /// stays, with its last preview).
    pub fn poll_preview(&mut self, ctx: &egui::Context) -> Result<(), String> {
        if let Some(done) = self.pending.as_ref().and_then(Job::poll) {
            self.pending = None;
            match done {
                Ok(Opened::Mapping(fresh)) => {
                    self.preview = fresh.preview;
                    self.previewed = fresh.previewed;
                }
                Ok(Opened::Review(_)) | Err(OpenError::Cancelled) => {}
                Err(OpenError::Failed(message)) => {
                    self.previewed = self.request.clone();
                    return Err(message);
                }
            }
        }
        if self.pending.is_none() && self.request != self.previewed {
            let (dataset, request) = (self.dataset.clone(), self.request.clone());
            let job = Job::spawn(dataset.clone(), ctx, move |progress| {
                repreview(&dataset, &request, progress)
            })?;
            self.pending = Some(job);
        }
        Ok(())
    }
}

/// Asks the window for a frame when background work ends. Work started before the window
/// exists wakes it from the moment it is given it; work that ended before then is picked up
/// by the window's first frame, which looks for it.
#[derive(Clone, Default)]
pub struct Wake(Arc<OnceLock<egui::Context>>);

impl Wake {
    pub fn of(ctx: &egui::Context) -> Wake {
        let wake = Wake::default();
        wake.set_window(ctx);
        wake
    }

    pub fn set_window(&self, ctx: &egui::Context) {
        let _ = self.0.set(ctx.clone());
    }

    fn now(&self) {
        if let Some(ctx) = self.0.get() {
            ctx.request_repaint();
        }
    }
}

/// A background open, with its progress and a cancel switch.
pub struct Job {
    /// What is being opened, for the progress screen.
    pub target: PathBuf,
    pub progress: Arc<Progress>,
    pub started: Instant,
    result: Receiver<Result<Opened, OpenError>>,
}

impl Job {
    /// Runs `work` on a named thread; a panic in it becomes an error message naming `target`
    /// and the step it was in.
    pub fn spawn(
        target: PathBuf,
        ctx: &egui::Context,
        work: impl FnOnce(&Progress) -> Result<Opened, OpenError> + Send + 'static,
    ) -> Result<Job, String> {
        Job::start(target, Wake::of(ctx), work)
    }

    /// [`Job::spawn`] before the window exists (the path given to `errata open`, read
    /// while the window is made): `wake` is given the window once it is.
    pub fn start(
        target: PathBuf,
        wake: Wake,
        work: impl FnOnce(&Progress) -> Result<Opened, OpenError> + Send + 'static,
    ) -> Result<Job, String> {
        let (send, result) = sync_channel(1);
        let progress = Arc::new(Progress::default());
        let shared = progress.clone();
        let name = target.display().to_string();
        std::thread::Builder::new()
            .name("errata-load".into())
            .spawn(move || {
                let outcome = contain(|| work(&shared)).unwrap_or_else(|panic| {
                    let step = shared.snapshot().0.label().to_lowercase();
                    Err(OpenError::Failed(format!(
                        "{name}: opening failed unexpectedly while {step} ({panic}). Your \
                         files were not changed; please report this with the file."
                    )))
                });
                let _ = send.send(outcome);
                wake.now();
            })
            .map_err(|e| format!("cannot start loading {}: {e}", target.display()))?;
        Ok(Job {
            target,
            progress,
            started: Instant::now(),
            result,
        })
    }

    /// The outcome once the work is done.
    pub fn poll(&self) -> Option<Result<Opened, OpenError>> {
        self.result.try_recv().ok()
    }

    /// Asks the work to stop at its next step; its outcome is then ignored.
    pub fn cancel(&self) {
        self.progress.cancel();
    }
}

/// [`open`] as a background job; `wake` wakes the window when it ends.
pub fn open_in_background(path: PathBuf, wake: Wake) -> Result<Job, String> {
    let target = path.clone();
    Job::start(path, wake, move |progress| open(&target, progress))
}

/// Opens a project, or a dataset through the project beside it; a dataset without one goes
/// to the mapping dialog.
pub fn open(path: &Path, progress: &Progress) -> Result<Opened, OpenError> {
    let project = if looks_like_project(path) {
        path.to_path_buf()
    } else {
        default_project_path(path)
    };
    if project.exists() {
        let project = Project::open_with(&project, progress)?;
        return review(project, progress);
    }
    let request = MappingRequest::default();
    let preview = preview(path, &request, PREVIEW_ROWS, progress)?;
    Ok(Opened::Mapping(Box::new(MappingDialog {
        dataset: path.to_path_buf(),
        project: project.display().to_string(),
        previewed: request.clone(),
        request,
        preview,
        pending: None,
    })))
}

/// Previews the dataset again under the roles the user chose (the dialog keeps its project path).
pub fn repreview(
    dataset: &Path,
    request: &MappingRequest,
    progress: &Progress,
) -> Result<Opened, OpenError> {
    let preview = preview(dataset, request, PREVIEW_ROWS, progress)?;
    Ok(Opened::Mapping(Box::new(MappingDialog {
        dataset: dataset.to_path_buf(),
        project: String::new(),
        previewed: request.clone(),
        request: request.clone(),
        preview,
        pending: None,
    })))
}

/// Creates the project from the previewed dataset and opens it for review.
pub fn create(dialog: MappingDialog, progress: &Progress) -> Result<Opened, OpenError> {
    progress.enter(Step::CreatingProject)?;
    let dataset = dialog
        .preview
        .dataset
        .map_err(|e| OpenError::Failed(e.to_string()))?;
    let project = Project::create(
        &dialog.dataset,
        dataset,
        &dialog.previewed,
        Path::new(dialog.project.trim()),
    )?;
    review(project, progress)
}

/// The review session of an opened project: the filter's rows and the audit; the
/// dashboard's figures follow on a thread of their own.
fn review(project: Project, progress: &Progress) -> Result<Opened, OpenError> {
    super::release_freed_memory();
    progress.enter(Step::Computing)?;
    let session = Session::new(project)?;
    super::release_freed_memory();
    Ok(Opened::Review(Box::new(session)))
}
