//! Audio: clips are decoded off the UI thread into samples once (for the waveform, and so
//! that playing, seeking and looping start at once), then played through rodio on the default
//! output device. Without an output device the player says so and everything else works.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rodio::Source;
use rodio::buffer::SamplesBuffer;

use super::media::{Cache, Decoded, Decoder};

/// Longest clip errata decodes: evaluation clips last seconds; a longer file is refused
/// rather than allowed to fill memory.
pub const MAX_DURATION: Duration = Duration::from_secs(20 * 60);
/// Columns of the waveform overview.
const WAVEFORM_COLUMNS: usize = 600;

/// A decoded clip: its samples, ready to play, and the waveform overview.
pub struct Clip {
    pub samples: SamplesBuffer,
    pub duration: Duration,
    /// (lowest, highest) sample of each of [`WAVEFORM_COLUMNS`] equal spans of the clip,
    /// channels mixed.
    pub peaks: Vec<(f32, f32)>,
}

pub fn decode_clip(path: &Path) -> Decoded<Arc<Clip>> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let file = File::open(path).map_err(|e| fail(&e))?;
    if file.metadata().map_err(|e| fail(&e))?.is_dir() {
        return Err(fail(&"is a folder, not an audio file"));
    }
    let source = rodio::Decoder::try_from(file).map_err(|e| fail(&e))?;
    let too_long = || {
        fail(&format_args!(
            "the clip is longer than {} minutes, the most errata plays",
            MAX_DURATION.as_secs() / 60
        ))
    };
    let declared = source.total_duration();
    if declared.is_some_and(|d| d > MAX_DURATION) {
        return Err(too_long());
    }
    let (channels, rate) = (source.channels(), source.sample_rate());
    let limit = MAX_DURATION.as_secs() as usize * rate.get() as usize * channels.get() as usize;
    let samples: Vec<f32> = source.take(limit + 1).collect();
    if samples.len() > limit {
        return Err(too_long());
    }
    if samples.is_empty() {
        return Err(fail(&"the file holds no audio"));
    }
    let peaks = peaks(&samples, channels.get() as usize, WAVEFORM_COLUMNS);
    let samples = SamplesBuffer::new(channels, rate, samples);
    let duration = samples.total_duration().unwrap_or_default();
    // A file cut short decodes to less than its header declares: say so rather than play
    // a fragment as if it were the clip.
    if let Some(declared) = declared
        && duration + Duration::from_millis(20) < declared.mul_f64(0.98)
    {
        return Err(fail(&format_args!(
            "the file ends early: {:.2} s of the {:.2} s its header declares (truncated?)",
            duration.as_secs_f64(),
            declared.as_secs_f64()
        )));
    }
    Ok(Arc::new(Clip {
        samples,
        duration,
        peaks,
    }))
}

/// The lowest and highest value of each of `columns` equal spans of interleaved samples.
fn peaks(samples: &[f32], channels: usize, columns: usize) -> Vec<(f32, f32)> {
    let frames = samples.len() / channels.max(1);
    let columns = columns.min(frames).max(1);
    (0..columns)
        .map(|c| {
            let (start, end) = (c * frames / columns, ((c + 1) * frames / columns).max(1));
            samples[start * channels..end * channels]
                .chunks(channels)
                .map(|frame| frame.iter().sum::<f32>() / channels as f32)
                .fold((0.0f32, 0.0f32), |(lo, hi), v| (lo.min(v), hi.max(v)))
        })
        .collect()
}

/// Clips decoded on `errata-audio-decode`, for the current row and its neighbours.
pub struct AudioLoader {
    decoder: Decoder<Arc<Clip>>,
    clips: Cache<Arc<Clip>>,
}

impl AudioLoader {
    pub fn new(ctx: &egui::Context) -> Self {
        AudioLoader {
            decoder: Decoder::spawn("errata-audio-decode", ctx, decode_clip),
            clips: Cache::default(),
        }
    }

    pub fn request(&mut self, row: u32, path: std::path::PathBuf) {
        if !self.clips.contains(row) {
            self.decoder.request(row, path);
        }
    }

    pub fn poll(&mut self) {
        for (row, clip) in self.decoder.finished() {
            self.clips.insert(row, clip);
        }
    }

    pub fn get(&self, row: u32) -> Option<&Decoded<Arc<Clip>>> {
        self.clips.get(row)
    }
}

/// What the user asked of the player, applied after drawing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AudioAction {
    PlayPause,
    /// Play from the start.
    Replay,
    /// Jump to this fraction (0–1) of the clip.
    Seek(f32),
    ToggleLoop,
}

/// Plays one clip at a time on the default output device.
pub struct Player {
    /// The output device, or why there is none.
    output: Result<rodio::MixerDeviceSink, String>,
    /// The clip being played (or paused) and its row.
    current: Option<(u32, Arc<Clip>, rodio::Player)>,
    pub looping: bool,
}

impl Player {
    /// Opens the default output device when `use_device`; without one the player stays
    /// silent and says why.
    pub fn new(use_device: bool) -> Self {
        let output = if use_device {
            rodio::DeviceSinkBuilder::open_default_sink()
                .map(|mut sink| {
                    sink.log_on_drop(false);
                    sink
                })
                .map_err(|e| e.to_string())
        } else {
            Err("audio output is turned off".into())
        };
        Player {
            output,
            current: None,
            looping: false,
        }
    }

