//! Input metrics of every media file of a set (`model::drift::inputs`), decoded in parallel
//! with progress and cancellation. A project keeps them (`media_metrics` table) keyed by the
//! file's path, size and modification time, so a folder is decoded once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::media::{MediaKind, media_kind};
use super::progress::Progress;
use crate::model::drift::inputs::{AUDIO_METRICS, IMAGE_METRICS, audio_metrics, image_metrics};

/// What a file was when its metrics were taken: a changed file is measured again.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileKey {
    pub path: String,
    pub size: u64,
    pub modified: i64,
}

impl FileKey {
    pub fn of(path: &Path) -> Option<FileKey> {
        let meta = std::fs::metadata(path).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Some(FileKey {
            path: path.display().to_string(),
            size: meta.len(),
            modified,
        })
    }
}

/// Metrics already measured, by file.
pub type MetricsCache = HashMap<FileKey, Vec<f64>>;

/// Files measured now, with their metrics (to keep in the project).
pub type Measured = Vec<(FileKey, Vec<f64>)>;

/// One row's outcome: the file, its metrics or why not, and whether it was decoded now.
type RowOutcome = Option<(Option<FileKey>, Result<Vec<f64>, String>, bool)>;

/// Decodes one audio file to interleaved samples, its channels and sample rate.
pub fn decode_audio(path: &Path) -> Result<(Vec<f32>, u16, u32), String> {
    use rodio::Source;
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = std::fs::File::open(path).map_err(|e| fail(&e))?;
    let source = rodio::Decoder::try_from(file).map_err(|e| fail(&e))?;
    let (channels, rate) = (source.channels().get(), source.sample_rate().get());
    Ok((source.collect(), channels, rate))
}

/// The metrics of one file, by its kind.
pub fn measure(path: &Path) -> Result<Vec<f64>, String> {
    match media_kind(&path.to_string_lossy()) {
        MediaKind::Audio => {
            let (samples, channels, rate) = decode_audio(path)?;
            Ok(audio_metrics(&samples, channels, rate).to_vec())
        }
        MediaKind::Image => {
            let rgb = super::media::decode_image(path)?.into_rgb8();
            Ok(image_metrics(rgb.width(), rgb.height(), rgb.as_raw()).to_vec())
        }
        MediaKind::Other => Err(format!("{}: not an image or a sound", path.display())),
    }
}

/// Every row's input metrics as named columns (NaN where the file is missing or cannot be
/// decoded), the files measured now (for the cache), and the files that failed.
pub struct MediaMetrics {
    pub columns: Vec<(String, Vec<f64>)>,
    pub measured: Measured,
    pub failed: Vec<String>,
}

/// Measures the media of every row under `root`, taking what `cache` already knows. The
/// kind (audio or image) is the first file's; rows of the other kind count as failed.
pub fn compute(
    root: &Path,
    media: &[Option<String>],
    cache: &MetricsCache,
    progress: &Progress,
) -> Result<MediaMetrics, super::LoadError> {
    let first_kind = media
        .iter()
        .flatten()
        .map(|p| media_kind(p))
        .find(|k| *k != MediaKind::Other);
    let names: &[&str] = match first_kind {
        Some(MediaKind::Audio) => &AUDIO_METRICS,
        Some(MediaKind::Image) => &IMAGE_METRICS,
        _ => {
            return Ok(MediaMetrics {
                columns: Vec::new(),
                measured: Vec::new(),
                failed: Vec::new(),
            });
        }
    };
    progress.set_rows(media.len());
    let done = AtomicUsize::new(0);
    let results: Vec<RowOutcome> = media
        .par_iter()
        .map(|p| {
            if progress.is_cancelled() {
                return None;
            }
            let n = done.fetch_add(1, Ordering::Relaxed);
            if n.is_multiple_of(64) {
                progress.set_done(n);
            }
            let p = p.as_ref()?;
            let path: PathBuf = root.join(p);
            let key = FileKey::of(&path);
            if let Some(hit) = key.as_ref().and_then(|k| cache.get(k)) {
                return Some((key, Ok(hit.clone()), false));
            }
            if media_kind(p) != first_kind.expect("a kind") {
                return Some((
                    key,
                    Err(format!("{p}: not the same kind of media as the others")),
                    false,
                ));
            }
            Some((key, measure(&path), true))
        })
        .collect();
    if progress.is_cancelled() {
        return Err(super::LoadError::Cancelled);
    }
    let mut columns: Vec<(String, Vec<f64>)> = names
        .iter()
        .map(|n| (n.to_string(), vec![f64::NAN; media.len()]))
        .collect();
    let (mut measured, mut failed) = (Vec::new(), Vec::new());
    for (row, result) in results.into_iter().enumerate() {
        let Some((key, values, fresh)) = result else {
            continue;
        };
        match values {
            Ok(values) => {
                for (c, v) in columns.iter_mut().zip(&values) {
                    c.1[row] = *v;
                }
                if fresh && let Some(key) = key {
                    measured.push((key, values));
                }
            }
            Err(e) => failed.push(e),
        }
    }
    Ok(MediaMetrics {
        columns,
        measured,
        failed,
    })
}

/// Input metrics as slice columns of the analysis (quantile bins, or one value per number
/// when a metric takes few values); metrics no file gave are left out.
pub fn as_slices(columns: &[(String, Vec<f64>)]) -> Vec<crate::model::SliceColumn> {
    columns
        .iter()
        .filter_map(|(name, values)| {
            // A metric no file gave is NaN: empty.
            let numbers = values
                .iter()
                .map(|v| if v.is_finite() { *v } else { f64::NAN })
                .collect();
            super::slicing::slice_column(name, super::slicing::SliceSource::Numbers(numbers)).ok()
        })
        .collect()
}

/// Measures a monitored set's media and adds the metrics as its input columns; returns
/// the files measured now (for the project's cache) and warnings naming failed files.
pub fn add_to(
    set: &mut crate::model::drift::monitored::MonitoredSet,
    cache: &MetricsCache,
    progress: &Progress,
) -> Result<(Measured, Vec<String>), super::LoadError> {
    let (Some(media), Some(root)) = (&set.media, &set.media_root) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let m = compute(root, media, cache, progress)?;
    let mut warnings = Vec::new();
    if !m.failed.is_empty() {
        warnings.push(format!(
            "{}: {} media files could not be measured and count as unknown ({}{})",
            set.path,
            m.failed.len(),
            m.failed
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join("; "),
            if m.failed.len() > 3 { "; …" } else { "" }
        ));
    }
    set.inputs = m.columns;
    Ok((m.measured, warnings))
}
