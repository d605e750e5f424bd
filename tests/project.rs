//! Project files: every store operation survives close/reopen, undo/redo restores each edit,
//! damaged or foreign files get clear messages, drift keeps orphaned tags, and the course's
//! error-analysis table comes out right. (Killed writers: tests/kill.rs.)

use std::path::{Path, PathBuf};

use errata::data::MappingRequest;
use errata::data::project::Project;
use errata::data::store::{Store, StoreError, TagDef};
use errata::model::hlp::Subject;
use errata::model::priorities::Rating;
use serde_json::Value;

mod common;

use common::run_errata as errata;

/// A small classification dataset in a temporary folder, and a project beside it.
fn fixture() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let mut csv = String::from("id,label,prediction,human_label,site,tags\n");
    for i in 0..40 {
        let label = if i % 2 == 0 { "cat" } else { "dog" };
        let prediction = if i % 5 == 0 { "dog" } else { label };
        let tags = if i < 4 { "blurry" } else { "" };
        csv.push_str(&format!(
            "r{i},{label},{prediction},{label},{},{tags}\n",
            if i % 3 == 0 { "north" } else { "south" }
        ));
    }
    std::fs::write(data.join("metadata.csv"), csv).unwrap();
    let project = dir.path().join("data.errata");
    Project::init(&data, &MappingRequest::default(), &project).unwrap();
    (dir, data, project)
}

/// Everything a project holds, as comparable text.
fn state(store: &Store) -> String {
    let (inputs, _) = store.manual_inputs().unwrap();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        store.tags().unwrap(),
        store.assignments().unwrap(),
        store.reviewed().unwrap(),
        store.notes().unwrap(),
        inputs.hlp,
        inputs.ratings
    )
}

#[test]
fn every_operation_round_trips_through_close_and_reopen() {
    let (_dir, _data, path) = fixture();
    let expected = {
        let mut s = Store::open(&path).unwrap();
        assert_eq!(
            s.tags()
                .unwrap()
                .iter()
                .map(|t| t.name.as_str())
                .collect::<Vec<_>>(),
            ["blurry"],
            "tags column imported"
        );
        let def = s.new_tag_def("car noise").unwrap();
        assert_eq!(def.hotkey, Some(2));
        s.create_tag(def).unwrap();
        s.create_tag(TagDef {
            name: "scratch".into(),
            color: "#000000".into(),
            hotkey: Some(9),
            description: "visible line".into(),
        })
        .unwrap();
        assert_eq!(
            s.add_tag("car noise", &["r1", "r2", "r2"])
                .unwrap()
                .rows_changed(),
            2
        );
        assert_eq!(
            s.add_tag("car noise", &["r1"]).unwrap().rows_changed(),
            0,
            "already there"
        );
        assert_eq!(s.remove_tag("blurry", &["r0"]).unwrap().rows_changed(), 1);
        assert_eq!(
            s.set_reviewed(&["r5", "r6"], true).unwrap().rows_changed(),
            2
        );
        s.set_note("r7", Some("speaker coughs")).unwrap();
        s.set_hlp(&Subject::Tag("car noise".into()), Some(0.93))
            .unwrap();
        s.set_hlp(
            &Subject::Slice {
                column: "site".into(),
                value: "north".into(),
            },
            Some(0.9),
        )
        .unwrap();
        s.set_rating(
            &Subject::Tag("car noise".into()),
            Some(Rating {
                ease: 4,
                importance: 5,
            }),
        )
        .unwrap();
        let mut renamed = s.tag("scratch").unwrap().unwrap();
        renamed.name = "deep scratch".into();
        renamed.color = "#ff0000".into();
        s.update_tag("scratch", renamed).unwrap();
        s.set_view_state("filter", "{\"errors_only\":true}")
            .unwrap();
        state(&s)
    };
    let reopened = Store::open(&path).unwrap();
    assert_eq!(state(&reopened), expected);
    assert_eq!(
        reopened.view_state("filter").unwrap().as_deref(),
        Some("{\"errors_only\":true}")
    );
    assert!(
        expected.contains("deep scratch")
            && expected.contains("speaker coughs")
            && expected.contains("0.93")
    );
    // Save as: a consistent copy that opens on its own.
    let copy = path.with_file_name("copy.errata");
    reopened.save_as(&copy).unwrap();
    assert_eq!(state(&Store::open(&copy).unwrap()), expected);
    reopened.check_integrity().unwrap();
}

