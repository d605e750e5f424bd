//! Media decoding off the UI thread: one named thread per kind of media, fed through a
//! bounded queue, and a small cache by row so that stepping to a prefetched row shows it at
//! once. Images (`images`) and audio clips (`audio`) are both built on this.

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

use crate::data::contain::contain;

/// A decoded item, or why it could not be decoded (naming the file).
pub type Decoded<T> = Result<T, String>;

/// Items kept per kind (the current row and its neighbours both ways).
pub const CACHE: usize = 12;

/// A decoding thread and the rows it is working on.
pub struct Decoder<T> {
    requests: SyncSender<(u32, PathBuf)>,
    results: Receiver<(u32, Decoded<T>)>,
    pending: Vec<u32>,
}

impl<T: Send + 'static> Decoder<T> {
    /// Starts the thread `name`; a panic while decoding one file becomes that file's error.
    pub fn spawn(name: &str, ctx: &egui::Context, decode: fn(&Path) -> Decoded<T>) -> Self {
        let (requests, inbox) = sync_channel::<(u32, PathBuf)>(CACHE);
        let (outbox, results) = sync_channel(CACHE);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                for (row, path) in inbox {
                    let decoded = contain(|| decode(&path)).unwrap_or_else(|panic| {
                        Err(format!(
                            "{}: the decoder failed on this file ({panic})",
                            path.display()
                        ))
                    });
                    if outbox.send((row, decoded)).is_err() {
                        break;
                    }
                    ctx.request_repaint();
                }
            });
        if let Err(e) = spawned {
            eprintln!("errata: could not start the {name} thread ({e}); media will not be shown");
        }
        Decoder {
            requests,
            results,
            pending: Vec::new(),
        }
    }

    /// Asks for `row` unless it is on its way; a full queue drops the request (it is asked
    /// again on a later frame).
    pub fn request(&mut self, row: u32, path: PathBuf) {
        if self.pending.contains(&row) {
            return;
        }
        match self.requests.try_send((row, path)) {
            Ok(()) => self.pending.push(row),
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {}
        }
    }

    /// The decodes finished since the last call.
    pub fn finished(&mut self) -> Vec<(u32, Decoded<T>)> {
        let done: Vec<_> = self.results.try_iter().collect();
        self.pending
            .retain(|row| !done.iter().any(|(finished, _)| finished == row));
        done
    }
}

/// The last [`CACHE`] items by row, oldest dropped first.
pub struct Cache<V> {
    items: HashMap<u32, Decoded<V>>,
    order: VecDeque<u32>,
}

impl<V> Default for Cache<V> {
    fn default() -> Self {
        Cache {
            items: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<V> Cache<V> {
    pub fn insert(&mut self, row: u32, item: Decoded<V>) {
        if self.items.insert(row, item).is_none() {
            self.order.push_back(row);
        }
        while self.order.len() > CACHE {
            if let Some(old) = self.order.pop_front() {
                self.items.remove(&old);
            }
        }
    }

    pub fn get(&self, row: u32) -> Option<&Decoded<V>> {
        self.items.get(&row)
    }

    pub fn contains(&self, row: u32) -> bool {
        self.items.contains_key(&row)
    }

    pub fn clear(&mut self) {
        self.items.clear();
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keeps_the_most_recent_rows() {
        let mut cache = Cache::default();
        for row in 0..(CACHE as u32 + 3) {
            cache.insert(row, Ok(row));
        }
        assert!(!cache.contains(0) && !cache.contains(2));
        assert!(cache.contains(3) && cache.contains(CACHE as u32 + 2));
        cache.insert(5, Err("again".into()));
        assert_eq!(cache.get(5), Some(&Err("again".to_string())));
    }

    #[test]
    fn a_panicking_decoder_reports_the_file() {
        fn explode(_: &Path) -> Decoded<u8> {
            panic!("bad file")
        }
        let ctx = egui::Context::default();
        let mut decoder = Decoder::spawn("errata-test-decode", &ctx, explode);
        decoder.request(4, PathBuf::from("clip.wav"));
        let mut done = Vec::new();
        for _ in 0..200 {
            done = decoder.finished();
            if !done.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        let (row, result) = done.pop().expect("the decoder answered");
        assert_eq!(row, 4);
        assert!(result.unwrap_err().contains("clip.wav"));
    }
}
