//! The desktop app driven as a user would, through egui_kittest: by labels and key presses.

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
mod common;

use common::{figures_shown, wait_until, window};
use errata::app::{AppCommand, Screen};
use errata::data::store::Store;
use errata::ui::Window;

/// A copy of a bundled sample in a temporary folder (the app creates its project beside it).
fn sample(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample_data")
        .join(name);
    let to = dir.path().join(name);
    copy_dir(&from, &to);
    (dir, to)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn app(path: PathBuf) -> Harness<'static, Window> {
    window(Some(path))
}

/// Opens the app on `path`; a new dataset goes through the column-mapping dialog, which is
/// accepted with the detected roles.
fn open(path: &Path) -> Harness<'static, Window> {
    let mut harness = app(path.to_path_buf());
    wait_until(&mut harness, |app| {
        app.session().is_some() || matches!(app.screen(), Screen::Mapping(_))
    });
    if matches!(harness.state().app.screen(), Screen::Mapping(_)) {
        harness.run();
        // The check of the detected roles: rows, task and errors.
        harness.get_by_label_contains("task: ");
        harness.get_by_label("Create project").click();
        wait_until(&mut harness, figures_shown);
    }
    assert_eq!(harness.state().app.error(), None);
    assert!(
        harness.state().app.session().is_some(),
        "the dataset did not load"
    );
    wait_until(&mut harness, figures_shown);
    harness.run();
    harness
}

/// `errata open PROJECT` reads the project while the window is made: the window shows it
/// whether the read ends before the window exists or after.
#[test]
fn an_open_started_before_the_window_shows_the_project() {
    use errata::app::opening::{Wake, open_in_background};
    let (_dir, dataset) = sample("speech");
    let project = dataset.with_extension("errata");
    errata::data::project::Project::init(&dataset, &Default::default(), &project).unwrap();
    for wait_before_window in [Duration::from_millis(500), Duration::ZERO] {
        let wake = Wake::default();
        let job = open_in_background(project.clone(), wake.clone());
        std::thread::sleep(wait_before_window);
        let mut harness = common::window_on(job, wake);
        wait_until(&mut harness, figures_shown);
        assert_eq!(harness.state().app.error(), None);
        harness.run();
        harness.get_by_label_contains("rows shown");
    }
}

/// The dashboard's figures of the open session (`open` waits for them).
fn analysis<'a>(harness: &'a Harness<'_, Window>) -> &'a errata::model::Analysis {
    &harness
        .state()
        .app
        .session()
        .unwrap()
        .figures()
        .unwrap()
        .analysis
}

fn selected(harness: &Harness<'_, Window>) -> Option<u32> {
    harness.state().app.session().unwrap().selected
}

#[test]
fn review_loop_on_the_speech_sample() {
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    // The tags column became tags with hotkeys; "car noise" is key 1.
    harness.get_by_label_contains("[1] car noise (16)");
    assert_eq!(selected(&harness), Some(0));

    harness.key_press(Key::Num1);
    harness.run();
    harness.get_by_label_contains("[1] car noise (17)");

    harness.key_press(Key::ArrowRight);
    harness.run();
    assert_eq!(selected(&harness), Some(1));

    // Errors only: the table shows exactly the error rows, and → steps through them.
    harness.get_by_label("Errors").click();
    harness.run();
    let session = harness.state().app.session().unwrap();
    let set = &session.project.dataset.set;
    let errors: Vec<u32> = (0..set.len() as u32)
        .filter(|&r| !set.correct[r as usize])
        .collect();
    assert_eq!(session.rows, errors);
    let before = selected(&harness).unwrap();
    harness.key_press(Key::ArrowRight);
    harness.run();
    let after = selected(&harness).unwrap();
    assert!(
        errors.contains(&after) && after > before,
        "{before} → {after}"
    );

    // Ctrl+Z undoes the tag.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    harness.run();
    harness.get_by_label_contains("[1] car noise (16)");
    harness.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::Z);
    harness.run();
    harness.get_by_label_contains("[1] car noise (17)");
    let project = harness
        .state()
        .app
        .session()
        .unwrap()
        .project
        .store
        .path()
        .to_path_buf();
    drop(harness);

    // The tag is in the project file after the app is gone.
    let store = Store::open(&project).unwrap();
    assert!(
        store
            .assignments()
            .unwrap()
            .contains(&("utt_001".to_string(), "car noise".to_string()))
    );
}

#[test]
fn phones_sample_shows_images_and_survives_a_missing_file() {
    let (_dir, dataset) = sample("phones");
    std::fs::remove_file(dataset.join("images/phone_002.png")).unwrap();
    let mut harness = open(&dataset);
    for _ in 0..200 {
        harness.step();
        if harness
            .query_by_label_contains("Cannot show the image")
            .is_none()
            && harness.state().app.images().get(0).is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        matches!(harness.state().app.images().get(0), Some(Ok(_))),
        "the first image was decoded"
    );
    harness.key_press(Key::ArrowRight);
    for _ in 0..200 {
        harness.step();
        if harness.state().app.images().get(1).is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.run();
    harness.get_by_label_contains("Cannot show the image");
    // The message names the file, and so does the file line above it.
    assert_eq!(
        harness.query_all_by_label_contains("phone_002.png").count(),
        2
    );
    // The rest of the app keeps working.
    harness.key_press(Key::Num1);
    harness.run();
    harness.key_press(Key::Questionmark);
    harness.run();
    harness.get_by_label("Keyboard shortcuts");
}

#[test]
fn a_bad_file_gives_a_readable_message_and_the_app_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("ragged.csv");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad/ragged.csv"),
        &bad,
    )
    .unwrap();
    let mut harness = app(bad);
    wait_until(&mut harness, |_| false);
    harness.run();
    harness.get_by_label_contains("line 3 has 4 fields but the header has 3");
    harness.get_by_label_contains("Bundled samples");
    harness.get_by_label("Dismiss").click();
    harness.run();
    assert!(
        harness
            .query_by_label_contains("line 3 has 4 fields")
            .is_none()
    );
    assert!(
        !dir.path().join("ragged.errata").exists(),
        "no project is made for a bad dataset"
    );
}

