//! The desktop app driven as a user would, through egui_kittest: by labels and key presses.

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use errata::app::ErrataApp;
use errata::data::store::Store;

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

/// Opens the app on `path` and waits (bounded) for the background load to finish.
fn open(path: &Path) -> Harness<'static, ErrataApp> {
    let path = path.to_path_buf();
    let mut harness = Harness::builder()
        .with_size([1400.0, 860.0])
        .build_eframe(move |cc| ErrataApp::new(cc, Some(path)));
    for _ in 0..400 {
        harness.step();
        if harness.state().session().is_some() || harness.state().error.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert_eq!(harness.state().error, None);
    assert!(
        harness.state().session().is_some(),
        "the dataset did not load"
    );
    harness.run();
    harness
}

fn selected(harness: &Harness<'_, ErrataApp>) -> Option<u32> {
    harness.state().session().unwrap().selected
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
    let session = harness.state().session().unwrap();
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
            && harness.state().images.get(0).is_some()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        matches!(harness.state().images.get(0), Some(Ok(_))),
        "the first image was decoded"
    );
    harness.key_press(Key::ArrowRight);
    for _ in 0..200 {
        harness.step();
        if harness.state().images.get(1).is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.run();
    harness.get_by_label_contains("Cannot show the image");
    harness.get_by_label_contains("phone_002.png");
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
    let mut harness = Harness::builder()
        .with_size([1400.0, 860.0])
        .build_eframe(move |cc| ErrataApp::new(cc, Some(bad)));
    for _ in 0..400 {
        harness.step();
        if harness.state().error.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
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
