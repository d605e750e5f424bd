//! Draws errata's application icon at every size the platforms ask for, from the same
//! geometry as `assets/icons/errata.svg`: a blue rounded square holding three bars, the
//! tallest one orange (the category worth working on). Writes `assets/icons/<N>x<N>.png`
//! and `assets/icons/errata.ico` (PNG images in an ICO directory).
//!
//! `scripts/make-assets.sh` runs it; the outputs are committed.

use std::path::Path;

/// The mark on a 64-unit grid, as in the SVG: (x, y, width, height, corner radius, colour).
const SHAPES: [(f32, f32, f32, f32, f32, [u8; 3]); 4] = [
    (2.0, 2.0, 60.0, 60.0, 13.0, [31, 111, 235]),
    (13.0, 30.0, 10.0, 22.0, 2.5, [255, 255, 255]),
    (27.0, 22.0, 10.0, 30.0, 2.5, [255, 255, 255]),
    (41.0, 10.0, 10.0, 42.0, 2.5, [240, 136, 62]),
];

const SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];

/// Whether the point (x, y) of the 64-unit grid lies in a rounded rectangle.
fn inside(x: f32, y: f32, (rx, ry, w, h, r): (f32, f32, f32, f32, f32)) -> bool {
    if x < rx || y < ry || x > rx + w || y > ry + h {
        return false;
    }
    let cx = x.clamp(rx + r, rx + w - r);
    let cy = y.clamp(ry + r, ry + h - r);
    (x - cx).powi(2) + (y - cy).powi(2) <= r * r
}

/// The icon at `size` pixels, 4×4 samples a pixel for smooth edges.
fn draw(size: u32) -> image::RgbaImage {
    const SAMPLES: u32 = 4;
    let scale = 64.0 / size as f32;
    image::RgbaImage::from_fn(size, size, |px, py| {
        let mut sum = [0f32; 4];
        for sy in 0..SAMPLES {
            for sx in 0..SAMPLES {
                let x = (px as f32 + (sx as f32 + 0.5) / SAMPLES as f32) * scale;
                let y = (py as f32 + (sy as f32 + 0.5) / SAMPLES as f32) * scale;
                // The last shape containing the point is on top.
                if let Some(&(.., colour)) = SHAPES
                    .iter()
                    .rev()
                    .find(|&&(rx, ry, w, h, r, _)| inside(x, y, (rx, ry, w, h, r)))
                {
                    for c in 0..3 {
                        sum[c] += f32::from(colour[c]);
                    }
                    sum[3] += 255.0;
                }
            }
        }
        let n = (SAMPLES * SAMPLES) as f32;
        let alpha = sum[3] / n;
        // Colours averaged over the covered samples only, so edges do not darken.
        let covered = (sum[3] / 255.0).max(1.0);
        image::Rgba([
            (sum[0] / covered).round() as u8,
            (sum[1] / covered).round() as u8,
            (sum[2] / covered).round() as u8,
            alpha.round() as u8,
        ])
    })
}

fn png(image: &image::RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("encode PNG");
    bytes
}

/// An ICO file holding PNG images (Windows Vista and later read these).
fn ico(images: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend([0, 0, 1, 0]);
    out.extend((images.len() as u16).to_le_bytes());
    let mut offset = 6 + 16 * images.len() as u32;
    for (size, data) in images {
        let side = if *size >= 256 { 0 } else { *size as u8 };
        out.extend([side, side, 0, 0]);
        out.extend(1u16.to_le_bytes()); // colour planes
        out.extend(32u16.to_le_bytes()); // bits per pixel
        out.extend((data.len() as u32).to_le_bytes());
        out.extend(offset.to_le_bytes());
        offset += data.len() as u32;
    }
    for (_, data) in images {
        out.extend(data);
    }
    out
}

fn main() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icons");
    std::fs::create_dir_all(&folder).expect("create assets/icons");
    let mut for_ico = Vec::new();
    for size in SIZES {
        let bytes = png(&draw(size));
        std::fs::write(folder.join(format!("{size}x{size}.png")), &bytes).expect("write PNG");
        if matches!(size, 16 | 24 | 32 | 48 | 256) {
            for_ico.push((size, bytes));
        }
    }
    std::fs::write(folder.join("errata.ico"), ico(&for_ico)).expect("write ICO");
    println!(
        "wrote {} PNGs and errata.ico to {}",
        SIZES.len(),
        folder.display()
    );
}