#[test]
fn speech_clips_show_a_waveform_and_the_player_says_no_audio_output() {
    let (_dir, dataset) = sample("speech");
    std::fs::remove_file(dataset.join("clips/utt_002.wav")).unwrap();
    let mut harness = open(&dataset);
    wait_until(&mut harness, |app| app.audio().get(0).is_some());
    harness.run();
    assert!(
        matches!(harness.state().app.audio().get(0), Some(Ok(clip)) if !clip.peaks.is_empty()),
        "the first clip was decoded for its waveform"
    );
    harness.get_by_label("No audio output");
    harness.get_by_label_contains(" / 0:0");
    // Play and Replay are off rather than live and silent.
    for button in ["Play", "Replay"] {
        assert!(
            harness.get_by_label(button).accesskit_node().is_disabled(),
            "{button} is disabled without a sound device"
        );
    }
    // Space and R do nothing audible, and nothing breaks.
    harness.key_press(Key::Space);
    harness.key_press(Key::R);
    harness.run();
    harness.get_by_label("Loop").click();
    harness.run();
    assert!(harness.state().app.player().looping);
    // A missing clip gives a message naming the file; the app keeps working.
    harness.key_press(Key::ArrowRight);
    wait_until(&mut harness, |app| app.audio().get(1).is_some());
    harness.run();
    harness.get_by_label_contains("Cannot play the clip");
    assert_eq!(
        harness.query_all_by_label_contains("utt_002.wav").count(),
        2
    );
    harness.key_press(Key::Num1);
    harness.run();
    harness.get_by_label_contains("[1] car noise (17)");
}

#[test]
fn cancelling_the_mapping_dialog_creates_no_project() {
    let (dir, dataset) = sample("phones");
    let mut harness = app(dataset.clone());
    wait_until(&mut harness, |app| {
        matches!(app.screen(), Screen::Mapping(_))
    });
    harness.run();
    harness.get_by_label("Column mapping");
    harness.get_by_label_contains("80 rows, ");
    harness.get_by_label("Cancel").click();
    harness.run();
    harness.get_by_label_contains("Bundled samples");
    assert!(!dir.path().join("phones.errata").exists());
}

#[test]
fn sorting_jumping_and_adding_a_tag() {
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    // Sort by confidence, highest first: → follows that order.
    harness.get_by_label("conf.").click();
    harness.run();
    harness.get_by_label("conf. ^").click();
    harness.run();
    let session = harness.state().app.session().unwrap();
    let confidence = session.project.dataset.set.confidence.clone().unwrap();
    let shown: Vec<f64> = session
        .rows
        .iter()
        .map(|&r| confidence[r as usize])
        .collect();
    assert!(shown.windows(2).all(|w| w[0] >= w[1]), "{shown:?}");
    let first = session.rows[0];
    let ctx = harness.ctx.clone();
    harness.state_mut().app.apply(
        vec![errata::app::session::Command::Select(first).into()],
        &ctx,
    );
    harness.key_press(Key::ArrowRight);
    harness.run();
    let second = harness.state().app.session().unwrap().rows[1];
    assert_eq!(selected(&harness), Some(second));

    // Go to row 40 by number, then to an id.
    harness.get_by_label("Go to row:").click();
    harness.get_by_label("Go to row:").type_text("40");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(selected(&harness), Some(39));
    harness.get_by_label("Go to row:").click();
    harness.get_by_label("Go to row:").type_text("phone_007");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(selected(&harness), Some(6));

    // A new tag gets the next free hotkey and counts at once.
    let tags = harness
        .state()
        .app
        .session()
        .unwrap()
        .project
        .book
        .names()
        .len();
    harness.get_by_label("New tag:").click();
    harness.get_by_label("New tag:").type_text("smudge");
    harness.run();
    harness.get_by_label("Add tag").click();
    harness.run();
    let session = harness.state().app.session().unwrap();
    assert_eq!(harness.state().app.error(), None);
    assert_eq!(
        session.project.book.names().len(),
        tags + 1,
        "{}",
        session.status
    );
    let key = session
        .tag_def(session.project.book.id("smudge").unwrap())
        .unwrap()
        .hotkey
        .unwrap();
    harness.get_by_label_contains(&format!("[{key}] smudge (0)"));
}

/// What a node says: a widget's label, or a text label's value.
fn text_of(node: egui_kittest::kittest::AccessKitNode<'_>) -> String {
    node.label().or_else(|| node.value()).unwrap_or_default()
}

fn dashboard(harness: &mut Harness<'_, Window>, section: &str) {
    harness.get_by_label("Dashboard").click();
    harness.run();
    harness.get_by_label(section).click();
    harness.run();
}

#[test]
fn the_dashboard_follows_tags_and_entered_hlp() {
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Prioritisation");
    harness.get_by_label("tag car noise");
    let before = {
        let a = analysis(&harness);
        a.tags
            .iter()
            .find(|t| t.tag == "car noise")
            .unwrap()
            .clone()
    };
    // Tag a row (keys work from the dashboard too): the figures follow at once, and equal
    // a full recomputation over the dataset.
    harness.key_press(Key::Num1);
    harness.run();
    let session = harness.state().app.session().unwrap();
    let live = session
        .figures()
        .unwrap()
        .analysis
        .tags
        .iter()
        .find(|t| t.tag == "car noise")
        .unwrap();
    assert_eq!(live.n, before.n + 1);
    let mut fresh = errata::model::Analysis::compute(
        &session.project.dataset.set,
        &session.project.book,
        session.project.inputs(),
    );
    fresh.set_corrections(
        session.project.given_set(),
        &session.project.label_corrections(),
    );
    assert_eq!(
        serde_json::to_value(&session.figures().unwrap().analysis).unwrap(),
        serde_json::to_value(&fresh).unwrap()
    );
    let shown = format!("{:.1} %", live.share_of_data.unwrap() * 100.0);
    assert!(
        harness.query_all_by_label(&shown).count() > 0,
        "{shown} is shown"
    );

    // Entering an HLP of 99 % changes the gap and the potential gain.
    harness.get_by_label("Edit car noise").click();
    harness.run();
    harness
        .get_by_label("HLP (% accuracy a human reaches):")
        .click();
    harness
        .get_by_label("HLP (% accuracy a human reaches):")
        .type_text("99");
    harness.run();
    harness.get_by_label("Set HLP").click();
    harness.run();
    let session = harness.state().app.session().unwrap();
    let tag = session
        .figures()
        .unwrap()
        .analysis
        .tags
        .iter()
        .find(|t| t.tag == "car noise")
        .unwrap();
    assert_eq!(tag.hlp, Some(0.99));
    let gap = (0.99 - tag.accuracy.unwrap()).max(0.0);
    assert!((tag.gap.unwrap() - gap).abs() < 1e-12);
    assert!((tag.potential_gain.unwrap() - gap * tag.share_of_data.unwrap()).abs() < 1e-12);
    harness.get_by_label("99.0 % (entered)");
    // The name is a link to exactly its rows.
    harness.get_by_label("tag car noise").click();
    harness.run();
    let session = harness.state().app.session().unwrap();
    let car = session.project.book.id("car noise").unwrap();
    assert_eq!(session.rows, session.project.book.rows(car));
}

