//! The desktop UI: [`Window`] is the `eframe::App`; it draws the [`ErrataApp`] it owns with
//! one panel per file (`*_ui` functions that read the app and push [`AppCommand`]s), then
//! hands the commands to [`ErrataApp::apply`]. Dependencies point one way: `ui` uses `app`,
//! never the reverse. Panels edit only [`UiState`] (text being typed, zoom, sort columns).

mod dashboard;
mod inspector;
mod keys;
mod mapping;
mod paths;
mod sidebar;
pub mod state;
mod table;
mod welcome;

use std::path::PathBuf;

use crate::app::opening::{self, Job, Wake};
use crate::app::shortcuts::SHORTCUTS;
use crate::app::{AppCommand, ErrataApp, Options, Panel, RECENT_KEY, Screen, View};
use crate::data::progress::Step;
use paths::completions_ui;
pub use state::{DashboardView, ImageView, PAGE_ROWS, TableView, UiState};

/// The errata window: the app and what the window remembers between frames.
pub struct Window {
    pub app: ErrataApp,
    pub state: UiState,
}

impl Window {
    /// The window on `job`, an open started before the window was made.
    pub fn opening(
        cc: &eframe::CreationContext<'_>,
        job: Result<Job, String>,
        options: Options,
    ) -> Self {
        let mut window = Window::new(cc, None, options);
        window.app.start(job);
        window
    }

    pub fn new(cc: &eframe::CreationContext<'_>, open: Option<PathBuf>, options: Options) -> Self {
        let mut state = UiState::default();
        if let Some(section) = options.dashboard {
            state.dashboard.section = section;
        }
        Window {
            app: ErrataApp::new(&cc.egui_ctx, cc.storage, open, options),
            state,
        }
    }
}

impl eframe::App for Window {
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, RECENT_KEY, &self.app.recent());
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.app.poll(&ctx);
        let mut commands = Vec::new();
        app_ui(ui, &self.app, &mut self.state, &mut commands);
        self.app.apply(commands, &ctx);
    }
}

/// The window and taskbar icon (assets/icons, made by scripts/make-assets.sh).
const ICON_PNG: &[u8] = include_bytes!("../../assets/icons/256x256.png");

/// [`ICON_PNG`] as the viewport wants it; `None` (the system's default icon) if it does
/// not decode, which a test rules out.
pub fn window_icon() -> Option<egui::IconData> {
    let image = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png).ok()?;
    let rgba = image.to_rgba8();
    Some(egui::IconData {
        width: rgba.width(),
        height: rgba.height(),
        rgba: rgba.into_raw(),
    })
}

/// Opens the desktop window and runs it until it is closed.
pub fn run_window(open: Option<PathBuf>, options: Options) -> Result<(), eframe::Error> {
    let mut viewport = egui::ViewportBuilder::default()
        .with_inner_size([1400.0, 860.0])
        .with_min_inner_size([800.0, 500.0])
        .with_title("errata")
        // The desktop entry's name (assets/linux/io.github.errata.Errata.desktop), so that
        // Linux desktops pair the window with its launcher and icon.
        .with_app_id("io.github.errata.Errata");
    if let Some(icon) = window_icon() {
        viewport = viewport.with_icon(icon);
    }
    let native = eframe::NativeOptions {
        viewport,
        // Settings and recent projects stay in the platform's data folder under "errata",
        // whatever the desktop id.
        persistence_path: crate::app::data_folder().map(|folder| folder.join("app.ron")),
        ..Default::default()
    };
    // The path given is read while the window is made (a tenth of a second).
    let wake = Wake::default();
    let job = open.map(|path| opening::open_in_background(path, wake.clone()));
    eframe::run_native(
        "errata",
        native,
        Box::new(move |cc| {
            wake.set_window(&cc.egui_ctx);
            Ok(Box::new(match job {
                Some(job) => Window::opening(cc, job, options),
                None => Window::new(cc, None, options),
            }))
        }),
    )
}

