//! Image decoding off the UI thread, with limits so that a hostile file cannot exhaust
//! memory, and a small cache so that stepping to a prefetched row shows it at once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

/// Largest image errata decodes, per side, and the most memory one decode may take.
const MAX_SIDE: u32 = 16_384;
const MAX_BYTES: u64 = 512 * 1024 * 1024;
/// Decoded images kept (the current row and its neighbours).
const CACHE: usize = 12;

/// A decoded image, or why it could not be decoded (naming the file).
pub type Decoded = Result<egui::ColorImage, String>;

pub fn decode(path: &std::path::Path) -> Decoded {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let mut reader = image::ImageReader::open(path)
        .map_err(|e| fail(&e))?
        .with_guessed_format()
        .map_err(|e| fail(&e))?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_BYTES);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| fail(&e))?;
    let size = [image.width() as usize, image.height() as usize];
    // Photos decode to RGB: convert straight to egui's pixels, without an RGBA copy between.
    Ok(match image {
        image::DynamicImage::ImageRgb8(rgb) => egui::ColorImage::from_rgb(size, rgb.as_raw()),
        other => egui::ColorImage::from_rgba_unmultiplied(size, other.to_rgba8().as_raw()),
    })
}

/// A named decoding thread fed through a bounded queue; results come back by row.
pub struct ImageLoader {
    requests: SyncSender<(u32, PathBuf)>,
    results: Receiver<(u32, Decoded)>,
    pending: Vec<u32>,
    textures: HashMap<u32, Result<egui::TextureHandle, String>>,
    order: Vec<u32>,
}

impl ImageLoader {
    pub fn new(ctx: &egui::Context) -> Self {
        let (requests, inbox) = sync_channel::<(u32, PathBuf)>(CACHE);
        let (outbox, results) = sync_channel(CACHE);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("errata-decode".into())
            .spawn(move || {
                for (row, path) in inbox {
                    let decoded = std::panic::catch_unwind(|| decode(&path))
                        .unwrap_or_else(|_| Err(format!("{}: the decoder failed", path.display())));
                    if outbox.send((row, decoded)).is_err() {
                        break;
                    }
                    ctx.request_repaint();
                }
            });
        if spawned.is_err() {
            eprintln!(
                "errata: could not start the image decoding thread; images will not be shown"
            );
        }
        ImageLoader {
            requests,
            results,
            pending: Vec::new(),
            textures: HashMap::new(),
            order: Vec::new(),
        }
    }

    /// Asks for `row`'s image unless it is cached or on its way; a full queue drops the
    /// request (it is asked again on a later frame).
    pub fn request(&mut self, row: u32, path: PathBuf) {
        if self.textures.contains_key(&row) || self.pending.contains(&row) {
            return;
        }
        match self.requests.try_send((row, path)) {
            Ok(()) => self.pending.push(row),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {}
        }
    }

    /// Turns finished decodes into textures (on the UI thread, as egui requires).
    pub fn poll(&mut self, ctx: &egui::Context) {
        while let Ok((row, decoded)) = self.results.try_recv() {
            self.pending.retain(|&r| r != row);
            let texture = decoded.map(|image| {
                ctx.load_texture(format!("row-{row}"), image, egui::TextureOptions::LINEAR)
            });
            self.textures.insert(row, texture);
            self.order.push(row);
            if self.order.len() > CACHE {
                let old = self.order.remove(0);
                self.textures.remove(&old);
            }
        }
    }

    pub fn get(&self, row: u32) -> Option<&Result<egui::TextureHandle, String>> {
        self.textures.get(&row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_sample_and_names_bad_files() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let image = decode(&root.join("sample_data/phones/images/phone_001.png")).unwrap();
        assert_eq!(image.size, [240, 400]);
        let err = decode(&root.join("tests/data/bad/corrupt.parquet")).unwrap_err();
        assert!(err.contains("corrupt.parquet"), "{err}");
        let err = decode(&root.join("sample_data/phones/images/missing.png")).unwrap_err();
        assert!(err.contains("missing.png"), "{err}");
    }
}
