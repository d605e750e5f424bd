//! SIGKILL at every stage: creating a project, importing tags, undoing, relocating and
//! exporting a report. Whenever the process dies, the project still opens with every edit it
//! acknowledged, an interrupted edit is either all there or not at all, and a report file is
//! either complete or absent.
//!
//! The command-line stages are killed at eight points spread over the time an uninterrupted
//! run takes, on a table large enough (200,000 rows) for the kills to land mid-work.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use errata::data::MappingRequest;
use errata::data::project::Project;
use errata::data::store::Store;

const ROWS: usize = 200_000;
const KILL_POINTS: u32 = 8;

type Assignments = BTreeSet<(String, String)>;

/// A dataset of `rows` rows in `<dir>/data/metadata.csv`; rows 0–3 carry the tag "blurry".
fn dataset(dir: &Path, rows: usize) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut csv = String::from("id,label,prediction,human_label,site,tags\n");
    for i in 0..rows {
        let label = if i % 2 == 0 { "cat" } else { "dog" };
        let prediction = if i % 5 == 0 { "dog" } else { label };
        let tags = if i < 4 { "blurry" } else { "" };
        let site = if i % 3 == 0 { "north" } else { "south" };
        csv.push_str(&format!(
            "r{i},{label},{prediction},{label},{site},{tags}\n"
        ));
    }
    std::fs::write(data.join("metadata.csv"), csv).unwrap();
    data
}

fn errata(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Command {
    let mut command = common::errata_command();
    command
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn assignments(project: &Path) -> Assignments {
    let store = Store::open(project).unwrap();
    store.check_integrity().unwrap();
    store.assignments().unwrap().into_iter().collect()
}

/// Removes a project file and whatever SQLite kept beside it.
fn remove_project(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(file));
    }
}

/// Puts a fresh copy of the project file `from` at `to`.
fn restore(from: &Path, to: &Path) {
    remove_project(to);
    std::fs::copy(from, to).unwrap();
}

/// How a run ended: the command finished (and succeeded), or it was killed first.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ended {
    Finished,
    Killed,
}

/// Runs the command to the end to time it, then `KILL_POINTS` more times, each killed
/// (SIGKILL on Unix) at a later point of that time. `reset` prepares the files before each
/// run and `check` inspects them after. Returns how many runs were killed mid-way.
fn kill_throughout(
    stage: &str,
    command: impl Fn() -> Command,
    reset: impl Fn(),
    check: impl Fn(Ended),
) -> u32 {
    // The fastest of three uninterrupted runs: tests running beside this one can slow any
    // single run, which would put the later kill points after the end of a faster run.
    let mut full = Duration::MAX;
    for _ in 0..3 {
        reset();
        let start = Instant::now();
        let status = command().status().unwrap();
        assert!(status.success(), "{stage}: the uninterrupted run failed");
        full = full.min(start.elapsed());
        check(Ended::Finished);
    }
    let mut killed = 0;
    for point in 0..KILL_POINTS {
        reset();
        let mut child = command().spawn().unwrap();
        std::thread::sleep(full * point / KILL_POINTS);
        let ended = match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "{stage}: run {point} failed");
                Ended::Finished
            }
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                killed += 1;
                Ended::Killed
            }
        };
        check(ended);
    }
    assert!(
        killed >= KILL_POINTS / 2,
        "{stage}: only {killed} of {KILL_POINTS} runs were killed before they finished"
    );
    killed
}

#[test]
fn killed_project_creation_leaves_no_project_or_a_whole_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(dir.path(), ROWS);
    let project = dir.path().join("data.errata");
    kill_throughout(
        "init",
        || errata(&[&"init", &data, &"-o", &project]),
        || remove_project(&project),
        |ended| {
            if ended == Ended::Killed && !project.exists() {
                return;
            }
            // The file only ever appears whole: it is renamed into place when complete.
            let opened = Project::open(&project).unwrap();
            assert_eq!(opened.dataset.set.len(), ROWS);
            assert_eq!(assignments(&project).len(), 4);
        },
    );
}

#[test]
fn killed_tag_import_leaves_all_of_it_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(dir.path(), ROWS);
    let pristine = dir.path().join("pristine.errata");
    Project::init(&data, &MappingRequest::default(), &pristine).unwrap();
    let before = assignments(&pristine);
    let mut csv = String::from("id,tag\n");
    let mut imported = before.clone();
    for i in (0..ROWS).step_by(2) {
        let tag = ["car noise", "glare", "blurry"][i % 3];
        csv.push_str(&format!("r{i},{tag}\n"));
        imported.insert((format!("r{i}"), tag.to_string()));
    }
    let tags_csv = dir.path().join("tags.csv");
    std::fs::write(&tags_csv, csv).unwrap();
    let project = dir.path().join("data.errata");
    kill_throughout(
        "import-tags",
        || errata(&[&"import-tags", &project, &tags_csv, &"--create"]),
        || restore(&pristine, &project),
        |ended| {
            let now = assignments(&project);
            let tags: Vec<String> = Store::open(&project)
                .unwrap()
                .tags()
                .unwrap()
                .into_iter()
                .map(|t| t.name)
                .collect();
            if now == before && ended == Ended::Killed {
                assert_eq!(tags, ["blurry"], "tags were created without their import");
            } else {
                assert!(
                    now == imported,
                    "a partial import: {} assignments",
                    now.len()
                );
                assert_eq!(tags.len(), 3);
            }
            assert_eq!(Project::open(&project).unwrap().dataset.set.len(), ROWS);
        },
    );
}