/// Draws the whole window for one frame, pushing the commands the user gave.
pub fn app_ui(
    ui: &mut egui::Ui,
    app: &ErrataApp,
    state: &mut UiState,
    commands: &mut Vec<AppCommand>,
) {
    if let Some(error) = app.error() {
        egui::Panel::top("error").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, format!("Error: {error}"));
                if ui.button("Dismiss").clicked() {
                    commands.push(AppCommand::DismissError);
                }
            });
        });
    }
    match app.screen() {
        Screen::Welcome => {
            let drafts = &mut state.drafts;
            welcome::welcome_ui(
                ui,
                app,
                &mut drafts.path,
                &mut drafts.path_completions,
                commands,
            )
        }
        Screen::Loading(job) => loading_ui(ui, job, commands),
        Screen::Mapping(dialog) => mapping::mapping_ui(ui, dialog, commands),
        Screen::Review(_) => review_ui(ui, app, state, commands),
    }
}

/// Whether Enter was pressed to leave this text field.
pub(crate) fn entered(ui: &egui::Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// A field's value is given by its button, or by Enter in the field.
pub(crate) fn submitted(ui: &egui::Ui, field: &egui::Response, button: egui::Response) -> bool {
    button.clicked() || entered(ui, field)
}

/// A count with thousands separators ("10,000,000"): long tables show eight-digit counts.
pub fn thousands(n: impl ToString) -> String {
    crate::report::format::thousands(n)
}

/// The progress of an open: the step, the rows read, the time so far, and Cancel.
fn loading_ui(ui: &mut egui::Ui, job: &Job, commands: &mut Vec<AppCommand>) {
    let (step, rows) = job.progress.snapshot();
    egui::CentralPanel::default().show(ui, |ui| {
        ui.vertical_centered(|ui| {
            ui.add_space(ui.available_height() / 3.0);
            ui.heading(format!("Opening {}", job.target.display()));
            ui.add_space(12.0);
            let done = step.index() as f32 / Step::ALL.len() as f32;
            ui.add(
                egui::ProgressBar::new(done)
                    .desired_width(480.0)
                    .text(format!(
                        "step {} of {}: {}",
                        step.index() + 1,
                        Step::ALL.len(),
                        step.label()
                    )),
            );
            // The time moving says the work goes on; a spinner would redraw every frame,
            // which with software rendering takes a core from the load it waits for.
            ui.label(if rows > 0 {
                format!(
                    "{} rows read, {:.1} s",
                    thousands(rows),
                    job.started.elapsed().as_secs_f32()
                )
            } else {
                format!("{:.1} s", job.started.elapsed().as_secs_f32())
            });
            ui.add_space(12.0);
            if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(egui::Key::Escape)) {
                commands.push(AppCommand::Cancel);
            }
        });
    });
    // Keep the elapsed time moving.
    ui.ctx()
        .request_repaint_after(std::time::Duration::from_millis(100));
}