#[test]
fn a_confusion_cell_shows_exactly_its_rows() {
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Classes");
    let (truth, predicted, expected) = {
        let set = &harness.state().app.session().unwrap().project.dataset.set;
        let names = set.class_names();
        let (t, p) = (
            names.iter().position(|n| n == "pit").unwrap() as u32,
            names.iter().position(|n| n == "none").unwrap() as u32,
        );
        let rows: Vec<u32> = (0..set.len() as u32)
            .filter(|&r| set.labels[r as usize] == t && set.predictions[r as usize] == p)
            .collect();
        (t, p, rows)
    };
    assert!(!expected.is_empty());
    harness
        .get_by_label(&format!(
            "truth pit, predicted none: {} rows",
            expected.len()
        ))
        .click();
    harness.run();
    let app = &harness.state().app;
    assert_eq!(app.view(), errata::app::View::Review);
    let session = app.session().unwrap();
    assert_eq!(session.rows, expected);
    assert_eq!(
        (session.filter.truth, session.filter.predicted),
        (Some(truth), Some(predicted))
    );
    // The other sections draw on both samples without trouble.
    dashboard(&mut harness, "Slices");
    harness.get_by_label_contains("lighting (");
    dashboard(&mut harness, "Confidence");
    harness.get_by_label_contains("Target accuracy");
}

/// Writes `csv` as a dataset and opens it in the app through the mapping dialog.
fn open_csv(csv: &str) -> (tempfile::TempDir, Harness<'static, Window>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("eval.csv");
    std::fs::write(&path, csv).unwrap();
    let harness = open(&path);
    (dir, harness)
}

#[test]
fn the_course_table_shows_its_potential_gains() {
    // Reviewed rows: clean speech 60 %, car noise 4 %, people noise 30 %, low bandwidth 6 %;
    // model accuracy 94/89/87/70 %, human accuracy 95/93/89/70 %.
    let mut csv = String::from("id,label,prediction,human_label,tags\n");
    let mut id = 0;
    for (tag, n, model_right, human_right) in [
        ("clean speech", 3000, 2820, 2850),
        ("car noise", 200, 178, 186),
        ("people noise", 1500, 1305, 1335),
        ("low bandwidth", 300, 210, 210),
    ] {
        for i in 0..n {
            let prediction = if i < model_right { "yes" } else { "no" };
            let human = if i < human_right { "yes" } else { "no" };
            csv.push_str(&format!("u{id},yes,{prediction},{human},{tag}\n"));
            id += 1;
        }
    }
    let (_dir, mut harness) = open_csv(&csv);
    dashboard(&mut harness, "Prioritisation");
    assert_eq!(
        harness.query_all_by_label("0.60 pts").count(),
        2,
        "clean and people noise"
    );
    assert_eq!(
        harness.query_all_by_label("0.16 pts").count(),
        1,
        "car noise"
    );
    assert_eq!(
        harness.query_all_by_label("0.00 pts").count(),
        2,
        "low bandwidth: no gap, so no gain"
    );
    let session = harness.state().app.session().unwrap();
    let gains: Vec<(String, f64)> = session
        .figures()
        .unwrap()
        .analysis
        .tags
        .iter()
        .map(|t| (t.tag.clone(), t.potential_gain.unwrap()))
        .collect();
    for (tag, expected) in [
        ("clean speech", 0.006),
        ("car noise", 0.0016),
        ("people noise", 0.006),
        ("low bandwidth", 0.0),
    ] {
        let got = gains.iter().find(|(t, _)| t == tag).unwrap().1;
        assert!((got - expected).abs() < 1e-12, "{tag}: {got}");
    }
}

#[test]
fn model_comparison_links_to_regressions_and_fixes() {
    let csv = "id,label,prediction,baseline\n\
               a,cat,cat,cat\n\
               b,cat,dog,cat\n\
               c,dog,dog,cat\n\
               d,dog,cat,dog\n\
               e,cat,cat,dog\n";
    let (_dir, mut harness) = open_csv(csv);
    dashboard(&mut harness, "Model comparison");
    harness.get_by_label("2 regressions").click();
    harness.run();
    assert_eq!(harness.state().app.session().unwrap().rows, [1, 3]);
    dashboard(&mut harness, "Model comparison");
    harness.get_by_label("2 fixes").click();
    harness.run();
    assert_eq!(harness.state().app.session().unwrap().rows, [2, 4]);
    // Reliability and precision-recall need a confidence column: without one, none is drawn.
    dashboard(&mut harness, "Confidence");
    harness.get_by_label("This dataset has no confidence column.");
}

#[test]
fn the_report_exported_from_the_app_equals_the_command_line_report() {
    let (dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    harness.key_press(Key::Num2);
    harness.run();
    let target = dir.path().join("exported.html");
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .app
        .apply(vec![AppCommand::Export(target.clone())], &ctx);
    wait_until(&mut harness, |app| {
        app.session().unwrap().status.starts_with("Exported")
    });
    let exported = std::fs::read_to_string(&target).expect("the report was written");
    let project = harness
        .state()
        .app
        .session()
        .unwrap()
        .project
        .store
        .path()
        .to_path_buf();
    drop(harness);
    let cli = common::errata_command()
        .args(["report", project.to_str().unwrap(), "--format", "html"])
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(0));
    let cli = String::from_utf8(cli.stdout).unwrap();
    let without_date = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| !l.contains("Generated "))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(without_date(&exported), without_date(&cli));
    assert!(exported.contains("dim light"));
    // A name without a known extension is refused with a message; nothing is written.
    let mut harness = open(&dataset);
    let ctx = harness.ctx.clone();
    harness.state_mut().app.apply(
        vec![AppCommand::Export(dir.path().join("report.txt"))],
        &ctx,
    );
    assert!(
        harness
            .state()
            .app
            .error()
            .unwrap()
            .contains(".html, .md or .json")
    );
    assert!(!dir.path().join("report.txt").exists());
}

