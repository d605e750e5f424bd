//! Hostile media: truncated and corrupt images and audio, a PNG declaring 60000 x 60000
//! pixels, empty and header-only WAVs, a 2-hour WAV, a folder where a file is expected, a link
//! leading out of the dataset. Each gives an error naming the file, in bounded time and
//! memory, in the decoders, in reports and in the app, which keeps working.

use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
use std::time::Duration;

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable};
use errata::app::audio::decode_clip;
use errata::app::images::decode;
mod common;

use common::{wait_until, window};
use errata::app::Screen;
use errata::ui::Window;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hostile")
}

const IMAGES: [&str; 5] = [
    "truncated.png",
    "corrupt.png",
    "huge_dimensions.png",
    "truncated.jpg",
    "corrupt.jpg",
];
const CLIPS: [&str; 8] = [
    "truncated.wav",
    "zero_length.wav",
    "header_only.wav",
    "corrupt.wav",
    "truncated.flac",
    "corrupt.flac",
    "corrupt.mp3",
    "truncated.mp3",
];

/// Runs `f` on a thread and fails the test if it has not answered within a minute: a hang
/// guard, not a measurement.
fn answers<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    receive
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what}: no answer within a minute"))
}

#[test]
fn every_broken_image_is_refused_with_its_name() {
    for name in IMAGES {
        let path = corpus().join(name);
        let result = answers(name, move || decode(&path).map(|i| i.size));
        let message = result.expect_err(name);
        assert!(message.contains(name), "{name}: {message}");
    }
    let folder = tempfile::tempdir().unwrap();
    let fake = folder.path().join("photo.png");
    std::fs::create_dir(&fake).unwrap();
    let message = decode(&fake).unwrap_err();
    assert!(message.contains("photo.png"), "{message}");
}

#[test]
fn every_broken_clip_is_refused_with_its_name() {
    for name in CLIPS {
        let path = corpus().join(name);
        let result = answers(name, move || decode_clip(&path).map(|c| c.duration));
        let message = result.expect_err(name);
        assert!(message.contains(name), "{name}: {message}");
    }
    let folder = tempfile::tempdir().unwrap();
    let fake = folder.path().join("clip.wav");
    std::fs::create_dir(&fake).unwrap();
    assert!(decode_clip(&fake).err().unwrap().contains("clip.wav"));
}

/// 2 hours of 8 kHz, 8-bit mono silence (57.6 MB), written for the test.
fn two_hour_wav(path: &Path) {
    let samples: u32 = 2 * 3600 * 8000;
    let mut bytes = Vec::with_capacity(44 + samples as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + samples).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    for field in [1u16, 1] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&8000u32.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&8u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&samples.to_le_bytes());
    bytes.resize(44 + samples as usize, 128);
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_two_hour_clip_is_refused_before_it_fills_memory() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("long.wav");
    two_hour_wav(&path);
    let message = answers("long.wav", move || decode_clip(&path).map(|c| c.duration))
        .expect_err("a 2-hour clip");
    assert!(
        message.contains("long.wav") && message.contains("20 minutes"),
        "{message}"
    );
}

/// A dataset whose rows point at every hostile file.
fn hostile_dataset(files: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hostile");
    std::fs::create_dir_all(data.join("media")).unwrap();
    let mut csv = String::from("id,file_name,label,prediction\n");
    for (i, name) in files.iter().enumerate() {
        std::fs::copy(corpus().join(name), data.join("media").join(name)).unwrap();
        csv.push_str(&format!("r{i},media/{name},a,b\n"));
    }
    std::fs::write(data.join("metadata.csv"), csv).unwrap();
    (dir, data)
}

fn run_through(files: &[&str], shown: &str) {
    let (_dir, data) = hostile_dataset(files);
    let mut harness = app_at_mapping(data);
    harness.get_by_label("Create project").click();
    wait_until(&mut harness, |app| app.session().is_some());
    for (row, name) in files.iter().enumerate() {
        let row = row as u32;
        wait_until(&mut harness, |app| {
            app.images().get(row).is_some() || app.audio().get(row).is_some()
        });
        harness.run();
        // The message names the file (as does the file line above it).
        let names_it = harness.query_all_by_label_contains(name).any(|node| {
            let node = node.accesskit_node();
            node.label()
                .or_else(|| node.value())
                .is_some_and(|text| text.contains(shown))
        });
        assert!(names_it, "no {shown:?} message naming {name}");
        harness.key_press(Key::ArrowRight);
    }
    // The app keeps working: a tag, undo, the dashboard.
    harness.key_press(Key::Num1);
    harness.run();
    assert_eq!(harness.state().app.error(), None);
    harness.get_by_label("Dashboard").click();
    harness.run();
}

