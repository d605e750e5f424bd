//! Media paths: what kind of file a row points at, and the rule that every media path stays
//! inside the dataset folder (no absolute paths, no `..`, no symlinks leading out).

use std::path::{Component, Path, PathBuf};

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Audio,
    Image,
    Other,
}

/// The image formats errata reads (by file extension), each with a decoder compiled in
/// (`image` features in Cargo.toml): the one list the loader, the decoders and the docs use.
pub const IMAGE_EXTENSIONS: [&str; 8] = ["png", "jpg", "jpeg", "bmp", "webp", "gif", "tif", "tiff"];

/// The audio formats errata plays (rodio features in Cargo.toml).
pub const AUDIO_EXTENSIONS: [&str; 4] = ["wav", "flac", "mp3", "ogg"];

pub fn media_kind(path: &str) -> MediaKind {
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if AUDIO_EXTENSIONS.contains(&ext.as_str()) {
        MediaKind::Audio
    } else if IMAGE_EXTENSIONS.contains(&ext.as_str()) {
        MediaKind::Image
    } else {
        MediaKind::Other
    }
}

/// Why a media path was refused.
pub type Refusal = &'static str;

/// Checks a media path without touching the disk: it must be relative and must not climb
/// out of the folder with `..`. Both `/` and `\` separate folders, whatever the platform.
pub fn check_relative(value: &str) -> Result<(), Refusal> {
    if value.starts_with('/') || value.starts_with('\\') || value.get(1..2) == Some(":") {
        return Err("is absolute");
    }
    let normalised = value.replace('\\', "/");
    for component in Path::new(&normalised).components() {
        match component {
            Component::ParentDir => return Err("climbs out of the folder with '..'"),
            Component::RootDir | Component::Prefix(_) => return Err("is absolute"),
            Component::CurDir | Component::Normal(_) => {}
        }
    }
    Ok(())
}

/// Where a checked media path leads under `root` (which must be canonical): `Ok(Some)` for an
/// existing file inside the folder, `Ok(None)` for a missing file, `Err` when a symlink on the
/// way leads outside the folder.
pub fn resolve(root: &Path, value: &str) -> Result<Option<PathBuf>, Refusal> {
    let joined = root.join(value.replace('\\', "/"));
    match joined.canonicalize() {
        Ok(real) if real.starts_with(root) => Ok(Some(real)),
        Ok(_) => Err("is a link that leads outside the dataset folder"),
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_extension() {
        assert_eq!(media_kind("a/b.WAV"), MediaKind::Audio);
        assert_eq!(media_kind("x.jpeg"), MediaKind::Image);
        assert_eq!(media_kind("notes.txt"), MediaKind::Other);
    }

    #[test]
    fn escaping_paths_are_refused() {
        assert!(check_relative("clips/a.wav").is_ok());
        assert!(check_relative("./a.wav").is_ok());
        assert_eq!(
            check_relative("../secret.wav"),
            Err("climbs out of the folder with '..'")
        );
        assert_eq!(
            check_relative("a/../../b.wav"),
            Err("climbs out of the folder with '..'")
        );
        assert_eq!(
            check_relative("..\\b.wav"),
            Err("climbs out of the folder with '..'")
        );
        assert_eq!(check_relative("/etc/passwd"), Err("is absolute"));
        assert_eq!(check_relative("C:\\x.png"), Err("is absolute"));
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leading_out_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.wav"), b"x").unwrap();
        let root = tempfile::tempdir().unwrap();
        let root_path = root.path().canonicalize().unwrap();
        std::fs::write(root_path.join("in.wav"), b"x").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.wav"),
            root_path.join("link.wav"),
        )
        .unwrap();
        assert!(resolve(&root_path, "in.wav").unwrap().is_some());
        assert_eq!(resolve(&root_path, "missing.wav"), Ok(None));
        assert!(resolve(&root_path, "link.wav").is_err());
    }
}