    /// Why nothing can be heard, when that is so.
    pub fn unavailable(&self) -> Option<&str> {
        self.output.as_ref().err().map(String::as_str)
    }

    /// Pauses whatever plays.
    pub fn pause_all(&mut self) {
        if let Some((_, _, p)) = &self.current {
            p.pause();
        }
    }

    pub fn is_playing(&self, row: u32) -> bool {
        self.current
            .as_ref()
            .is_some_and(|(r, _, p)| *r == row && !p.is_paused() && !p.empty())
    }

    /// Where playback of `row` is (zero when another row or nothing is loaded).
    pub fn position(&self, row: u32) -> Duration {
        match &self.current {
            Some((r, _, p)) if *r == row && !p.empty() => p.get_pos(),
            _ => Duration::ZERO,
        }
    }

    /// Loads `clip` into a fresh output queue (dropping the previous one stops it at once).
    fn load(&mut self, row: u32, clip: &Arc<Clip>) -> Option<&rodio::Player> {
        let sink = self.output.as_ref().ok()?;
        let player = rodio::Player::connect_new(sink.mixer());
        player.pause();
        player.append(clip.samples.clone());
        self.current = Some((row, clip.clone(), player));
        self.current.as_ref().map(|(_, _, p)| p)
    }

    /// The loaded player for `row`, loading the clip if another one (or none) is loaded or
    /// it has finished.
    fn player_for(&mut self, row: u32, clip: &Arc<Clip>) -> Option<&rodio::Player> {
        let loaded = matches!(&self.current, Some((r, _, p)) if *r == row && !p.empty());
        if loaded {
            self.current.as_ref().map(|(_, _, p)| p)
        } else {
            self.load(row, clip)
        }
    }

    pub fn apply(&mut self, action: AudioAction, row: u32, clip: &Arc<Clip>) {
        match action {
            AudioAction::PlayPause => {
                if let Some(player) = self.player_for(row, clip) {
                    if player.is_paused() {
                        player.play();
                    } else {
                        player.pause();
                    }
                }
            }
            AudioAction::Replay => {
                if let Some(player) = self.load(row, clip) {
                    player.play();
                }
            }
            AudioAction::Seek(fraction) => {
                let to = clip.duration.mul_f32(fraction.clamp(0.0, 1.0));
                if let Some(player) = self.player_for(row, clip) {
                    // A failed seek leaves playback where it was; nothing is lost.
                    let _ = player.try_seek(to);
                }
            }
            AudioAction::ToggleLoop => self.looping = !self.looping,
        }
    }

    /// Once per frame: restarts a finished clip when looping. Returns whether a clip is
    /// playing (so the position display needs repainting).
    pub fn tick(&mut self) -> bool {
        let Some((row, clip, player)) = &self.current else {
            return false;
        };
        if player.empty() && self.looping {
            let (row, clip) = (*row, clip.clone());
            if let Some(player) = self.load(row, &clip) {
                player.play();
            }
        }
        self.current
            .as_ref()
            .is_some_and(|(_, _, p)| !p.is_paused() && !p.empty())
    }

    /// Stops playback (when the selection moves to another row).
    pub fn stop_unless(&mut self, row: Option<u32>) {
        if self
            .current
            .as_ref()
            .is_some_and(|(r, _, _)| Some(*r) != row)
        {
            self.current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_sample_clip_with_its_waveform() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let clip = decode_clip(&root.join("sample_data/speech/clips/utt_001.wav")).unwrap();
        assert!(
            clip.duration > Duration::from_millis(300),
            "{:?}",
            clip.duration
        );
        assert_eq!(clip.peaks.len(), WAVEFORM_COLUMNS);
        assert!(clip.peaks.iter().any(|&(lo, hi)| lo < -0.01 && hi > 0.01));
    }

    #[test]
    fn every_bundled_clip_decodes_whole() {
        let clips = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data/speech/clips");
        for entry in std::fs::read_dir(clips).unwrap() {
            let path = entry.unwrap().path();
            let clip = decode_clip(&path).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                clip.duration > Duration::from_millis(300),
                "{}",
                path.display()
            );
        }
    }

    #[test]
    fn bad_files_are_named() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for bad in [
            "sample_data/speech/clips/missing.wav",
            "tests/data/bad/corrupt.parquet",
            "sample_data/speech/clips",
        ] {
            let err = decode_clip(&root.join(bad)).err().expect(bad);
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn without_an_output_device_the_player_says_so() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let clip = decode_clip(&root.join("sample_data/speech/clips/utt_001.wav")).unwrap();
        let mut player = Player::new(false);
        assert!(player.unavailable().is_some());
        player.apply(AudioAction::PlayPause, 0, &clip);
        player.apply(AudioAction::Seek(0.5), 0, &clip);
        assert!(!player.is_playing(0));
        assert!(!player.tick());
    }

    #[test]
    fn peaks_cover_every_frame() {
        let samples = [0.0, 0.5, -1.0, 0.25, 1.0, 0.0];
        assert_eq!(
            peaks(&samples, 1, 3),
            [(0.0, 0.5), (-1.0, 0.25), (0.0, 1.0)]
        );
        assert_eq!(
            peaks(&samples, 2, 10),
            [(0.0, 0.25), (-0.375, 0.0), (0.0, 0.5)]
        );
    }
}
