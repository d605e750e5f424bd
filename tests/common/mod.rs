//! Helpers shared by the test binaries: running the real `errata` binary, and driving the
//! real window with egui_kittest. Each test file uses a part of them.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use egui_kittest::Harness;
use errata::app::opening::{Job, Wake};
use errata::app::{ErrataApp, Options};
use errata::ui::Window;

/// The source tree: samples and test data are found from here.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The built `errata` binary, run from the source tree.
pub fn errata_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_errata"));
    command.current_dir(root());
    command
}

/// Runs the binary with `args` and waits for it.
pub fn run_errata(args: &[&str]) -> Output {
    errata_command().args(args).output().expect("run errata")
}

/// The window as on a machine without a sound card, opening `path` (or the welcome screen).
pub fn window(open: Option<PathBuf>) -> Harness<'static, Window> {
    // Samples opened from the welcome screen are copied here, never into the user's folder.
    window_with_samples(open, std::env::temp_dir().join("errata-test-samples"))
}

/// [`window`], copying the samples the user opens into `samples_copy`.
pub fn window_with_samples(
    open: Option<PathBuf>,
    samples_copy: PathBuf,
) -> Harness<'static, Window> {
    Harness::builder()
        .with_size([1400.0, 860.0])
        // Decoded media arrive over a few frames.
        .with_max_steps(64)
        .build_eframe(move |cc| {
            Window::new(
                cc,
                open,
                // A machine without a sound device or a file-chooser service.
                Options {
                    audio_output: false,
                    native_dialogs: false,
                    samples_copy: Some(samples_copy),
                    ..Options::default()
                },
            )
        })
}

/// The window on an open started before it was made, as `errata open PATH` does; `wake`
/// is the one the open was started with.
pub fn window_on(job: Result<Job, String>, wake: Wake) -> Harness<'static, Window> {
    Harness::builder()
        .with_size([1400.0, 860.0])
        .with_max_steps(64)
        .build_eframe(move |cc| {
            wake.set_window(&cc.egui_ctx);
            Window::opening(
                cc,
                job,
                Options {
                    audio_output: false,
                    native_dialogs: false,
                    samples_copy: Some(std::env::temp_dir().join("errata-test-samples")),
                    ..Options::default()
                },
            )
        })
}

/// Whether the review screen is open with its figures computed (they arrive a moment after
/// the project opens).
pub fn figures_shown(app: &ErrataApp) -> bool {
    app.session().is_some_and(|s| s.figures().is_some())
}

/// Steps the window until `done` holds or an error is shown; background work finishes
/// within seconds, so after 10 s the test fails.
pub fn wait_until(harness: &mut Harness<'_, Window>, done: impl Fn(&ErrataApp) -> bool) {
    for _ in 0..400 {
        harness.step();
        let app = &harness.state().app;
        if done(app) || app.error().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the app did not get there in 10 s");
}
