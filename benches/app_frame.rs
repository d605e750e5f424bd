//! The desktop app at 1,000,000 rows, headless through egui_kittest: the UI work of a frame
//! while stepping with → (the table follows), while jumping far through the table, and when a
//! tag is toggled, in the review view and with the dashboard open; plus the cold decode of a
//! 12-megapixel JPEG.
//!
//! Run: `cargo bench --bench app_frame`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::synthetic;
use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use errata::app::session::Command;
use errata::app::{AppCommand, Options};
use errata::model::filter::{Outcome, RowFilter};
use errata::model::order::{Order, SortKey};
use errata::ui::Window;
use errata::ui::thousands;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |p: f64| ms(times[((times.len() as f64 * p) as usize).min(times.len() - 1)]);
    println!(
        "{name}: {} frames, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target < 8 ms)",
        times.len(),
        at(0.5),
        at(0.99),
        ms(times[times.len() - 1])
    );
}

fn main() {
    let rows = common::rows_arg(1_000_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    let (_, parquet) = synthetic(&dir, rows);
    let start = Instant::now();
    let project = dir.join(format!("frames-{}.errata", std::process::id()));
    errata::data::project::Project::init(
        &parquet,
        &errata::data::MappingRequest::default(),
        &project,
    )
    .unwrap();
    println!(
        "{rows} rows: created the project (load + tags column) in {:.0} ms",
        ms(start.elapsed())
    );

    let path = project.clone();
    let mut harness = Harness::builder()
        .with_size([1400.0, 860.0])
        .build_eframe(move |cc| Window::new(cc, Some(path), Options::default()));
    let start = Instant::now();
    while harness.state().app.session().is_none() {
        assert!(
            harness.state().app.error().is_none(),
            "{:?}",
            harness.state().app.error()
        );
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    println!(
        "opened the {rows}-row project in the app: {:.0} ms",
        ms(start.elapsed())
    );
    // The dashboard's frames are timed with its figures shown.
    while harness
        .state()
        .app
        .session()
        .is_some_and(|s| s.figures().is_none())
    {
        harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    println!(
        "the figures arrived {:.0} ms after the open began",
        ms(start.elapsed())
    );
    for _ in 0..5 {
        harness.step();
    }

    let frame = |harness: &mut Harness<'_, Window>| {
        let start = Instant::now();
        harness.step();
        start.elapsed()
    };
    let stepping: Vec<Duration> = (0..300)
        .map(|_| {
            harness.key_press(Key::ArrowRight);
            frame(&mut harness)
        })
        .collect();
    summary("stepping with →", stepping);

    let jumping: Vec<Duration> = (0..100)
        .map(|i| {
            apply(
                &mut harness,
                Command::Select(((i * rows / 100 + i * 9_973) % rows) as u32),
            );
            frame(&mut harness)
        })
        .collect();
    summary(
        "jumping through the table (scrolls to rows 1 % of the table apart, across pages)",
        jumping,
    );

    // The last row is reachable and shown at its exact place (the table is paged, so row
    // positions never go through a large f32 scroll offset).
    apply(&mut harness, Command::Select(rows as u32 - 1));
    for _ in 0..3 {
        harness.step();
    }
    // Once in the table's row, once in the inspector's title.
    let shown = harness
        .query_all_by_label(&format!("ex{:07}", rows - 1))
        .count();
    assert_eq!(
        shown, 2,
        "the last row's id is shown in the table and the inspector"
    );
    let last_page = (rows - 1) / errata::ui::PAGE_ROWS * errata::ui::PAGE_ROWS;
    harness.get_by_label(&format!(
        "rows {}-{} of {}",
        thousands(last_page + 1),
        thousands(rows),
        thousands(rows)
    ));
    println!("the last row, ex{:07}, is shown on the last page", rows - 1);

    let mut edits = Vec::new();
    let toggling: Vec<Duration> = (0..100)
        .map(|_| {
            let start = Instant::now();
            apply(&mut harness, Command::ToggleHotkey(1));
            edits.push(start.elapsed());
            frame(&mut harness)
        })
        .collect();
    summary("frame after toggling a tag", toggling);
    summary(
        "the tag toggle itself (committed SQLite write + counters)",
        edits,
    );

    // Commands that pass over every row: a filter change, a search, and sorting by a number
    // and by text (each applied and its frame drawn).
    let whole_table = [
        (
            "filter: errors only",
            Command::SetFilter(RowFilter {
                outcome: Outcome::Errors,
                ..RowFilter::default()
            }),
        ),
        (
            "filter: search \"ex12\"",
            Command::SetFilter(RowFilter {
                search: "ex12".into(),
                ..RowFilter::default()
            }),
        ),
        ("filter: none", Command::SetFilter(RowFilter::default())),
        (
            "sort by confidence (the first time)",
            Command::Sort(Order {
                key: SortKey::Confidence,
                descending: true,
            }),
        ),
        (
            "filter: errors only, sorted by confidence",
            Command::SetFilter(RowFilter {
                outcome: Outcome::Errors,
                ..RowFilter::default()
            }),
        ),
        ("filter: none", Command::SetFilter(RowFilter::default())),
        (
            "sort by confidence, ascending",
            Command::Sort(Order {
                key: SortKey::Confidence,
                descending: false,
            }),
        ),
        (
            "sort by ground truth (text)",
            Command::Sort(Order {
                key: SortKey::Truth,
                descending: false,
            }),
        ),
        (
            "sort by id (text) (the first time)",
            Command::Sort(Order {
                key: SortKey::Id,
                descending: true,
            }),
        ),
        (
            "sort by id (text), ascending",
            Command::Sort(Order {
                key: SortKey::Id,
                descending: false,
            }),
        ),
        (
            "sort by tags",
            Command::Sort(Order {
                key: SortKey::Tags,
                descending: true,
            }),
        ),
        ("sort by row", Command::Sort(Order::default())),
    ];
    for (name, command) in whole_table {
        let start = Instant::now();
        apply(&mut harness, command);
        harness.step();
        println!("{name}: {:.0} ms until drawn", ms(start.elapsed()));
    }

    // The dashboard's prioritisation table open while tagging: every figure follows the edit.
    apply(&mut harness, AppCommand::Show(errata::app::View::Dashboard));
    for _ in 0..5 {
        harness.step();
    }
    let dashboard: Vec<Duration> = (0..100)
        .map(|_| {
            apply(&mut harness, Command::ToggleHotkey(1));
            frame(&mut harness)
        })
        .collect();
    summary(
        "dashboard frame after toggling a tag (all figures updated)",
        dashboard,
    );
    drop(harness);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", project.display()));
    }

    // Cold decode of a 12-megapixel JPEG.
    let jpeg = dir.join("12mp.jpg");
    if !jpeg.exists() {
        let image = image::RgbImage::from_fn(4000, 3000, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x ^ y) % 239) as u8])
        });
        image.save(&jpeg).unwrap();
    }
    let decodes: Vec<Duration> = (0..5)
        .map(|_| {
            let start = Instant::now();
            errata::app::images::decode(&jpeg).unwrap();
            start.elapsed()
        })
        .collect();
    println!(
        "cold decode of a 4000x3000 JPEG: {:.0} ms median (target < 150 ms)",
        ms({
            let mut d = decodes.clone();
            d.sort();
            d[2]
        })
    );
}

/// Applies a command as the window would after drawing a frame.
fn apply(harness: &mut Harness<'_, Window>, command: impl Into<AppCommand>) {
    let ctx = harness.ctx.clone();
    harness.state_mut().app.apply(vec![command.into()], &ctx);
}