#[test]
fn the_audit_checklist_is_edited_checked_and_saved_in_the_app() {
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Audit");
    harness.get_by_label_contains("No audit checklist yet");
    // A spec that does not fit the dataset is refused with its line; nothing is saved.
    harness.state_mut().state.dashboard.audit_draft = Some(
        "[[check]]\nrisk = \"r\"\nmetric = \"accuracy\"\nslice = \"gender\"\nmin = 0.5\n".into(),
    );
    harness.run();
    // The problem is said at its line, and the spec cannot be saved until it is fixed.
    harness.get_by_label_contains("Line 1: ");
    harness.get_by_label_contains("\"gender\"");
    assert!(
        harness
            .get_by_label("Check and save")
            .accesskit_node()
            .is_disabled()
    );
    assert!(
        harness
            .state()
            .app
            .session()
            .unwrap()
            .project
            .audit_text()
            .is_none()
    );
    // The bundled spec: saved in the project, measured, failures shown.
    let spec = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/phones-audit.toml"),
    )
    .unwrap();
    let ctx = harness.ctx.clone();
    harness
        .state_mut()
        .app
        .apply(vec![AppCommand::DismissError], &ctx);
    harness.state_mut().state.dashboard.audit_draft = Some(spec.clone());
    harness.run();
    harness.get_by_label("Check and save").click();
    harness.run();
    assert_eq!(harness.state().app.error(), None);
    harness.get_by_label("4 of 6 groups fail.");
    assert!(harness.query_all_by_label("FAIL").count() >= 4);
    let project = harness
        .state()
        .app
        .session()
        .unwrap()
        .project
        .store
        .path()
        .to_path_buf();
    assert_eq!(
        Store::open(&project).unwrap().audit_spec().unwrap(),
        Some(spec)
    );
    // Ctrl+Z takes the save back.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    harness.run();
    harness.get_by_label_contains("No audit checklist yet");
}

#[test]
fn a_panicking_background_job_is_reported_and_the_app_keeps_working() {
    use errata::app::opening::Job;
    use errata::data::progress::Step;
    let mut harness = window(None);
    harness.run();
    // Jobs that panic half-way, as a bug in the loader or in the metrics would.
    let ctx = harness.ctx.clone();
    for (step, named) in [
        (Step::Encoding, "while checking columns and encoding labels"),
        (Step::Computing, "while computing the figures"),
    ] {
        let job = Job::spawn(PathBuf::from("/data/eval.parquet"), &ctx, move |progress| {
            progress.enter(step).unwrap();
            panic!("injected failure")
        })
        .unwrap();
        harness.state_mut().app.start_loading(job);
        wait_until(&mut harness, |app| app.error().is_some());
        let error = harness.state().app.error().unwrap().to_string();
        harness
            .state_mut()
            .app
            .apply(vec![AppCommand::DismissError], &ctx);
        for part in [
            "/data/eval.parquet",
            "unexpectedly",
            named,
            "injected failure",
        ] {
            assert!(error.contains(part), "{part:?} in {error}");
        }
        assert!(matches!(harness.state().app.screen(), Screen::Welcome));
        harness.run();
        harness.get_by_label_contains("Bundled samples");
    }
    // The app still opens a dataset and works.
    let (_dir, dataset) = sample("speech");
    harness
        .state_mut()
        .app
        .apply(vec![AppCommand::Open(dataset)], &ctx);
    wait_until(&mut harness, |app| {
        matches!(app.screen(), Screen::Mapping(_)) || app.session().is_some()
    });
    assert_eq!(harness.state().app.error(), None);
}

#[test]
fn long_tables_are_paged_and_the_page_follows_the_selection() {
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    // Pages of 10 rows stand in for pages of 500,000.
    harness.state_mut().state.table.page_rows = 10;
    harness.run();
    harness.get_by_label("rows 1-10 of 80");
    for _ in 0..10 {
        harness.key_press(Key::ArrowRight);
    }
    harness.run();
    assert_eq!(selected(&harness), Some(10));
    harness.get_by_label("rows 11-20 of 80");
    assert!(
        harness.query_by_label("phone_012").is_some(),
        "page 2 is shown"
    );
    assert!(
        harness.query_by_label("phone_001").is_none(),
        "page 1 is not"
    );
    harness.get_by_label("Go to row:").click();
    harness.get_by_label("Go to row:").type_text("75");
    harness.key_press(Key::Enter);
    harness.run();
    harness.get_by_label("rows 71-80 of 80");
    harness.get_by_label("< Previous page").click();
    harness.run();
    harness.get_by_label("rows 61-70 of 80");
    assert_eq!(
        selected(&harness),
        Some(74),
        "paging does not move the selection"
    );
}

#[test]
fn the_shortcut_list_shows_every_shortcut_the_keyboard_handles() {
    use errata::app::shortcuts::SHORTCUTS;
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    harness.key_press(Key::Questionmark);
    harness.run();
    assert!(harness.state().app.show_help());
    for shortcut in SHORTCUTS {
        harness.get_by_label(shortcut.label);
        harness.get_by_label(shortcut.help);
    }
    // Each listed key does what the list says: N goes to the next unreviewed error.
    harness.key_press(Key::Questionmark);
    harness.run();
    assert!(!harness.state().app.show_help());
    let before = selected(&harness);
    harness.key_press(Key::N);
    harness.run();
    let session = harness.state().app.session().unwrap();
    let row = session.selected.unwrap() as usize;
    assert_ne!(session.selected, before);
    assert!(!session.project.dataset.set.correct[row]);
}

#[test]
fn enter_on_a_reviewed_row_adds_no_edit_for_undo_to_take_back() {
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    let first = selected(&harness).unwrap() as usize;
    // Tagged, the row is reviewed; Enter then only moves on.
    harness.key_press(Key::Num2);
    harness.run();
    let tagged = |h: &Harness<'_, Window>| {
        let book = &h.state().app.session().unwrap().project.book;
        book.tag_count(first)
    };
    assert_eq!(tagged(&harness), 1);
    harness.key_press(Key::Enter);
    harness.run();
    assert_ne!(selected(&harness), Some(first as u32), "Enter moved on");
    // Undo takes back the tag: the Enter left nothing in the log.
    harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    harness.run();
    assert_eq!(tagged(&harness), 0);
    let session = harness.state().app.session().unwrap();
    assert!(!session.project.book.is_reviewed(first));
    assert!(
        session.status.starts_with("Undid: Tag"),
        "{}",
        session.status
    );
}