#[test]
fn killed_relocation_leaves_the_project_at_one_place_or_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(dir.path(), ROWS);
    let pristine = dir.path().join("pristine.errata");
    Project::init(&data, &MappingRequest::default(), &pristine).unwrap();
    let moved = dir.path().join("moved");
    std::fs::create_dir(&moved).unwrap();
    std::fs::copy(data.join("metadata.csv"), moved.join("metadata.csv")).unwrap();
    let before = assignments(&pristine);
    let project = dir.path().join("data.errata");
    let (data, moved) = (data.canonicalize().unwrap(), moved.canonicalize().unwrap());
    kill_throughout(
        "relocate",
        || errata(&[&"relocate", &project, &moved]),
        || restore(&pristine, &project),
        |ended| {
            let opened = Project::open(&project).unwrap();
            let at = opened.dataset_path.canonicalize().unwrap();
            match ended {
                Ended::Finished => assert_eq!(at, moved),
                Ended::Killed => assert!(at == moved || at == data, "{}", at.display()),
            }
            assert_eq!(opened.dataset.set.len(), ROWS);
            assert_eq!(assignments(&project), before);
        },
    );
}

/// Starts the command and kills it the moment a file whose name passes `written` appears in
/// `folder`: in the middle of writing it. Returns false if the command finished first.
fn kill_when_writing(mut command: Command, folder: &Path, written: impl Fn(&str) -> bool) -> bool {
    let mut child = command.spawn().unwrap();
    loop {
        let appeared = std::fs::read_dir(folder)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_str().is_some_and(&written));
        if appeared {
            child.kill().unwrap();
            child.wait().unwrap();
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
    }
}

#[test]
fn killed_report_export_leaves_no_partial_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(dir.path(), ROWS);
    let project = dir.path().join("data.errata");
    Project::init(&data, &MappingRequest::default(), &project).unwrap();
    let before = assignments(&project);
    for format in ["html", "json", "md"] {
        let output = dir.path().join(format!("report.{format}"));
        let expected = dir.path().join(format!("expected.{format}"));
        let status = errata(&[&"report", &project, &"--format", &format, &"-o", &expected])
            .status()
            .unwrap();
        assert!(status.success());
        let expected = std::fs::read(&expected).unwrap();
        kill_throughout(
            &format!("report --format {format}"),
            || errata(&[&"report", &project, &"--format", &format, &"-o", &output]),
            || {
                let _ = std::fs::remove_file(&output);
            },
            |ended| {
                match std::fs::read(&output) {
                    Ok(written) => assert!(written == expected, "a partial {format} report"),
                    Err(_) => assert_eq!(ended, Ended::Killed, "a finished run wrote nothing"),
                }
                assert_eq!(assignments(&project), before);
            },
        );
        // And killed in the very middle of writing the file.
        let mut caught = 0;
        for _ in 0..5 {
            let _ = std::fs::remove_file(&output);
            let command = errata(&[&"report", &project, &"--format", &format, &"-o", &output]);
            let name = format!("report.{format}");
            if kill_when_writing(command, dir.path(), |f| {
                f.starts_with(".errata-write-") || f == name
            }) {
                caught += 1;
                if let Ok(written) = std::fs::read(&output) {
                    assert!(written == expected, "a partial {format} report");
                }
            }
        }
        assert!(
            caught > 0,
            "no run of {format} was caught writing its report"
        );
    }
    // The output folder holds only complete reports and, at most, hidden temporary files of
    // the killed runs (removed by a later write once they are stale).
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            !name.starts_with("report.") || name.matches('.').count() == 1,
            "unexpected file {name}"
        );
    }
}

/// One step of the undo child: every third step undoes, the others tag row `r{step % 40}` with
/// `t{step / 40}` (a pair no step repeats).
fn undo_step(step: usize) -> Option<(String, String)> {
    (step % 3 != 2).then(|| (format!("r{}", step % 40), format!("t{}", step / 40)))
}

/// The assignments after `steps` steps of the undo child, on top of `base`.
fn after_steps(base: &Assignments, steps: usize) -> Assignments {
    let mut done: Vec<(String, String)> = Vec::new();
    for step in 0..steps {
        match undo_step(step) {
            Some(pair) => done.push(pair),
            None => {
                done.pop();
            }
        }
    }
    base.iter().cloned().chain(done).collect()
}

