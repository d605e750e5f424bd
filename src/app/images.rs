//! Images: decoded off the UI thread with limits so that a hostile file cannot exhaust
//! memory, then kept as textures for the current row and its neighbours.

use std::path::PathBuf;

use super::media::{Cache, Decoded, Decoder};

pub fn decode(path: &std::path::Path) -> Decoded<egui::ColorImage> {
    let image = crate::data::media::decode_image(path)?;
    let size = [image.width() as usize, image.height() as usize];
    // Photos decode to RGB: convert straight to egui's pixels, without an RGBA copy between.
    Ok(match image {
        image::DynamicImage::ImageRgb8(rgb) => egui::ColorImage::from_rgb(size, rgb.as_raw()),
        other => egui::ColorImage::from_rgba_unmultiplied(size, other.to_rgba8().as_raw()),
    })
}

/// Images decoded on `errata-decode`, turned into textures on the UI thread.
pub struct ImageLoader {
    decoder: Decoder<egui::ColorImage>,
    textures: Cache<egui::TextureHandle>,
}

impl ImageLoader {
    pub fn new(ctx: &egui::Context) -> Self {
        ImageLoader {
            decoder: Decoder::spawn("errata-decode", ctx, decode),
            textures: Cache::default(),
        }
    }

    /// Asks for `row`'s image unless it is cached or on its way.
    pub fn request(&mut self, row: u32, path: PathBuf) {
        if !self.textures.contains(row) {
            self.decoder.request(row, path);
        }
    }

    /// Turns finished decodes into textures (on the UI thread, as egui requires).
    pub fn poll(&mut self, ctx: &egui::Context) {
        for (row, decoded) in self.decoder.finished() {
            let texture = decoded.map(|image| {
                ctx.load_texture(format!("row-{row}"), image, egui::TextureOptions::LINEAR)
            });
            self.textures.insert(row, texture);
        }
    }

    pub fn get(&self, row: u32) -> Option<&Decoded<egui::TextureHandle>> {
        self.textures.get(row)
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
