//! Input metrics of the media themselves (docs/drift.md): what a clip or an image looks like
//! to the model, so that a louder device or a darker camera shows as drift even when no
//! metadata column says so. Pure: the samples and pixels are decoded by `data`.

/// Names of the audio metrics, in the order [`audio_metrics`] returns them.
pub const AUDIO_METRICS: [&str; 7] = [
    "audio duration (s)",
    "audio RMS (dBFS)",
    "audio peak (dBFS)",
    "audio clipped share",
    "audio silent share",
    "audio sample rate (Hz)",
    "audio channels",
];

/// Names of the image metrics, in the order [`image_metrics`] returns them.
pub const IMAGE_METRICS: [&str; 6] = [
    "image width",
    "image height",
    "image brightness",
    "image contrast",
    "image sharpness",
    "image saturated share",
];

/// A sample at or beyond this magnitude counts as clipped (full scale, within float
/// rounding of 16-bit audio).
pub const CLIPPED: f32 = 0.999;
/// Frames of this length are silent when their RMS is below [`SILENT_DBFS`].
pub const FRAME_SECONDS: f64 = 0.02;
pub const SILENT_DBFS: f64 = -50.0;
/// A pixel whose luma is at least this is saturated (blown highlight).
pub const SATURATED_LUMA: f64 = 250.0;

fn dbfs(amplitude: f64) -> f64 {
    if amplitude > 0.0 {
        20.0 * amplitude.log10()
    } else {
        f64::NEG_INFINITY
    }
}

/// Duration, RMS and peak level (dBFS; −∞ for digital silence is written as −120),
/// share of clipped samples, share of silent 20 ms frames, sample rate and channels of
/// interleaved samples in [−1, 1].
pub fn audio_metrics(samples: &[f32], channels: u16, rate: u32) -> [f64; 7] {
    let ch = usize::from(channels.max(1));
    let frames = samples.len() / ch;
    let (mut sum_sq, mut peak, mut clipped) = (0.0f64, 0.0f32, 0usize);
    for &s in samples {
        sum_sq += f64::from(s) * f64::from(s);
        peak = peak.max(s.abs());
        clipped += usize::from(s.abs() >= CLIPPED);
    }
    let n = samples.len().max(1) as f64;
    let frame_len = ((f64::from(rate) * FRAME_SECONDS).round() as usize).max(1) * ch;
    let (mut silent, mut total) = (0usize, 0usize);
    for frame in samples.chunks(frame_len) {
        let energy = frame
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum::<f64>()
            / frame.len() as f64;
        silent += usize::from(dbfs(energy.sqrt()) < SILENT_DBFS);
        total += 1;
    }
    let floor = |v: f64| v.max(-120.0);
    [
        frames as f64 / f64::from(rate.max(1)),
        floor(dbfs((sum_sq / n).sqrt())),
        floor(dbfs(f64::from(peak))),
        clipped as f64 / n,
        if total == 0 {
            0.0
        } else {
            silent as f64 / total as f64
        },
        f64::from(rate),
        f64::from(channels),
    ]
}

/// Width, height, brightness (mean luma, 0–255, Rec. 601 weights), contrast (luma standard
/// deviation), sharpness (variance of the 4-neighbour Laplacian over the interior pixels)
/// and the share of saturated pixels, from 8-bit RGB pixels.
pub fn image_metrics(width: u32, height: u32, rgb: &[u8]) -> [f64; 6] {
    let (w, h) = (width as usize, height as usize);
    let luma: Vec<f64> = rgb
        .chunks_exact(3)
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .collect();
    let n = luma.len().max(1) as f64;
    let mean = luma.iter().sum::<f64>() / n;
    let var = luma.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let saturated = luma.iter().filter(|&&v| v >= SATURATED_LUMA).count() as f64 / n;
    let (mut lap_sum, mut lap_sq, mut lap_n) = (0.0, 0.0, 0usize);
    if w >= 3 && h >= 3 {
        for y in 1..h - 1 {
            for x in 1..w - 1 {
                let i = y * w + x;
                let l = luma[i - 1] + luma[i + 1] + luma[i - w] + luma[i + w] - 4.0 * luma[i];
                lap_sum += l;
                lap_sq += l * l;
                lap_n += 1;
            }
        }
    }
    let sharpness = if lap_n == 0 {
        0.0
    } else {
        let m = lap_sum / lap_n as f64;
        lap_sq / lap_n as f64 - m * m
    };
    [
        f64::from(width),
        f64::from(height),
        mean,
        var.sqrt(),
        sharpness,
        saturated,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_scale_square_wave_clips_and_silence_is_silent() {
        let rate = 1000;
        let mut samples = vec![1.0f32; 500];
        samples.extend(vec![0.0f32; 500]);
        let m = audio_metrics(&samples, 1, rate);
        assert!((m[0] - 1.0).abs() < 1e-12);
        assert!((m[1] - 20.0 * 0.5f64.sqrt().log10()).abs() < 1e-9);
        assert_eq!(m[2], 0.0);
        assert!((m[3] - 0.5).abs() < 1e-12);
        assert!((m[4] - 0.5).abs() < 1e-12);
        assert_eq!((m[5], m[6]), (1000.0, 1.0));
    }

    #[test]
    fn a_flat_image_has_no_contrast_and_no_edges() {
        let rgb = vec![128u8; 4 * 4 * 3];
        let m = image_metrics(4, 4, &rgb);
        assert!((m[2] - 128.0).abs() < 1e-9);
        assert_eq!(m[3], 0.0);
        assert_eq!(m[4], 0.0);
        assert_eq!(m[5], 0.0);
        let mut edge = vec![0u8; 4 * 4 * 3];
        edge[(4 + 1) * 3..(4 + 2) * 3].copy_from_slice(&[255, 255, 255]);
        assert!(image_metrics(4, 4, &edge)[4] > 0.0);
    }
}