#[test]
fn undo_and_redo_restore_every_kind_of_edit() {
    let (_dir, _data, path) = fixture();
    let mut s = Store::open(&path).unwrap();
    type Edit = Box<dyn Fn(&mut Store)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "create tag",
            Box::new(|s| {
                s.create_tag(s.new_tag_def("noise").unwrap()).unwrap();
            }),
        ),
        (
            "assign",
            Box::new(|s| assert_eq!(s.add_tag("noise", &["r1", "r2"]).unwrap().rows_changed(), 2)),
        ),
        (
            "unassign",
            Box::new(|s| {
                assert_eq!(
                    s.remove_tag("blurry", &["r0", "r1"])
                        .unwrap()
                        .rows_changed(),
                    2
                )
            }),
        ),
        (
            "review",
            Box::new(|s| assert_eq!(s.set_reviewed(&["r9"], true).unwrap().rows_changed(), 1)),
        ),
        (
            "unreview",
            Box::new(|s| assert_eq!(s.set_reviewed(&["r9"], false).unwrap().rows_changed(), 1)),
        ),
        (
            "note",
            Box::new(|s| {
                s.set_note("r3", Some("clipped")).unwrap();
            }),
        ),
        (
            "hlp",
            Box::new(|s| {
                s.set_hlp(&Subject::Tag("noise".into()), Some(0.8)).unwrap();
            }),
        ),
        (
            "rating",
            Box::new(|s| {
                s.set_rating(
                    &Subject::Tag("noise".into()),
                    Some(Rating {
                        ease: 2,
                        importance: 3,
                    }),
                )
                .unwrap();
            }),
        ),
        (
            "rename",
            Box::new(|s| {
                let mut d = s.tag("noise").unwrap().unwrap();
                d.name = "loud".into();
                s.update_tag("noise", d).unwrap();
            }),
        ),
        (
            "delete tag",
            Box::new(|s| {
                s.delete_tag("loud").unwrap();
            }),
        ),
        (
            "import creating tags",
            Box::new(|s| {
                let pairs = [
                    ("r5", "glare"),
                    ("r6", "glare"),
                    ("r7", "wind"),
                    ("r2", "blurry"),
                ];
                let pairs: Vec<(String, String)> = pairs
                    .iter()
                    .map(|(r, t)| (r.to_string(), t.to_string()))
                    .collect();
                assert_eq!(
                    s.import_assignments(&pairs, true).unwrap().rows_changed(),
                    3
                );
                assert_eq!(s.tags().unwrap().len(), 3, "glare and wind beside blurry");
            }),
        ),
    ];
    for (name, edit) in &edits {
        let before = state(&s);
        edit(&mut s);
        let after = state(&s);
        assert_ne!(before, after, "{name} changed nothing");
        assert!(s.undo().unwrap().is_some(), "{name}: nothing to undo");
        assert_eq!(state(&s), before, "{name}: undo");
        assert!(s.redo().unwrap().is_some(), "{name}: nothing to redo");
        assert_eq!(state(&s), after, "{name}: redo");
        // Undo and redo survive reopening the file.
        drop(s);
        s = Store::open(&path).unwrap();
        assert_eq!(state(&s), after, "{name}: after reopen");
    }
    // Undo everything, then a new edit clears the redo history.
    while s.undo().unwrap().is_some() {}
    assert_eq!(
        s.assignments().unwrap().len(),
        4,
        "back to the imported tags"
    );
    s.set_reviewed(&["r1"], true).unwrap();
    assert_eq!(s.redo().unwrap(), None);
}