#[test]
fn arrows_pages_home_and_end_move_through_the_table() {
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    let rows = harness.state().app.session().unwrap().rows.clone();
    let press = |harness: &mut Harness<'_, Window>, key: Key| {
        harness.key_press(key);
        harness.run();
        selected(harness)
    };
    assert_eq!(selected(&harness), Some(rows[0]));
    assert_eq!(press(&mut harness, Key::ArrowDown), Some(rows[1]));
    assert_eq!(press(&mut harness, Key::ArrowUp), Some(rows[0]));
    assert_eq!(press(&mut harness, Key::PageDown), Some(rows[20]));
    assert_eq!(press(&mut harness, Key::PageDown), Some(rows[40]));
    assert_eq!(press(&mut harness, Key::PageUp), Some(rows[20]));
    assert_eq!(press(&mut harness, Key::End), Some(*rows.last().unwrap()));
    assert_eq!(
        press(&mut harness, Key::PageDown),
        Some(*rows.last().unwrap()),
        "stops at the end"
    );
    assert_eq!(press(&mut harness, Key::Home), Some(rows[0]));
    assert_eq!(
        press(&mut harness, Key::PageUp),
        Some(rows[0]),
        "and at the start"
    );
}

#[test]
fn the_dashboard_and_the_report_flag_the_same_slices_in_the_same_units() {
    let report_of = |dataset: &Path, extra: &[&str]| {
        let project = dataset.with_extension("errata");
        let mut args = vec!["report", project.to_str().unwrap(), "--format", "md"];
        args.extend(extra);
        let report = common::run_errata(&args);
        assert_eq!(report.status.code(), Some(0));
        String::from_utf8(report.stdout).unwrap()
    };
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Slices");
    let in_app = harness
        .query_all_by_label_contains("below overall")
        .filter(|node| text_of(node.accesskit_node()).starts_with("below overall"))
        .count();
    assert!(
        in_app > 0,
        "the speech sample has slice values below overall"
    );
    // Gaps are in points in the app, as in the report.
    let gaps: Vec<String> = harness
        .query_all_by_label_contains(" pts")
        .map(|node| text_of(node.accesskit_node()))
        .filter(|label| label.ends_with(" pts"))
        .collect();
    assert!(!gaps.is_empty());
    let md = report_of(&dataset, &[]);
    let slices = &md[md.find("## Slices").unwrap()..md.find("## Tags").unwrap()];
    assert_eq!(
        slices.matches("| below overall |").count(),
        in_app,
        "{slices}"
    );
    assert!(slices.contains("95 % interval lies entirely below the overall accuracy"));
    for gap in &gaps {
        assert!(
            slices.contains(gap.as_str()),
            "{gap} is not in the report:\n{slices}"
        );
    }
    // A margin narrows the flags and the report says which rule it used.
    let md = report_of(&dataset, &["--flag-margin", "50"]);
    assert!(md.contains("more than 50.0 points below the overall accuracy"));
    assert_eq!(md.matches("| below overall |").count(), 0);

    // Precision and recall are percentages in both.
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Classes");
    let precision = analysis(&harness).classes[0].precision;
    let shown = errata::report::format::percent(Some(precision), 1);
    harness.get_by_label(&shown);
    assert!(report_of(&dataset, &[]).contains(&format!("| {shown} |")));
}

#[test]
fn the_overview_comes_first_with_the_headline_figures_and_the_largest_gains() {
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    harness.get_by_label("Dashboard").click();
    harness.run();
    let analysis = analysis(&harness).clone();
    let overall = &analysis.overall;
    let percent = errata::report::format::percent;
    harness.get_by_label(&percent(overall.accuracy, 1));
    harness.get_by_label(&percent(overall.wer, 2));
    harness.get_by_label(&percent(overall.cer, 2));
    harness.get_by_label_contains("Largest potential gains");
    // The largest gain first, as a link to its rows.
    let best = analysis
        .priorities
        .iter()
        .filter(|p| p.potential_gain.is_some())
        .max_by(|a, b| a.potential_gain.partial_cmp(&b.potential_gain).unwrap())
        .unwrap();
    harness.get_by_label(&errata::report::format::points(best.potential_gain, 2));
    harness.get_by_label("show them").click();
    harness.run();
    let session = harness.state().app.session().unwrap();
    assert_eq!(harness.state().app.view(), errata::app::View::Review);
    assert_eq!(session.rows.len() as u64, overall.errors);
}

#[test]
fn a_typed_ease_is_the_rating_saved() {
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Prioritisation");
    harness.get_by_label("Edit car noise").click();
    harness.run();
    // A click on the field edits its text, all of it selected; typing replaces it.
    harness.get_by_label("Ease (1-5):").click();
    harness.run();
    harness.get_by_label("Ease (1-5):").type_text("5");
    harness.run();
    harness.get_by_label("Rate").click();
    harness.run();
    harness.run();
    let subject = errata::model::hlp::Subject::Tag("car noise".into());
    let session = harness.state().app.session().unwrap();
    let rating = session.project.inputs().ratings.get(&subject).copied();
    assert_eq!(rating.map(|r| (r.ease, r.importance)), Some((5, 3)));
}

#[test]
fn the_image_viewer_can_keep_its_zoom_from_row_to_row() {
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    wait_until(&mut harness, |app| {
        app.session()
            .and_then(|s| s.selected)
            .is_some_and(|row| app.images().get(row).is_some())
    });
    harness.run();
    harness.get_by_label("1:1").click();
    harness.run();
    assert_eq!(harness.state().state.image.zoom, Some(1.0));
    // Without keeping, the next row starts fitted.
    harness.key_press(Key::ArrowRight);
    harness.run();
    assert_eq!(harness.state().state.image.zoom, None);

    harness.get_by_label("1:1").click();
    harness
        .get_by_label("Keep zoom and position across rows")
        .click();
    harness.run();
    harness.key_press(Key::ArrowRight);
    harness.run();
    let view = &harness.state().state.image;
    assert_eq!((view.zoom, view.keep), (Some(1.0), true));
    assert_eq!(view.row, harness.state().app.session().unwrap().selected);
}