fn review_ui(
    ui: &mut egui::Ui,
    app: &ErrataApp,
    state: &mut UiState,
    commands: &mut Vec<AppCommand>,
) {
    keys::keys_ui(ui.ctx(), commands);
    let Some(session) = app.session() else {
        return;
    };
    let title = format!(
        "errata - {}",
        session
            .project
            .store
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    // Only when it changes: a viewport command asks for another frame.
    if state.window_title != title {
        ui.ctx()
            .send_viewport_cmd(egui::ViewportCommand::Title(title.clone()));
        state.window_title = title;
    }
    egui::Panel::bottom("status").show(ui, |ui| {
        ui.horizontal(|ui| {
            ui.label(format!(
                "Saved to {}",
                session.project.store.path().display()
            ));
            ui.separator();
            ui.label(&session.status);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.label(format!(
                    "{} of {} rows shown - press ? for shortcuts",
                    thousands(session.rows.len()),
                    thousands(session.project.dataset.set.len())
                ));
            });
        });
    });
    egui::Panel::top("views").show(ui, |ui| {
        ui.horizontal(|ui| {
            for (view, title) in [(View::Review, "Review"), (View::Dashboard, "Dashboard")] {
                if ui.selectable_label(app.view() == view, title).clicked() {
                    commands.push(AppCommand::Show(view));
                }
            }
            ui.separator();
            if ui
                .add_enabled(
                    !app.dialog_open() && session.figures().is_some(),
                    egui::Button::new("Export report..."),
                )
                .on_hover_text("Write the audit report as HTML, Markdown or JSON")
                .on_disabled_hover_text("Available once the figures are computed")
                .clicked()
            {
                commands.push(AppCommand::ShowExport(true));
            }
        });
    });
    // Side panels take at most a share of the window, so that a small window still leaves
    // the table room; the user can resize or collapse them ([ and ]).
    let width = ui.ctx().content_rect().width();
    if app.panel_shown(Panel::Sidebar) {
        egui::Panel::left("sidebar")
            .default_size((width * 0.2).clamp(150.0, 240.0))
            .size_range(140.0..=(width * 0.25).max(140.0))
            .show(ui, |ui| {
                sidebar::sidebar_ui(ui, session, app.focus_search(), commands);
            });
    }
    if app.view() == View::Dashboard {
        egui::CentralPanel::default().show(ui, |ui| {
            dashboard::dashboard_ui(ui, session, &mut state.dashboard, commands);
        });
    } else {
        if app.panel_shown(Panel::Inspector) {
            egui::Panel::right("inspector")
                .default_size((width * 0.3).clamp(220.0, 460.0))
                .size_range(200.0..=(width * 0.38).max(200.0))
                .show(ui, |ui| {
                    inspector::inspector_ui(ui, app, session, state, commands);
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            table::table_ui(
                ui,
                session,
                &mut state.drafts.goto,
                &mut state.table,
                commands,
            );
        });
    }
    if let Some(note) = app.export_window() {
        export_window_ui(ui.ctx(), app, note, &mut state.drafts, commands);
    }
    if app.show_help() {
        let mut open = true;
        egui::Window::new("Keyboard shortcuts")
            .collapsible(false)
            .open(&mut open)
            .show(ui.ctx(), |ui| {
                egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
                    for shortcut in SHORTCUTS {
                        ui.strong(shortcut.label);
                        ui.label(shortcut.help);
                        ui.end_row();
                    }
                });
            });
        if !open {
            commands.push(AppCommand::ToggleHelp);
        }
    }
}

/// Where to write the report: a typed path (with completion), or the native dialog.
fn export_window_ui(
    ctx: &egui::Context,
    app: &ErrataApp,
    note: Option<&str>,
    drafts: &mut state::Drafts,
    commands: &mut Vec<AppCommand>,
) {
    if drafts.export_path.is_empty()
        && let Some(path) = app.suggested_report_path()
    {
        drafts.export_path = path.display().to_string();
    }
    let mut open = true;
    egui::Window::new("Export the report")
        .collapsible(false)
        .open(&mut open)
        .show(ctx, |ui| {
            if let Some(note) = note {
                ui.colored_label(ui.visuals().warn_fg_color, note);
            }
            let label = ui.label("Write the report to (.html, .md or .json):");
            let field = ui
                .add(egui::TextEdit::singleline(&mut drafts.export_path).desired_width(460.0))
                .labelled_by(label.id);
            completions_ui(ui, &mut drafts.export_path, &mut drafts.path_completions);
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            // The report is built from the figures, computed again after some changes.
            let ready = app.session().is_some_and(|s| s.figures().is_some());
            if !ready {
                ui.weak("The figures are being computed; Export is ready once they are.");
            }
            ui.horizontal(|ui| {
                let typed = drafts.export_path.trim();
                let can = ready && !typed.is_empty();
                if (ui.add_enabled(can, egui::Button::new("Export")).clicked() || enter) && can {
                    commands.push(AppCommand::Export(PathBuf::from(typed)));
                }
                if ui
                    .add_enabled(!app.dialog_open(), egui::Button::new("Browse..."))
                    .on_hover_text("Choose the file with the system's dialog")
                    .clicked()
                {
                    commands.push(AppCommand::Pick(crate::app::dialogs::Pick::SaveReport));
                }
                if ui.button("Cancel").clicked() {
                    commands.push(AppCommand::ShowExport(false));
                }
            });
        });
    if !open {
        commands.push(AppCommand::ShowExport(false));
    }
}