fn fails_to_open(path: &Path, expected: &str) {
    let before = std::fs::read(path).unwrap();
    let err = Store::open(path)
        .and_then(|s| s.check_integrity())
        .unwrap_err();
    assert!(
        err.to_string().contains(expected),
        "{}: {err}",
        path.display()
    );
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "opening changed the file"
    );
    // The CLI says the same, with status 2.
    let o = errata(&["report", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(expected) && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn foreign_damaged_and_newer_files_get_clear_messages() {
    let (dir, _data, path) = fixture();
    // Written by a newer errata.
    let newer = dir.path().join("newer.errata");
    std::fs::copy(&path, &newer).unwrap();
    rusqlite::Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    fails_to_open(&newer, "written by a newer errata (project format 99");
    // Not SQLite at all, and empty.
    let text = dir.path().join("notes.errata");
    std::fs::write(&text, "these are my notes, not a project\n").unwrap();
    let err = Store::open(&text).unwrap_err().to_string();
    assert!(
        err.contains("not an errata project (it is not an SQLite database)"),
        "{err}"
    );
    let empty = dir.path().join("empty.errata");
    std::fs::write(&empty, "").unwrap();
    assert!(
        Store::open(&empty)
            .unwrap_err()
            .to_string()
            .contains("the file is empty")
    );
    // Another program's SQLite database.
    let other = dir.path().join("other.errata");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    fails_to_open(&other, "written by another program");
    // Damaged pages, and a truncated file.
    let bytes = std::fs::read(&path).unwrap();
    let page = 4096;
    let corrupt = dir.path().join("corrupt.errata");
    let mut damaged = bytes.clone();
    for b in damaged[page..].iter_mut() {
        *b = 0x5a;
    }
    std::fs::write(&corrupt, &damaged).unwrap();
    fails_to_open(&corrupt, "the project file is damaged");
    let truncated = dir.path().join("truncated.errata");
    std::fs::write(&truncated, &bytes[..page + 100]).unwrap();
    fails_to_open(&truncated, "the project file is damaged");
}

#[cfg(unix)]
#[test]
fn read_only_projects_can_be_read_but_not_edited() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, _data, path) = fixture();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let mut s = Store::open(&path).unwrap();
    assert_eq!(s.assignments().unwrap().len(), 4);
    let err = s.add_tag("blurry", &["r9"]).unwrap_err();
    assert!(matches!(err, StoreError::ReadOnly(_)), "{err}");
    assert!(err.to_string().contains("read-only"));
    let o = errata(&["tag", path.to_str().unwrap(), "r9", "blurry"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("read-only"));
    let o = errata(&["report", path.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn changed_dataset_keeps_and_reports_orphaned_tags() {
    let (_dir, data, path) = fixture();
    let table = data.join("metadata.csv");
    let text = std::fs::read_to_string(&table).unwrap();
    // r0 and r1 (both tagged "blurry") disappear from the dataset.
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("r0,") && !l.starts_with("r1,"))
        .collect();
    std::fs::write(&table, kept.join("\n") + "\n").unwrap();
    let p = Project::open(&path).unwrap();
    let warnings = p.warnings.join("\n");
    assert!(
        warnings.contains("the dataset changed since the project was made"),
        "{warnings}"
    );
    assert!(
        warnings.contains(
            "2 tags or reviewed marks refer to ids that are not in the dataset (first: r0, r1)"
        ),
        "{warnings}"
    );
    assert_eq!(
        p.book.counts(p.book.id("blurry").unwrap()).n,
        2,
        "r2 and r3 keep their tag"
    );
    assert_eq!(
        p.store.assignments().unwrap().len(),
        4,
        "orphans stay in the file"
    );
    let o = errata(&["report", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("first: r0, r1"));
}

#[test]
fn moved_dataset_is_reported_and_relocated() {
    let (dir, data, path) = fixture();
    let moved = dir.path().join("elsewhere");
    std::fs::rename(&data, &moved).unwrap();
    let o = errata(&["report", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("the dataset was not found") && stderr.contains("errata relocate"),
        "{stderr}"
    );
    let o = errata(&["relocate", path.to_str().unwrap(), moved.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let p = Project::open(&path).unwrap();
    assert_eq!(p.store.assignments().unwrap().len(), 4);
    assert!(p.dataset_path.ends_with("elsewhere"));
}

#[test]
fn cli_edits_with_clear_errors() {
    let (dir, _data, path) = fixture();
    let project = path.to_str().unwrap();
    let o = errata(&["tag", project, "r10", "car noise"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("unknown tag car noise; known tags: blurry")
    );
    let o = errata(&["tag", project, "nope", "blurry"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 unknown row ids, first: nope"));
    assert_eq!(
        errata(&["tag", project, "r10", "car noise", "--create"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        errata(&["tag", project, "r10", "car noise", "--remove"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        errata(&["review", project, "r11", "r12"]).status.code(),
        Some(0)
    );
    let csv = dir.path().join("tags.csv");
    std::fs::write(&csv, "id,tag\nr20,blurry\nr21,blurry\n\"r22\",glare\n").unwrap();
    let o = errata(&["import-tags", project, csv.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown tag glare"));
    assert_eq!(
        errata(&["import-tags", project, csv.to_str().unwrap(), "--create"])
            .status
            .code(),
        Some(0)
    );
    std::fs::write(&csv, "r1,blurry\nr2;blurry\n").unwrap();
    let o = errata(&["import-tags", project, csv.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 2: expected 2 fields"));
    let o = errata(&["export-tags", project]);
    let exported = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(exported.lines().count(), 1 + 4 + 3, "{exported}");
    assert!(exported.contains("r22,glare"));
    assert_eq!(
        errata(&["hlp", project, "--tag", "blurry", "0.97"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        errata(&["hlp", project, "--slice", "site=north", "0.9"])
            .status
            .code(),
        Some(0)
    );
    let o = errata(&["hlp", project, "--tag", "blurry", "97"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("outside [0, 1]"));
    let r: Value = serde_json::from_slice(&errata(&["report", project]).stdout).unwrap();
    let blurry = r["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tag"] == "blurry")
        .unwrap();
    assert_eq!(blurry["hlp"], 0.97);
    assert_eq!(blurry["hlp_source"], "entered");
    assert_eq!(blurry["n"], 6);
    let north = r["slices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["column"] == "site" && s["value"] == "north")
        .unwrap();
    assert_eq!(north["hlp_source"], "entered");
    // r0–r3, r20, r21 (blurry), r22 (glare), r11, r12 (marked); r10 lost its only tag.
    assert_eq!(r["reviewed_rows"], 9);
}

#[test]
fn course_error_analysis_table_from_a_project() {
    // Reviewed rows: clean speech 60 %, car noise 4 %, people noise 30 %, low bandwidth 6 %;
    // model accuracy 94/89/87/70 %, human accuracy 95/93/89/70 %.
    let groups = [
        ("clean speech", 3000, 2820, 2850),
        ("car noise", 200, 178, 186),
        ("people noise", 1500, 1305, 1335),
        ("low bandwidth", 300, 210, 210),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,label,prediction,human_label,tags\n");
    let mut id = 0;
    for (tag, n, model_right, human_right) in groups {
        for i in 0..n {
            let prediction = if i < model_right { "yes" } else { "no" };
            let human = if i < human_right { "yes" } else { "no" };
            csv.push_str(&format!("u{id},yes,{prediction},{human},{tag}\n"));
            id += 1;
        }
    }
    std::fs::write(dir.path().join("audio.csv"), csv).unwrap();
    let dataset = dir.path().join("audio.csv");
    let o = errata(&["init", dataset.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let project = dir.path().join("audio.errata");
    let r: Value =
        serde_json::from_slice(&errata(&["report", project.to_str().unwrap()]).stdout).unwrap();
    let gain = |tag: &str| {
        let t = r["tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["tag"] == tag)
            .unwrap();
        assert_eq!(t["hlp_source"], "human_labels");
        t["potential_gain"].as_f64().unwrap()
    };
    for (tag, expected) in [
        ("clean speech", 0.006),
        ("car noise", 0.0016),
        ("people noise", 0.006),
        ("low bandwidth", 0.0),
    ] {
        assert!(
            (gain(tag) - expected).abs() < 1e-12,
            "{tag}: {} != {expected}",
            gain(tag)
        );
    }
    let first_two: Vec<&str> = r["priorities"].as_array().unwrap()[..2]
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(first_two, ["clean speech", "people noise"]);
}

#[test]
fn projects_of_every_earlier_schema_version_open() {
    // One fixture per released schema version; opening migrates a copy to the current one.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/projects");
    let mut versions = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "errata") {
            let copy = tempfile::tempdir().unwrap();
            let file = copy.path().join("p.errata");
            std::fs::copy(&path, &file).unwrap();
            let store = Store::open(&file).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(
                store.version().unwrap(),
                errata::data::store::CURRENT_VERSION
            );
            assert!(
                store.tags().unwrap().iter().any(|t| t.name == "hard case"),
                "{}",
                path.display()
            );
            assert_eq!(store.reviewed().unwrap(), ["m0002"]);
            assert_eq!(
                store
                    .manual_inputs()
                    .unwrap()
                    .0
                    .hlp
                    .get(&Subject::Tag("hard case".into())),
                Some(&0.9)
            );
            // Schema 2 added the audit checklist.
            let audit = store.audit_spec().unwrap();
            if path.ends_with("v1.errata") {
                assert_eq!(audit, None);
            } else {
                assert!(audit.unwrap().contains("overall accuracy"));
            }
            // Schema 3 added label reviews.
            let reviews = store.label_reviews().unwrap();
            if path.ends_with("v3.errata") || path.ends_with("v4.errata") {
                assert_eq!(reviews.len(), 1);
                assert_eq!(reviews[0].0, "m0003");
                assert_eq!(reviews[0].1.label.as_deref(), Some("bird"));
            } else {
                assert!(reviews.is_empty());
            }
            // Schema 4 added the media metrics cache.
            let cached = store.media_metrics().unwrap();
            assert_eq!(cached.len(), usize::from(path.ends_with("v4.errata")));
            store.check_integrity().unwrap();
            versions.push(path);
        }
    }
    assert_eq!(
        versions.len() as i64,
        errata::data::store::CURRENT_VERSION,
        "a fixture for every schema version"
    );
}

#[test]
fn a_second_writer_waits_then_reports_busy() {
    let (_dir, _data, path) = fixture();
    // Another process holds the write lock.
    let holder = rusqlite::Connection::open(&path).unwrap();
    holder
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO reviewed (row_id) VALUES ('r30');")
        .unwrap();
    let mut store = Store::open(&path).unwrap();
    store
        .set_busy_timeout(std::time::Duration::from_millis(200))
        .unwrap();
    let err = store.set_reviewed(&["r31"], true).unwrap_err();
    assert!(matches!(err, StoreError::Busy(_)), "{err}");
    assert!(err.to_string().contains("the project is busy"));
    // Once the other writer commits, the edit goes through and both are kept.
    holder.execute_batch("COMMIT;").unwrap();
    assert_eq!(
        store.set_reviewed(&["r31"], true).unwrap().rows_changed(),
        1
    );
    assert_eq!(store.reviewed().unwrap(), ["r30", "r31"]);
    store.check_integrity().unwrap();
}

/// What a project holds in memory (tag book, tag definitions, notes, entered values, audit
/// checklist), as comparable text.
fn memory(p: &Project) -> String {
    let set = &p.dataset.set;
    let book = &p.book;
    let tags: Vec<(String, Vec<u32>, u64, u64)> = book
        .names()
        .iter()
        .enumerate()
        .map(|(id, name)| {
            let counts = book.counts(id);
            (name.clone(), book.rows(id), counts.n, counts.errors())
        })
        .collect();
    let reviewed: Vec<usize> = (0..set.len()).filter(|&r| book.is_reviewed(r)).collect();
    let notes: Vec<(usize, Option<&str>)> = (0..set.len())
        .map(|r| (r, p.note(set.ids.get(r))))
        .filter(|(_, n)| n.is_some())
        .collect();
    format!(
        "{tags:?}\n{reviewed:?}\n{:?}\n{:?}\n{notes:?}\n{:?}\n{:?}\n{:?}",
        book.reviewed().n,
        p.tag_defs(),
        p.inputs().hlp,
        p.inputs().ratings,
        p.audit_text()
    )
}

#[test]
fn every_edit_through_the_project_leaves_memory_as_a_reopened_project_has_it() {
    use errata::data::project::Edit;
    let (_dir, _data, path) = fixture();
    let mut p = Project::open(&path).unwrap();
    let pairs = |rows: &[&str], tag: &str| -> Vec<(String, String)> {
        rows.iter().map(|r| (r.to_string(), tag.into())).collect()
    };
    let noise = Subject::Tag("noise".into());
    let spec = "[[check]]\nrisk = \"r\"\nmetric = \"accuracy\"\nslice = \"site\"\nmin = 0.5\n";
    let edits = vec![
        Edit::Assign {
            pairs: pairs(&["r1", "r2", "r5"], "noise"),
            create: true,
        },
        Edit::Assign {
            pairs: pairs(&["r5", "r6"], "blurry"),
            create: false,
        },
        Edit::Unassign {
            tag: "blurry".into(),
            rows: vec!["r0".into(), "r6".into()],
        },
        Edit::MarkReviewed {
            rows: vec!["r9".into(), "r10".into()],
            reviewed: true,
        },
        Edit::MarkReviewed {
            rows: vec!["r9".into()],
            reviewed: false,
        },
        Edit::SetNote {
            row: "r3".into(),
            note: Some("  clipped  ".into()),
        },
        Edit::CreateTag("accent".into()),
        Edit::UpdateTag {
            name: "noise".into(),
            def: TagDef {
                name: "car noise".into(),
                color: "#123456".into(),
                hotkey: Some(7),
                description: "engine".into(),
            },
        },
        Edit::SetHlp {
            subject: Subject::Tag("car noise".into()),
            accuracy: Some(0.9),
        },
        Edit::SetRating {
            subject: noise.clone(),
            rating: Some(Rating {
                ease: 2,
                importance: 5,
            }),
        },
        Edit::SetAudit(Some(spec.into())),
        Edit::DeleteTag("blurry".into()),
        Edit::Undo,
        Edit::Undo,
        Edit::Redo,
        Edit::Undo,
        Edit::Undo,
        Edit::Undo,
        Edit::Redo,
    ];
    for (i, edit) in edits.into_iter().enumerate() {
        let shown = format!("{edit:?}");
        p.apply(edit).unwrap();
        let reopened = Project::open(&path).unwrap();
        assert_eq!(memory(&p), memory(&reopened), "after edit {i}: {shown}");
    }
    // An edit that changes nothing commits nothing: no step for undo to take back.
    let again = Edit::MarkReviewed {
        rows: vec!["r10".into()],
        reviewed: true,
    };
    let committed = p.apply(again).unwrap();
    assert!(committed.is_empty(), "{committed:?}");
    // A refused edit leaves memory and file as they were.
    let before = memory(&p);
    let bad = Edit::SetAudit(Some(spec.replace("site", "gender")));
    let error = p.apply(bad).unwrap_err().to_string();
    assert!(
        error.contains("line 1") && error.contains("gender"),
        "{error}"
    );
    assert_eq!(memory(&p), before);
    assert_eq!(memory(&Project::open(&path).unwrap()), before);
}

#[test]
fn concurrent_tag_creation_agrees_on_names_and_hotkeys() {
    let (_dir, _data, path) = fixture();
    let project = path.to_str().unwrap();
    // Six new names at once, then twelve processes creating the same name.
    let spawn = |row: &str, tag: &str| {
        common::errata_command()
            .args(["tag", project, row, tag, "--create"])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let names = ["glare", "dust", "tilt", "blur", "crop", "noise"];
    let first: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| spawn(&format!("r{i}"), name))
        .collect();
    let same: Vec<_> = (0..12)
        .map(|i| spawn(&format!("r{}", 10 + i), "shared"))
        .collect();
    for child in first.into_iter().chain(same) {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::open(&path).unwrap();
    let tags = store.tags().unwrap();
    let defined: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
    for name in names.iter().chain(&["shared"]) {
        assert_eq!(
            defined.iter().filter(|d| *d == name).count(),
            1,
            "{defined:?}"
        );
    }
    let hotkeys: Vec<u8> = tags.iter().filter_map(|t| t.hotkey).collect();
    let mut unique = hotkeys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), hotkeys.len(), "hotkeys are unique: {tags:?}");
    let shared: Vec<String> = store
        .assignments()
        .unwrap()
        .into_iter()
        .filter(|(_, tag)| tag == "shared")
        .map(|(row, _)| row)
        .collect();
    assert_eq!(shared.len(), 12, "every process's assignment is kept");
}

#[test]
fn a_command_with_one_bad_tag_name_changes_nothing() {
    let (_dir, _data, path) = fixture();
    let before = state(&Store::open(&path).unwrap());
    let o = errata(&[
        "tag",
        path.to_str().unwrap(),
        "r1",
        "fine",
        "bad;name",
        "--create",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad;name"));
    assert_eq!(
        state(&Store::open(&path).unwrap()),
        before,
        "all or nothing"
    );
}

#[test]
fn values_no_errata_writes_are_reported_as_damage_and_not_used() {
    let (_dir, _data, path) = fixture();
    let project = path.to_str().unwrap();
    for args in [
        vec!["hlp", project, "--tag", "blurry", "0.9"],
        vec!["hlp", project, "--slice", "site=north", "0.8"],
    ] {
        assert_eq!(errata(&args).status.code(), Some(0));
    }
    {
        // Edited by hand, outside errata.
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch(
            "PRAGMA ignore_check_constraints = ON;
             UPDATE hlp SET accuracy = 5.0 WHERE subject LIKE '%blurry%';
             INSERT INTO ratings (subject, ease, importance) VALUES ('{\"Tag\":\"blurry\"}', 9, -1);
             UPDATE tags SET hotkey = 12 WHERE name = 'blurry';
             PRAGMA foreign_keys = OFF;
             INSERT INTO assignments (row_id, tag_id) VALUES ('r5', 999);",
        )
        .unwrap();
    }
    let o = errata(&["report", project]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    for part in [
        "table hlp, row of blurry",
        "outside [0, 1]",
        "table ratings, row of blurry",
        "table tags, row",
        "table assignments refer to tag ids",
        "999",
    ] {
        assert!(err.contains(part), "{part:?} in {err}");
    }
    assert!(
        !err.contains("not in the dataset"),
        "r5 is in the dataset: {err}"
    );
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    let blurry = json["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tag"] == "blurry")
        .unwrap();
    assert_ne!(
        blurry["hlp_source"], "entered",
        "the bad HLP is not used: {blurry}"
    );
    assert!(blurry["hlp"].as_f64().is_none_or(|h| h <= 1.0));
    let north = json["slices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["column"] == "site" && s["value"] == "north")
        .unwrap();
    assert_eq!(north["hlp"], 0.8, "good values are still used");
    let tags = Store::open(&path).unwrap().tags().unwrap();
    assert_eq!(
        tags.iter().find(|t| t.name == "blurry").unwrap().hotkey,
        None
    );
}

#[test]
fn tampered_projects_are_called_damaged_with_what_is_wrong() {
    let (dir, _data, path) = fixture();
    let cases = [
        ("PRAGMA user_version = 0", "says it is project format 0"),
        ("PRAGMA user_version = 1", "says it is project format 1"),
        ("DELETE FROM dataset", "table dataset has no record"),
        ("DROP TABLE edits", "no such table: edits"),
        (
            "UPDATE dataset SET mapping = 5",
            "column mapping cannot be read",
        ),
        (
            "UPDATE dataset SET fingerprint = 'nope'",
            "fingerprint cannot be read",
        ),
        ("DROP TABLE notes", "no such table: notes"),
        (
            "PRAGMA foreign_keys = OFF; DROP TABLE tags",
            "no such table: tags",
        ),
        (
            "INSERT INTO notes VALUES ('r1', x'00ff')",
            "column \"note\" holds a Blob value",
        ),
    ];
    for (i, (sql, expected)) in cases.iter().enumerate() {
        let copy = dir.path().join(format!("tampered{i}.errata"));
        std::fs::copy(&path, &copy).unwrap();
        rusqlite::Connection::open(&copy)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
        let project = copy.to_str().unwrap();
        // Reading, then an edit and an undo: whichever touches the damage says so.
        let outcomes = [
            errata(&["report", project]),
            errata(&["tag", project, "r9", "blurry"]),
        ];
        let messages: Vec<String> = outcomes
            .iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .collect();
        assert!(
            outcomes.iter().any(|o| o.status.code() == Some(2)),
            "{sql}: {messages:?}"
        );
        let told = messages
            .iter()
            .find(|m| m.contains("damaged"))
            .unwrap_or_else(|| {
                panic!("{sql}: no message says the project is damaged: {messages:?}")
            });
        assert!(told.contains(expected), "{sql}: {told}");
        assert!(told.contains("Restore it from a backup"), "{told}");
        for raw in [
            "CREATE TABLE",
            "Query returned no rows",
            "Error code",
            "Invalid type",
        ] {
            assert!(
                !told.contains(raw),
                "{sql}: raw SQLite text {raw:?} in {told}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn reading_a_read_only_project_leaves_nothing_behind_and_it_is_writable_again_after_chmod() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, _data, path) = fixture();
    // Closed cleanly: no write-ahead log beside it.
    let side = |suffix: &str| dir.path().join(format!("data.errata{suffix}"));
    assert!(!side("-wal").exists() && !side("-shm").exists());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let project = path.to_str().unwrap();
    for args in [vec!["report", project], vec!["export-tags", project]] {
        let o = errata(&args);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(
        !side("-wal").exists() && !side("-shm").exists(),
        "a reader creates no -shm or -wal file that a later writer would trip on"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = errata(&["tag", project, "r9", "blurry"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A small tmpfs mounted for one test, unmounted when dropped. Mounting needs root (as on
/// the project's machines and CI); elsewhere `mount` returns `None` and the test says so.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let dir = tempfile::tempdir().ok()?;
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    /// Fills the disk to the last byte.
    fn fill(&self) {
        use std::io::Write;
        let mut filler = std::fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![0u8; 64 * 1024];
        while filler.write_all(&block).is_ok() {}
        let byte = [0u8; 1];
        while filler.write_all(&byte).is_ok() {}
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg(self.0.path())
            .status();
    }
}

#[test]
fn a_full_disk_is_named_once_reading_still_works_and_a_failed_create_leaves_nothing() {
    let Some(disk) = SmallDisk::mount(8) else {
        eprintln!("not run: mounting a small disk needs root");
        return;
    };
    let table = disk.path().join("eval.csv");
    let mut csv = String::from("id,label,prediction\n");
    for i in 0..2000 {
        csv.push_str(&format!("r{i},a,{}\n", if i % 3 == 0 { "b" } else { "a" }));
    }
    std::fs::write(&table, csv).unwrap();
    let project = disk.path().join("eval.errata");
    let (t, p) = (table.to_str().unwrap(), project.to_str().unwrap());
    assert_eq!(errata(&["init", t, "-o", p]).status.code(), Some(0));
    disk.fill();
    // Reading needs no free space.
    let o = errata(&["report", p, "--format", "md"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // An edit and a new project say the disk is full, once, with the space left.
    let second = disk.path().join("second.errata");
    for args in [
        vec!["tag", p, "r1", "glare", "--create"],
        vec!["init", t, "-o", second.to_str().unwrap()],
    ] {
        let o = errata(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(
            err.contains("the disk holding it is full (0 MB free)"),
            "{err}"
        );
        assert_eq!(err.matches("full").count(), 1, "said once: {err}");
        assert!(!err.contains("Error code"), "{err}");
    }
    let left: Vec<String> = std::fs::read_dir(disk.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".errata-new") || n.starts_with("second"))
        .collect();
    assert!(left.is_empty(), "a failed create leaves nothing: {left:?}");
    let assignments = Store::open(&project).unwrap().assignments().unwrap();
    assert!(assignments.is_empty(), "no edit was half made");
}

/// A new project takes its tag book from the dataset rather than reading every assignment
/// back: it must be the book the file gives when opened.
#[test]
fn a_new_project_s_tags_are_those_its_file_gives_back() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let mut csv = String::from("id,label,prediction,tags\n");
    for i in 0..300 {
        let tags = ["", "b", "a;b", " c ; a", "B", "a;a"][i % 6];
        csv.push_str(&format!("r{i},{},{},\"{tags}\"\n", i % 3, i % 4));
    }
    std::fs::write(&data, csv).unwrap();
    let path = dir.path().join("data.errata");
    let created = Project::init(&data, &MappingRequest::default(), &path).unwrap();
    let opened = Project::open(&path).unwrap();
    let book = |p: &Project| {
        let names = p.book.names().to_vec();
        let rows: Vec<Vec<u32>> = (0..names.len()).map(|t| p.book.rows(t)).collect();
        (names, rows)
    };
    assert_eq!(book(&created), book(&opened));
    assert_eq!(created.book.names(), ["B", "a", "b", "c"]);
    // Written in bulk (the ids are not in the order of their text), the file is sound and
    // keeps its index of assignments by tag.
    drop((created, opened));
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'assignments_by_tag'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 1);
}

/// An opened project's tags are its file's; the dataset's tags column keeps its role (no
/// slice is made of it) though the load leaves it unread.
#[test]
fn an_opened_project_takes_its_tags_from_its_file_and_never_slices_the_tags_column() {
    use errata::data::project::Edit;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data.csv");
    let mut csv = String::from("id,label,prediction,region,tags\n");
    for i in 0..200 {
        let tags = ["", "noise", "blur"][i % 3];
        csv.push_str(&format!(
            "r{i:03},{},{},{},{tags}\n",
            i % 2,
            i % 3 % 2,
            ["n", "s"][i % 2]
        ));
    }
    std::fs::write(&data, csv).unwrap();
    let path = dir.path().join("data.errata");
    let mut created = Project::init(&data, &MappingRequest::default(), &path).unwrap();
    created
        .apply(Edit::Unassign {
            tag: "noise".into(),
            rows: vec!["r001".into()],
        })
        .unwrap();
    drop(created);
    let opened = Project::open(&path).unwrap();
    let noise = opened.book.id("noise").unwrap();
    assert_eq!(
        opened.book.rows(noise).len(),
        66,
        "the file's tags, not the column's"
    );
    assert!(
        opened.dataset.tags.names().is_empty(),
        "the tags column is not read"
    );
    assert_eq!(opened.dataset.roles.tags.as_deref(), Some("tags"));
    assert_eq!(opened.dataset.roles.slices, ["region"]);
}