#[test]
fn the_app_shows_an_error_tile_for_every_broken_image() {
    run_through(&IMAGES, "Cannot show the image");
}

#[test]
fn the_app_shows_a_message_for_every_broken_clip() {
    run_through(&CLIPS, "Cannot play the clip");
}

#[test]
fn reports_on_hostile_media_complete() {
    let mut files = IMAGES.to_vec();
    files.extend(CLIPS);
    let (_dir, data) = hostile_dataset(&files);
    let out = common::errata_command()
        .args(["report", data.to_str().unwrap(), "--format", "html"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).ends_with("</html>\n"));
}

/// Opens `data` in the app (audio off) and returns the harness at the mapping dialog.
fn app_at_mapping(data: PathBuf) -> Harness<'static, Window> {
    let mut harness = window(Some(data));
    wait_until(&mut harness, |app| {
        matches!(app.screen(), Screen::Mapping(_))
    });
    harness.run();
    harness
}

#[test]
fn an_image_path_that_is_a_folder_gets_an_error_tile() {
    let (_dir, data) = hostile_dataset(&["corrupt.png"]);
    std::fs::create_dir(data.join("media/folder.png")).unwrap();
    let csv = std::fs::read_to_string(data.join("metadata.csv")).unwrap();
    std::fs::write(
        data.join("metadata.csv"),
        format!("{csv}r1,media/folder.png,a,b\n"),
    )
    .unwrap();
    let out = common::errata_command()
        .args(["report", data.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("media/folder.png (row 2)"),
        "the report warns of it as a missing file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut harness = app_at_mapping(data);
    harness.get_by_label("Create project").click();
    wait_until(&mut harness, |app| app.session().is_some());
    harness.key_press(Key::ArrowRight);
    harness.run();
    assert!(harness.query_all_by_label_contains("folder.png").count() >= 2);
    assert_eq!(harness.state().app.session().unwrap().selected, Some(1));
    harness.key_press(Key::Num1);
    harness.run();
    assert_eq!(harness.state().app.error(), None);
}

#[cfg(unix)]
#[test]
fn a_link_out_of_the_dataset_is_refused_by_name_in_reports_and_the_app() {
    let (dir, data) = hostile_dataset(&["corrupt.png"]);
    std::fs::copy(corpus().join("source.jpg"), dir.path().join("private.jpg")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("private.jpg"),
        data.join("media/escape.jpg"),
    )
    .unwrap();
    let csv = std::fs::read_to_string(data.join("metadata.csv")).unwrap();
    std::fs::write(
        data.join("metadata.csv"),
        format!("{csv}r1,media/escape.jpg,a,b\n"),
    )
    .unwrap();
    let out = common::errata_command()
        .args(["report", data.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("media/escape.jpg")
            && stderr.contains("row 2")
            && stderr.contains("leads outside the dataset folder"),
        "{stderr}"
    );
    let harness = app_at_mapping(data);
    let message = harness.get_by_label_contains("leads outside the dataset folder");
    let label = format!("{message:?}");
    assert!(label.contains("media/escape.jpg"), "{label}");
    assert!(
        harness.state().app.session().is_none(),
        "no project is made from it"
    );
}

#[test]
fn every_image_format_the_loader_accepts_is_decoded() {
    use errata::data::media::{IMAGE_EXTENSIONS, MediaKind, media_kind};
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/images");
    for ext in IMAGE_EXTENSIONS {
        assert_eq!(media_kind(&format!("x.{ext}")), MediaKind::Image);
    }
    // One committed file per format (jpeg and tif are other names of jpg and tiff).
    for ext in ["png", "jpg", "bmp", "gif", "tiff", "webp"] {
        let path = folder.join(format!("tiny.{ext}"));
        let image = decode(&path).unwrap_or_else(|e| panic!("{ext}: {e}"));
        assert_eq!(image.size, [6, 4], "{ext}");
        // Left half red, right half blue (the GIF's first frame; JPEG is lossy).
        let [left, right] = [image.pixels[6], image.pixels[11]];
        assert!(left.r() > 200 && left.b() < 60, "{ext}: left is {left:?}");
        assert!(
            right.b() > 200 && right.r() < 60,
            "{ext}: right is {right:?}"
        );
    }
}