#[test]
fn side_panels_collapse_with_keys_and_hidden_columns_are_remembered() {
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    harness.get_by_label("New tag:");
    harness.key_press(Key::OpenBracket);
    harness.run();
    assert!(
        harness.query_by_label("New tag:").is_none(),
        "the sidebar is hidden"
    );
    harness.key_press(Key::OpenBracket);
    harness.run();
    harness.get_by_label("New tag:");
    harness.key_press(Key::CloseBracket);
    harness.run();
    assert!(
        harness.query_by_label("Note").is_none(),
        "the inspector is hidden"
    );
    harness.key_press(Key::CloseBracket);
    harness.run();

    // Right-click a column title, untick "tags": the column goes, and stays gone.
    harness.get_by_label("tags").click_secondary();
    harness.run();
    harness
        .get_by_role_and_label(egui::accesskit::Role::CheckBox, "tags")
        .click();
    harness.run();
    assert_eq!(
        harness.state().app.session().unwrap().hidden_columns,
        ["tags"]
    );
    assert!(harness.query_by_label("tags").is_none());
    drop(harness);
    let harness = open(&dataset.with_extension("errata"));
    assert_eq!(
        harness.state().app.session().unwrap().hidden_columns,
        ["tags"]
    );
}

#[test]
fn the_selected_row_stays_in_view_after_sorting() {
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    harness.key_press(Key::End);
    harness.run();
    let row = selected(&harness).unwrap();
    let at = |harness: &Harness<'_, Window>| harness.state().state.table.revealed;
    assert_eq!(at(&harness), Some((row, 59)));
    // Sorting by id the other way moves it to the top: the table follows it there.
    harness.get_by_label("id").click();
    harness.run();
    harness.get_by_label("id ^").click();
    harness.run();
    let session = harness.state().app.session().unwrap();
    let position = session.position(row).unwrap();
    assert_eq!(at(&harness), Some((row, position)));
    assert_eq!(selected(&harness), Some(row));
}

#[test]
fn without_a_file_dialog_the_app_says_so_and_typed_paths_take_over() {
    let mut harness = window(None);
    harness.run();
    harness.get_by_label("Open dataset folder...").click();
    harness.run();
    let error = harness.state().app.error().unwrap_or_default().to_string();
    assert!(error.contains("No file dialog appeared"), "{error}");

    // Export: the window offers a typed path, filled in beside the project.
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    harness.get_by_label("Export report...").click();
    harness.run();
    let suggested = dataset.with_file_name("speech-report.html");
    assert_eq!(
        harness.state().state.drafts.export_path,
        suggested.display().to_string()
    );
    // The native dialog does not appear: the window says so and stays.
    harness.get_by_label("Browse...").click();
    harness.run();
    harness.get_by_label_contains("No file dialog appeared");
    harness.get_by_label("Export").click();
    wait_until(&mut harness, |app| {
        app.session()
            .is_some_and(|s| s.status.starts_with("Exported the report"))
    });
    let html = std::fs::read_to_string(&suggested).unwrap();
    assert!(html.contains("<h2>Slices</h2>"));
    assert!(harness.state().app.export_window().is_none());
}

#[test]
fn the_mapping_check_probes_media_and_names_what_cannot_be_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/images");
    std::fs::copy(images.join("tiny.webp"), dir.path().join("a.webp")).unwrap();
    std::fs::copy(images.join("tiny.tiff"), dir.path().join("b.tiff")).unwrap();
    std::fs::write(dir.path().join("c.png"), b"not an image").unwrap();
    std::fs::write(
        dir.path().join("metadata.csv"),
        "id,label,prediction,image\nr1,x,x,a.webp\nr2,x,y,b.tiff\nr3,y,y,c.png\n",
    )
    .unwrap();
    let mut harness = window(Some(dir.path().to_path_buf()));
    wait_until(&mut harness, |app| {
        matches!(app.screen(), Screen::Mapping(_))
    });
    harness.run();
    harness.get_by_label_contains("Media: 1 of 3 files probed cannot be decoded");
    harness.get_by_label_contains("c.png: ");
    assert!(harness.query_by_label("No problems found.").is_none());
}

#[test]
fn the_audit_editor_marks_the_bad_line_and_refuses_a_spec_without_checks() {
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Audit");
    let replace = |harness: &mut Harness<'_, Window>, text: &str| {
        harness.get_by_label("Audit spec (TOML)").click();
        harness.run();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
        harness.get_by_label("Audit spec (TOML)").type_text(text);
        harness.run();
    };
    replace(&mut harness, "[signoff]\nowner = \"me\"\n");
    harness.get_by_label_contains("Line 1: the spec has no [[check]]");
    assert!(
        harness
            .get_by_label("Check and save")
            .accesskit_node()
            .is_disabled()
    );
    replace(
        &mut harness,
        "[[check]]\nrisk = \"too many errors\"\nmetric = \"accuracy\"\nmin = 95\n",
    );
    harness.get_by_label_contains("Line 1: check \"too many errors\": the threshold 95");
    replace(
        &mut harness,
        "[[check]]\nrisk = \"too many errors\"\nmetric = \"accuracy\"\nmin = 0.3\n",
    );
    assert!(harness.query_by_label_contains("Line ").is_none());
    harness.get_by_label("Check and save").click();
    harness.run();
    harness.get_by_label_contains("Every judged group passes");
    // In the app's units: a percentage, not a fraction.
    harness.get_by_label(">= 30.0 %");
}

#[test]
fn a_sample_opens_from_a_copy_in_the_data_folder_never_in_the_install_folder() {
    let copies = tempfile::tempdir().unwrap();
    let mut harness = common::window_with_samples(None, copies.path().to_path_buf());
    harness.run();
    harness
        .get_by_label_contains("speech: 60 spoken commands")
        .click();
    wait_until(&mut harness, |app| {
        matches!(app.screen(), Screen::Mapping(_))
    });
    harness.run();
    harness.get_by_label("Create project").click();
    wait_until(&mut harness, figures_shown);
    let project = harness
        .state()
        .app
        .session()
        .unwrap()
        .project
        .store
        .path()
        .to_path_buf();
    assert_eq!(project, copies.path().join("speech.errata"));
    assert!(copies.path().join("speech/metadata.csv").is_file());
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    assert!(
        !bundled.join("speech.errata").exists(),
        "nothing is written beside the samples"
    );
}