/// The loop of a child test run by [`run_child_then_kill`]: makes one committed edit per
/// step on the project it was given and prints "step N" once the edit returned.
fn child_loop(mut edit: impl FnMut(&mut Store, usize)) {
    let Ok(path) = std::env::var("ERRATA_KILL_TEST_PROJECT") else {
        return;
    };
    let mut store = Store::open(Path::new(&path)).unwrap();
    let mut out = std::io::stdout().lock();
    for step in 0.. {
        edit(&mut store, step);
        writeln!(out, "step {step}").unwrap();
        out.flush().unwrap();
    }
}

/// The child side of the undo kill test: tags and undoes.
#[test]
#[ignore = "run by killed_undo_loses_no_acknowledged_edit"]
fn child_tags_and_undoes_in_a_loop() {
    child_loop(|store, step| match undo_step(step) {
        Some((row, tag)) => {
            store.add_tag(&tag, &[&row]).unwrap();
        }
        None => {
            store.undo().unwrap().expect("an edit to undo");
        }
    });
}

/// The child side of the tagging kill test: adds tags one edit at a time.
#[test]
#[ignore = "run by killed_tagging_loses_no_acknowledged_edit"]
fn child_tags_in_a_loop() {
    child_loop(|store, step| {
        let row = format!("r{}", step % 40);
        let tag = format!("t{}", step / 40);
        if store.tag(&tag).unwrap().is_none() {
            store.create_tag(store.new_tag_def(&tag).unwrap()).unwrap();
        }
        store.add_tag(&tag, &[&row]).unwrap();
    });
}

/// Runs the named child test on `project` and kills it once it has acknowledged `steps`
/// edits; returns how many it acknowledged in all.
fn run_child_then_kill(child: &str, project: &Path, steps: usize) -> usize {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", child, "--ignored", "--nocapture"])
        .args(["--test-threads=1"])
        .env("ERRATA_KILL_TEST_PROJECT", project)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // libtest writes "test <name> ... " without a line break before the test's own output,
    // so the first step shares its line: count steps by the number each line ends with.
    let acknowledged_by = |line: &str| {
        line.rsplit_once("step ")
            .and_then(|(_, n)| n.trim().parse::<usize>().ok())
            .map(|step| step + 1)
    };
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acknowledged = 0;
    while acknowledged < steps {
        match lines.next() {
            Some(line) => acknowledged = acknowledged_by(&line.unwrap()).unwrap_or(acknowledged),
            None => break,
        }
    }
    // SIGKILL: no destructors, no flushing, mid-transaction at worst.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        acknowledged >= steps,
        "the child acknowledged only {acknowledged}"
    );
    // It may have gone on while the kill was sent: read every line it wrote before dying.
    lines
        .map_while(Result::ok)
        .filter_map(|line| acknowledged_by(&line))
        .last()
        .unwrap_or(acknowledged)
}

#[test]
fn killed_tagging_loses_no_acknowledged_edit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(dir.path(), 40);
    let project = dir.path().join("data.errata");
    Project::init(&data, &MappingRequest::default(), &project).unwrap();
    let acknowledged = run_child_then_kill("child_tags_in_a_loop", &project, 150);
    let saved = assignments(&project);
    for i in 0..acknowledged {
        let pair = (format!("r{}", i % 40), format!("t{}", i / 40));
        assert!(
            saved.contains(&pair),
            "acknowledged {pair:?} is missing after the kill"
        );
    }
}

#[test]
fn killed_undo_loses_no_acknowledged_edit() {
    let dir = tempfile::tempdir().unwrap();
    let data = dataset(dir.path(), 40);
    let project = dir.path().join("data.errata");
    Project::init(&data, &MappingRequest::default(), &project).unwrap();
    {
        let mut store = Store::open(&project).unwrap();
        for t in 0..20 {
            let def = store.new_tag_def(&format!("t{t}")).unwrap();
            store.create_tag(def).unwrap();
        }
    }
    let base = assignments(&project);
    for kill_after in [150, 301, 452] {
        let before = assignments(&project);
        assert_eq!(before, base);
        let acknowledged =
            run_child_then_kill("child_tags_and_undoes_in_a_loop", &project, kill_after);
        // The step in flight when the kill came may or may not have committed; nothing else.
        let saved = assignments(&project);
        assert!(
            saved == after_steps(&base, acknowledged)
                || saved == after_steps(&base, acknowledged + 1),
            "after {acknowledged} acknowledged steps the project holds {} assignments; \
             extra {:?}, missing {:?}",
            saved.len(),
            saved
                .difference(&after_steps(&base, acknowledged))
                .collect::<Vec<_>>(),
            after_steps(&base, acknowledged)
                .difference(&saved)
                .collect::<Vec<_>>()
        );
        // The undo history is whole too: undoing the child's tags one by one restores the
        // project as it was.
        let mut store = Store::open(&project).unwrap();
        while assignments(&project) != base {
            store.undo().unwrap().expect("an edit to undo");
        }
    }
}
