//! Native file dialogs (rfd), waited on by a named thread so the window keeps drawing while
//! the dialog is open. Where no dialog service exists (a bare X server, say), the user is
//! told to type or drop the path instead.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};
use std::task::{Context, Poll, Wake};

/// What the user wants to open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    DatasetFolder,
    TableFile,
    Project,
    /// Where to write a report (HTML, Markdown or JSON, by the file's extension).
    SaveReport,
}

/// An open dialog: its answer arrives once the user has chosen (or closed it).
pub struct FileDialog {
    pub pick: Pick,
    answer: Receiver<Option<PathBuf>>,
    opened: std::time::Instant,
}

/// An answer without a path sooner than this after opening is no user's "Cancel": the
/// dialog never appeared (rfd answers at once when no file-chooser service runs).
const TOO_QUICK: std::time::Duration = std::time::Duration::from_millis(700);

/// What to say when no file dialog could be shown.
pub const NO_DIALOG: &str = "No file dialog appeared: this system has no file-chooser service \
     (on Linux, xdg-desktop-portal or zenity). Type the path instead.";

type Picked = Pin<Box<dyn Future<Output = Option<rfd::FileHandle>> + Send>>;

impl FileDialog {
    /// Opens the dialog; the future is made here (on the UI thread, as macOS requires) and
    /// awaited on `errata-dialog`.
    pub fn spawn(pick: Pick, ctx: &egui::Context) -> FileDialog {
        let dialog = rfd::AsyncFileDialog::new();
        let future: Picked = match pick {
            Pick::DatasetFolder => {
                Box::pin(dialog.set_title("Open a dataset folder").pick_folder())
            }
            Pick::TableFile => Box::pin(
                dialog
                    .set_title("Open a dataset table")
                    .add_filter("Tables", &["csv", "tsv", "parquet", "jsonl", "ndjson"])
                    .pick_file(),
            ),
            Pick::Project => Box::pin(
                dialog
                    .set_title("Open an errata project")
                    .add_filter("errata projects", &["errata"])
                    .pick_file(),
            ),
            Pick::SaveReport => Box::pin(
                dialog
                    .set_title("Export the audit report")
                    .set_file_name("report.html")
                    .add_filter("HTML report", &["html"])
                    .add_filter("Markdown report", &["md"])
                    .add_filter("JSON report", &["json"])
                    .save_file(),
            ),
        };
        let (send, answer) = sync_channel(1);
        let ctx = ctx.clone();
        // If the thread cannot start, the sender is dropped with it and `poll` reports that
        // no dialog is available.
        let _ = std::thread::Builder::new()
            .name("errata-dialog".into())
            .spawn(move || {
                let picked = block_on(future).map(|handle| handle.path().to_path_buf());
                let _ = send.send(picked);
                ctx.request_repaint();
            });
        FileDialog {
            pick,
            answer,
            opened: std::time::Instant::now(),
        }
    }

    /// `Ok(Some(path))` once chosen, `Ok(None)` when closed without a choice, an error when
    /// no dialog could be shown; `None` while it is open.
    pub fn poll(&self) -> Option<Result<Option<PathBuf>, String>> {
        match self.answer.try_recv() {
            Ok(None) if self.opened.elapsed() < TOO_QUICK => Some(Err(NO_DIALOG.into())),
            Ok(picked) => Some(Ok(picked)),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Err(NO_DIALOG.into())),
        }
    }
}

/// Runs a future to completion on this thread, sleeping until it is woken.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}