#[test]
fn the_window_icon_is_the_bundled_mark() {
    let icon = errata::ui::window_icon().expect("the embedded icon decodes");
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
}

#[test]
fn labels_section_finds_label_errors_and_a_correction_changes_every_figure() {
    use errata::app::session::Command;
    use errata::data::project::LabelVerdict;
    let (_dir, dataset) = sample("phones");
    let mut harness = open(&dataset);
    harness.get_by_label("Dashboard").click();
    harness.run();
    harness.get_by_label("Labels").click();
    harness.run();
    harness.get_by_label("Agreement between annotators");
    harness.get_by_label_contains("low agreement");
    let before = analysis(&harness).overall.accuracy;
    // The most suspect row is a link to it in the review table.
    let first = analysis(&harness).label_issues.clone().unwrap()[0].clone();
    assert_eq!(
        (first.given.as_str(), first.suggested.as_str()),
        ("dent", "scratch")
    );
    harness.get_by_label(&first.id).click();
    harness.run();
    assert_eq!(harness.state().app.view(), errata::app::View::Review);
    assert_eq!(
        harness.state().app.session().unwrap().selected,
        Some(first.row as u32)
    );
    // The inspector shows every annotator's label and offers the correction.
    harness.get_by_label("annotator_ana");
    harness.get_by_label("Confirm label");
    let ctx = harness.ctx.clone();
    harness.state_mut().app.apply(
        vec![Command::ReviewLabel(LabelVerdict::Corrected("scratch".into())).into()],
        &ctx,
    );
    harness.run();
    let session = harness.state().app.session().unwrap();
    let corrected = session
        .figures()
        .unwrap()
        .analysis
        .corrected_labels
        .unwrap();
    assert_eq!(corrected.count, 1);
    assert!(corrected.accuracy_after > corrected.accuracy_before);
    assert_eq!(
        session.figures().unwrap().analysis.overall.accuracy,
        before,
        "figures as given until switched"
    );
    // The switch shows every figure with the corrected label, and back.
    harness.get_by_label("Dashboard").click();
    harness.run();
    harness
        .get_by_label("Show every figure with the corrected labels")
        .click();
    // The figures are computed again over the other labels.
    wait_until(&mut harness, figures_shown);
    harness.run();
    let session = harness.state().app.session().unwrap();
    assert_eq!(
        session.figures().unwrap().analysis.overall.accuracy,
        corrected.accuracy_after
    );
    assert_eq!(
        session.figures().unwrap().analysis.corrected_labels,
        Some(corrected)
    );
    harness
        .get_by_label("Show every figure with the corrected labels")
        .click();
    // The figures are computed again over the other labels.
    wait_until(&mut harness, figures_shown);
    harness.run();
    assert_eq!(analysis(&harness).overall.accuracy, before);
    // The correction is an edit: undo takes it back.
    harness
        .state_mut()
        .app
        .apply(vec![Command::Undo.into()], &ctx);
    harness.run();
    let session = harness.state().app.session().unwrap();
    assert_eq!(
        session
            .figures()
            .unwrap()
            .analysis
            .corrected_labels
            .unwrap()
            .count,
        0
    );
}

/// The Drift section, driven as a user would: the current set typed and compared, the new
/// device named with its share, its rows listed on a click, windows cut by day with alarms,
/// and the pairing kept in the project for the next time it opens.
#[test]
fn drift_section_compares_a_current_set_and_lists_the_rows_behind_a_new_device() {
    use errata::app::drift::{DriftCommand, DriftState};
    use errata::app::session::Command;
    let (dir, dataset) = sample("speech");
    let current = dir.path().join("speech-current");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/speech-current"),
        &current,
    );
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Drift");
    harness.get_by_label_contains("No current set yet");
    let ctx = harness.ctx.clone();
    let compare = |c: DriftCommand| AppCommand::Review(Command::Drift(c));
    harness.state_mut().app.apply(
        vec![compare(DriftCommand::SetCurrent(current.clone()))],
        &ctx,
    );
    wait_until(&mut harness, |app| {
        !app.session().unwrap().drift.is_running()
    });
    harness.run();
    if let DriftState::Failed(e) = &harness.state().app.session().unwrap().drift.state {
        panic!("{e}");
    }
    harness.get_by_label_contains("columns drifted");
    harness
        .get_by_label("smartwatch: 25.0 % of current, 0 in reference")
        .click();
    harness.run();
    harness.get_by_label("Current rows: device = smartwatch (15 rows)");
    harness.get_by_label("prod_031");
    // Each listed clip plays from the list, decoded in the background.
    harness.get_all_by_label("Play").next().unwrap().click();
    harness.run();
    wait_until(&mut harness, |app| {
        app.playing_file()
            .is_some_and(|p| p.ends_with("clips/prod_031.wav"))
    });
    for _ in 0..20 {
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(harness.state().app.error(), None);
    // Daily windows: the chart and a window list with alarms.
    harness.state_mut().app.apply(
        vec![compare(DriftCommand::SetWindow(Some(
            errata::model::drift::monitor::Window::Seconds(86_400),
        )))],
        &ctx,
    );
    wait_until(&mut harness, |app| {
        !app.session().unwrap().drift.is_running()
    });
    harness.run();
    harness.get_by_label("Over time");
    harness.get_by_label_contains("2026-11-02 (n=");
    // An entered band replaces the reference's: typed, set, kept in the project.
    harness.get_by_label("Alarm band from").click();
    harness.run();
    harness.get_by_label("Alarm band from").type_text("-1000");
    harness.run();
    harness.get_by_label("to").click();
    harness.run();
    harness.get_by_label("to").type_text("1000");
    harness.run();
    harness.get_by_label("Set band").click();
    wait_until(&mut harness, |app| {
        !app.session().unwrap().drift.is_running()
    });
    harness.run();
    harness.get_by_label_contains("(entered)");
    // Kept in the project: opening it again compares at once.
    let project = harness
        .state()
        .app
        .session()
        .unwrap()
        .project
        .store
        .path()
        .to_path_buf();
    let settings = errata::data::project::Project::open(&project)
        .unwrap()
        .drift_settings();
    assert!(settings.current.unwrap().ends_with("speech-current"));
    assert_eq!(
        settings.options.window,
        Some(errata::model::drift::monitor::Window::Seconds(86_400))
    );
    let band = settings.options.bands.values().next().unwrap();
    assert_eq!((band.low, band.high), (Some(-1000.0), Some(1000.0)));
    // Measuring the media adds the clips' input metrics to the comparison and, as slices,
    // to every figure.
    harness.get_by_label("Measure the media").click();
    wait_until(&mut harness, |app| {
        !app.session().unwrap().drift.is_running()
    });
    // The new slices' figures are computed again.
    wait_until(&mut harness, figures_shown);
    harness.run();
    let session = harness.state().app.session().unwrap();
    assert!(
        session
            .project
            .dataset
            .set
            .slice("audio RMS (dBFS)")
            .is_some()
    );
    assert!(
        session
            .figures()
            .unwrap()
            .analysis
            .slices
            .iter()
            .any(|s| s.column == "audio clipped share")
    );
    harness.get_by_label("audio RMS (dBFS)");
}

