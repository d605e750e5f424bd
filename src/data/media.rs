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

/// Largest image errata decodes, per side, and the most memory one decode may take, so
/// that a hostile file cannot exhaust memory.
pub const MAX_IMAGE_SIDE: u32 = 16_384;
pub const MAX_IMAGE_BYTES: u64 = 512 * 1024 * 1024;

/// Decodes an image within those limits; the error names the file.
pub fn decode_image(path: &Path) -> Result<image::DynamicImage, String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut reader = image::ImageReader::open(path)
        .map_err(|e| fail(&e))?
        .with_guessed_format()
        .map_err(|e| fail(&e))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_IMAGE_BYTES);
    reader.limits(limits);
    reader.decode().map_err(|e| fail(&e))
}

/// Why a media file cannot be shown or played, judged from its header (the format, the
/// image's size, the audio stream's parameters), without decoding the whole file.
pub fn probe(path: &Path) -> Result<(), String> {
    let shown = path.display();
    if path.is_dir() {
        return Err(format!("{shown}: is a folder"));
    }
    match media_kind(&path.to_string_lossy()) {
        MediaKind::Image => image::ImageReader::open(path)
            .and_then(|r| r.with_guessed_format())
            .map_err(|e| format!("{shown}: {e}"))?
            .into_dimensions()
            .map(|_| ())
            .map_err(|e| format!("{shown}: {e}")),
        MediaKind::Audio => {
            let file = std::fs::File::open(path).map_err(|e| format!("{shown}: {e}"))?;
            rodio::Decoder::try_from(file)
                .map(|_| ())
                .map_err(|e| format!("{shown}: {e}"))
        }
        MediaKind::Other => Err(format!(
            "{shown}: neither an image ({}) nor a sound ({}) errata can show",
            IMAGE_EXTENSIONS.join(", "),
            AUDIO_EXTENSIONS.join(", ")
        )),
    }
}

/// The media files of some rows that exist but cannot be decoded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MediaCheck {
    /// Files probed (missing files are counted apart, as missing).
    pub probed: usize,
    /// Rows whose file cannot be decoded, with why, in row order.
    pub undecodable: Vec<(usize, String)>,
}

/// Probes the media files of `rows` under `root`, in parallel ([`probe`]).
pub fn check(root: &Path, media: &[Option<String>], rows: &[usize]) -> MediaCheck {
    use rayon::prelude::*;
    let results: Vec<Option<(usize, Result<(), String>)>> = rows
        .par_iter()
        .map(|&row| {
            let value = media.get(row)?.as_deref()?;
            let path = resolve(root, value).ok()??;
            // Named as the table names it, not by the resolved absolute path.
            let named = |why: String| why.replacen(&path.display().to_string(), value, 1);
            Some((row, probe(&path).map_err(named)))
        })
        .collect();
    let probed = results.iter().flatten().count();
    let undecodable = results
        .into_iter()
        .flatten()
        .filter_map(|(row, result)| result.err().map(|why| (row, why)))
        .collect();
    MediaCheck {
        probed,
        undecodable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_image_format_probes_and_broken_files_are_named() {
        let images = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/images");
        for ext in ["png", "jpg", "bmp", "gif", "tiff", "webp"] {
            let path = images.join(format!("tiny.{ext}"));
            assert_eq!(probe(&path), Ok(()), "{ext}");
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.png"), b"not a png at all").unwrap();
        std::fs::write(dir.path().join("bad.wav"), b"RIFF....WAVEjunk").unwrap();
        std::fs::write(dir.path().join("notes.txt"), b"text").unwrap();
        let root = dir.path().canonicalize().unwrap();
        let media: Vec<Option<String>> = ["bad.png", "bad.wav", "notes.txt", "gone.png"]
            .iter()
            .map(|m| Some(m.to_string()))
            .collect();
        let found = check(&root, &media, &[0, 1, 2, 3]);
        assert_eq!(found.probed, 3, "a missing file is not probed");
        let rows: Vec<usize> = found.undecodable.iter().map(|(r, _)| *r).collect();
        assert_eq!(rows, [0, 1, 2]);
        assert!(found.undecodable[0].1.contains("bad.png"));
    }

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
