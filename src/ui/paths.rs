//! Typed paths: completion of folder and file names below a path field, for when there is
//! no native file dialog (or the user prefers typing).

use std::path::{MAIN_SEPARATOR, Path};

/// How many completions are listed under a field.
const SHOWN: usize = 8;

/// The completions of a typed path, recomputed only when the text changes (they read a
/// folder).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completions {
    typed: String,
    found: Vec<String>,
}

impl Completions {
    /// The entries of the folder `typed` points into whose names start with what follows
    /// its last separator: folders first (ending in a separator), then files.
    pub fn of(&mut self, typed: &str) -> &[String] {
        if self.typed != typed {
            self.typed = typed.to_string();
            self.found = complete(typed);
        }
        &self.found
    }
}

fn complete(typed: &str) -> Vec<String> {
    if typed.trim().is_empty() {
        return Vec::new();
    }
    let ends_with_separator = typed.ends_with(['/', MAIN_SEPARATOR]);
    let path = Path::new(typed);
    let (folder, prefix) = if ends_with_separator {
        (path, "")
    } else {
        (
            path.parent().unwrap_or(Path::new("")),
            path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
        )
    };
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut found: Vec<(bool, String)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_str()?.to_string();
            let hidden = name.starts_with('.') && !prefix.starts_with('.');
            // A name typed in full is offered too: "speech" completes to "speech/".
            (name.starts_with(prefix) && !hidden).then(|| (!entry.path().is_dir(), name))
        })
        .collect();
    found.sort();
    let base = &typed[..typed.len() - prefix.len()];
    found
        .into_iter()
        .take(SHOWN)
        .map(|(is_file, name)| {
            let separator = if is_file {
                String::new()
            } else {
                MAIN_SEPARATOR.to_string()
            };
            format!("{base}{name}{separator}")
        })
        .collect()
}

/// The completions under a path field as links; a click puts one in the field.
pub fn completions_ui(ui: &mut egui::Ui, text: &mut String, completions: &mut Completions) {
    let found = completions.of(text).to_vec();
    if found.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        for choice in found {
            let name = Path::new(choice.trim_end_matches(['/', MAIN_SEPARATOR]))
                .file_name()
                .map_or(choice.clone(), |n| n.to_string_lossy().into_owned());
            let shown = if choice.ends_with(['/', MAIN_SEPARATOR]) {
                format!("{name}{MAIN_SEPARATOR}")
            } else {
                name
            };
            if ui.small_button(shown).on_hover_text(&choice).clicked() {
                *text = choice;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_come_first_and_end_with_a_separator() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("speech")).unwrap();
        std::fs::write(dir.path().join("speech.errata"), "").unwrap();
        std::fs::write(dir.path().join("phones.csv"), "").unwrap();
        let typed = format!("{}{MAIN_SEPARATOR}sp", dir.path().display());
        let found = complete(&typed);
        let base = format!("{}{MAIN_SEPARATOR}", dir.path().display());
        assert_eq!(
            found,
            [
                format!("{base}speech{MAIN_SEPARATOR}"),
                format!("{base}speech.errata")
            ]
        );
        assert_eq!(complete(&base).len(), 3);
        assert!(complete("/no/such/folder/x").is_empty());
    }
}