/// A current set that cannot be compared says why in the Drift section, and the project
/// is unchanged.
#[test]
fn a_current_set_without_the_reference_columns_is_refused_with_its_reason() {
    use errata::app::drift::DriftState;
    let (dir, dataset) = sample("speech");
    let current = dir.path().join("production.csv");
    std::fs::write(&current, "id,prediction,device\nx1,call mom,watch\n").unwrap();
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Drift");
    let tags_before = harness
        .state()
        .app
        .session()
        .unwrap()
        .project
        .book
        .names()
        .to_vec();
    // Typed and given with Enter, as a keyboard user would.
    harness.get_by_label("Current set:").click();
    harness.run();
    harness
        .get_by_label("Current set:")
        .type_text(&current.display().to_string());
    harness.run();
    harness.key_press(egui::Key::Enter);
    wait_until(&mut harness, |app| {
        !app.session().unwrap().drift.is_running()
    });
    harness.run();
    let DriftState::Failed(message) = &harness.state().app.session().unwrap().drift.state else {
        panic!("the comparison should fail");
    };
    for part in ["production.csv", "slice column", "same columns"] {
        assert!(message.contains(part), "{part:?} in {message}");
    }
    assert!(
        harness
            .get_all_by_label_contains("same columns")
            .next()
            .is_some()
    );
    assert_eq!(
        harness.state().app.session().unwrap().project.book.names(),
        tags_before.as_slice()
    );
    assert_eq!(harness.state().app.error(), None);
}

#[test]
fn find_slices_ranks_slices_shows_their_rows_and_adds_an_audit_check() {
    use errata::app::session::Command;
    use errata::app::slice_finder::FinderCommand;
    use errata::model::slice_finder::{Params, Search};
    let (_dir, dataset) = sample("speech");
    let mut harness = open(&dataset);
    dashboard(&mut harness, "Find slices");
    // The package's defaults find nothing on 60 rows, and say what to change.
    harness.get_by_label("Search").click();
    harness.run();
    wait_until(&mut harness, |app| {
        !app.session().unwrap().finder.is_running()
    });
    harness.run();
    harness.get_by_label_contains("A higher alpha weighs a slice's error rate more");
    // Enter in the minimum support field searches with it.
    harness.get_by_label("min support").click();
    harness.run();
    harness.get_by_label("min support").type_text("20");
    harness.key_press(Key::Enter);
    harness.run();
    wait_until(&mut harness, |app| {
        !app.session().unwrap().finder.is_running()
    });
    harness.run();
    assert_eq!(
        harness
            .state()
            .app
            .session()
            .unwrap()
            .finder
            .search
            .params
            .min_support,
        errata::model::slice_finder::MinSupport::Rows(20)
    );
    harness.get_by_label_contains("at least 20 rows");
    let ctx = harness.ctx.clone();
    let search = Search {
        params: Params {
            alpha: 0.95,
            k: 3,
            ..Params::default()
        },
        ..Search::default()
    };
    harness.state_mut().app.apply(
        vec![AppCommand::Review(Command::Slices(FinderCommand::Run(
            search.clone(),
        )))],
        &ctx,
    );
    wait_until(&mut harness, |app| {
        !app.session().unwrap().finder.is_running()
    });
    harness.run();
    harness.get_by_label("speaker_gender = male and noise = babble");
    // Kept in the project for the next open and for reports.
    assert_eq!(
        harness
            .state()
            .app
            .session()
            .unwrap()
            .project
            .slice_search(),
        Some(search)
    );
    harness
        .get_all_by_label("Add as audit check")
        .next()
        .unwrap()
        .click();
    harness.run();
    let session = harness.state().app.session().unwrap();
    let audit = session.audit.as_ref().unwrap().as_ref().unwrap();
    assert_eq!(
        audit.results[0].group,
        "noise = babble and speaker_gender = male"
    );
    assert_eq!(audit.results[0].n, 11);
    // The grid: accent down, noise across; a cell's rows in the review table.
    harness.get_by_label("down").click();
    harness.run();
    harness.get_by_label("accent").click();
    harness.run();
    harness.get_by_label("across").click();
    harness.run();
    harness.get_by_label("noise").click();
    harness.run();
    let grid = harness
        .state()
        .app
        .session()
        .unwrap()
        .finder
        .grid
        .clone()
        .unwrap();
    assert_eq!(grid.down_values.len(), 4);
    assert_eq!(grid.across_values.len(), 3);
    let n: u64 = grid.cells.iter().map(|c| c.n).sum();
    assert_eq!(n, 60);
    harness
        .get_all_by_label("Show rows")
        .next()
        .unwrap()
        .click();
    harness.run();
    assert_eq!(harness.state().app.session().unwrap().rows.len(), 11);
    harness.get_by_label_contains("11 of 60 rows shown");
}

#[test]
fn enter_in_the_project_file_field_creates_the_project() {
    let (_dir, dataset) = sample("speech");
    let mut harness = app(dataset.clone());
    wait_until(&mut harness, |app| {
        matches!(app.screen(), Screen::Mapping(_))
    });
    harness.run();
    harness.get_by_label_contains("task: ");
    harness.get_by_label("Project file:").click();
    harness.run();
    harness.key_press(Key::Enter);
    wait_until(&mut harness, figures_shown);
    assert_eq!(harness.state().app.error(), None);
    assert!(dataset.with_extension("errata").is_file());
}
