//! A project opened for work: the project file, its dataset loaded and reconciled with the
//! stored tags by row id. What the CLI and the app operate on.

use std::path::{Path, PathBuf};

use polars::prelude::PlHashMap;

use super::load::{Dataset, load, load_with};
use super::mapping::MappingRequest;
use super::progress::Progress;
use super::store::{DatasetRecord, Store, StoreError, TagDef};
use crate::model::TagBook;
use crate::model::analysis::ManualInputs;

/// How many ids a message lists.
const EXAMPLES: usize = 5;

#[derive(Debug)]
pub struct Project {
    pub store: Store,
    /// The dataset path as resolved (relative to the project, or the absolute fallback).
    pub dataset_path: PathBuf,
    pub dataset: Dataset,
    /// Tags and reviewed marks from the project file, on the dataset's rows.
    pub book: TagBook,
    /// Problems found while reconciling (dataset changed, ids no longer in the dataset).
    pub warnings: Vec<String>,
}

/// The default project file for a dataset: `<folder>.errata` beside a dataset folder,
/// `<table stem>.errata` beside a table file. Never inside the dataset folder.
pub fn default_project_path(dataset: &Path) -> PathBuf {
    let trimmed: PathBuf = dataset.components().collect();
    if dataset.is_dir() {
        let name = trimmed
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "dataset".into());
        trimmed.with_file_name(format!("{name}.errata"))
    } else {
        trimmed.with_extension("errata")
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `target` relative to `from` (a folder), both absolute, when they share a root.
fn relative_to(target: &Path, from: &Path) -> PathBuf {
    let (t, f): (Vec<_>, Vec<_>) = (target.components().collect(), from.components().collect());
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for c in &t[common..] {
        out.push(c);
    }
    out
}

fn record_for(
    project: &Path,
    dataset_path: &Path,
    dataset: &Dataset,
    request: &MappingRequest,
) -> DatasetRecord {
    let project_dir = absolute(project)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let dataset_abs = absolute(dataset_path);
    DatasetRecord {
        relative_path: relative_to(&dataset_abs, &project_dir),
        absolute_path: dataset_abs,
        fingerprint: dataset.fingerprint.clone(),
        mapping: MappingRequest {
            task: Some(dataset.set.task),
            ..request.clone()
        },
    }
}

impl Project {
    /// Creates a project for a dataset; the tags column, if any, becomes the initial tags.
    pub fn init(
        dataset_path: &Path,
        request: &MappingRequest,
        project_path: &Path,
    ) -> Result<Project, StoreError> {
        if project_path.exists() {
            return Err(StoreError::Exists(project_path.to_path_buf()));
        }
        let dataset = load(dataset_path, request)?;
        Project::create(dataset_path, dataset, request, project_path)
    }

    /// Creates a project for a dataset already loaded with `request` (as the column-mapping
    /// dialog has it), without reading the table again.
    pub fn create(
        dataset_path: &Path,
        dataset: Dataset,
        request: &MappingRequest,
        project_path: &Path,
    ) -> Result<Project, StoreError> {
        if project_path.exists() {
            return Err(StoreError::Exists(project_path.to_path_buf()));
        }
        let record = record_for(project_path, dataset_path, &dataset, request);
        let tags: Vec<TagDef> = dataset
            .tags
            .names()
            .iter()
            .enumerate()
            .map(|(i, name)| TagDef {
                name: name.clone(),
                color: super::store::PALETTE[i % super::store::PALETTE.len()].to_string(),
                hotkey: (i < 9).then_some(i as u8 + 1),
                description: String::new(),
            })
            .collect();
        let mut assignments = Vec::new();
        for (tag, name) in dataset.tags.names().iter().enumerate() {
            for row in dataset.tags.rows(tag) {
                assignments.push((dataset.set.ids.get(row as usize).to_string(), name.clone()));
            }
        }
        Store::create(project_path, &record, &tags, &assignments)?;
        let store = Store::open(project_path)?;
        Project::assemble(store, dataset_path.to_path_buf(), dataset, &record)
    }

    pub fn open(path: &Path) -> Result<Project, StoreError> {
        Project::open_with(path, &Progress::default())
    }

    /// [`Project::open`], reporting its steps to `progress` and stopping between them if
    /// cancelled.
    pub fn open_with(path: &Path, progress: &Progress) -> Result<Project, StoreError> {
        let store = Store::open(path)?;
        let record = store.dataset()?;
        let project_dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let relative = project_dir.join(&record.relative_path);
        let dataset_path = if relative.exists() {
            relative
        } else if record.absolute_path.exists() {
            record.absolute_path.clone()
        } else {
            return Err(StoreError::DatasetMoved {
                project: path.to_path_buf(),
                relative,
                absolute: record.absolute_path,
            });
        };
        let dataset = load_with(&dataset_path, &record.mapping, progress)?;
        progress.enter(2)?;
        Project::assemble(store, dataset_path, dataset, &record)
    }

    /// The project from its store and its loaded dataset: tags reconciled by row id.
    fn assemble(
        store: Store,
        dataset_path: PathBuf,
        dataset: Dataset,
        record: &DatasetRecord,
    ) -> Result<Project, StoreError> {
        let mut warnings = dataset.warnings.clone();
        if dataset.fingerprint != record.fingerprint {
            warnings.push(format!(
                "the dataset changed since the project was made (was {} bytes, xxh3 {}; now {} bytes, xxh3 {}); tags are matched to rows by id",
                record.fingerprint.bytes, record.fingerprint.xxh3, dataset.fingerprint.bytes, dataset.fingerprint.xxh3
            ));
        }
        let mut project = Project {
            book: TagBook::new(dataset.set.len()),
            store,
            dataset_path,
            dataset,
            warnings,
        };
        project.reload_book()?;
        Ok(project)
    }

    /// Rebuilds the tag book from the project file. Assignments and marks whose row id is no
    /// longer in the dataset stay in the file and are reported, never dropped.
    pub fn reload_book(&mut self) -> Result<(), StoreError> {
        let set = &self.dataset.set;
        let mut book = TagBook::new(set.len());
        let mut orphans: Vec<String> = Vec::new();
        let mut orphan_count = 0;
        let tag_ids = self.store.tag_ids()?;
        let mut by_store_id: PlHashMap<i64, usize> = PlHashMap::default();
        for (store_id, name) in &tag_ids {
            by_store_id.insert(*store_id, book.define(name));
        }
        self.store.for_each_assignment(|row_id, store_id| {
            match (set.ids.row(row_id), by_store_id.get(&store_id)) {
                (Some(row), Some(&tag)) => {
                    book.assign(set, tag, row);
                }
                _ => {
                    orphan_count += 1;
                    if orphans.len() < EXAMPLES && !orphans.iter().any(|o| o == row_id) {
                        orphans.push(row_id.to_string());
                    }
                }
            }
        })?;
        for row_id in self.store.reviewed()? {
            match set.ids.row(&row_id) {
                Some(row) => {
                    book.set_marked(set, row, true);
                }
                None => {
                    orphan_count += 1;
                    if orphans.len() < EXAMPLES && !orphans.contains(&row_id) {
                        orphans.push(row_id);
                    }
                }
            }
        }
        if orphan_count > 0 {
            self.warnings.push(format!(
                "{orphan_count} tags or reviewed marks refer to ids that are not in the dataset (first: {}); they are kept in the project file",
                orphans.join(", ")
            ));
        }
        self.book = book;
        Ok(())
    }

    /// Fails with the unknown ids (count and first few) unless every id is a dataset row.
    pub fn check_ids(&self, ids: &[&str]) -> Result<(), StoreError> {
        let set = &self.dataset.set;
        let unknown: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| set.ids.row(id).is_none())
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        Err(StoreError::UnknownIds {
            path: self.store.path().to_path_buf(),
            count: unknown.len(),
            first: unknown
                .iter()
                .take(EXAMPLES)
                .map(|s| s.to_string())
                .collect(),
        })
    }

    pub fn inputs(&self) -> Result<ManualInputs, StoreError> {
        self.store.manual_inputs()
    }

    /// Points the project at the dataset in its new place; returns how many stored ids are
    /// not in it.
    pub fn relocate(path: &Path, new_dataset: &Path) -> Result<Project, StoreError> {
        let mut store = Store::open(path)?;
        let record = store.dataset()?;
        let dataset = load(new_dataset, &record.mapping)?;
        store.set_dataset(&record_for(path, new_dataset, &dataset, &record.mapping))?;
        drop(store);
        Project::open(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_between_folders() {
        assert_eq!(
            relative_to(Path::new("/a/b/data"), Path::new("/a/b")),
            PathBuf::from("data")
        );
        assert_eq!(
            relative_to(Path::new("/a/data"), Path::new("/a/b/c")),
            PathBuf::from("../../data")
        );
    }

    #[test]
    fn default_project_sits_beside_the_dataset() {
        assert_eq!(
            default_project_path(Path::new("sample_data/speech/")),
            PathBuf::from("sample_data/speech.errata")
        );
        assert_eq!(
            default_project_path(Path::new("x/eval.csv")),
            PathBuf::from("x/eval.errata")
        );
    }
}
