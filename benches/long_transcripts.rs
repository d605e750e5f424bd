//! Long-form transcripts: one row per hour of speech. Times the word and character edit
//! counts (WER and CER) of one row of 20,000 to 80,000 words with about 15 % word errors,
//! and the inspector's word diff on such a row.
//!
//! `cargo bench --bench long_transcripts`

use std::time::Instant;

use errata::model::text::{edit_counts, word_diff};

/// A deterministic transcript of `words` words and a hypothesis with about 15 % of its
/// words substituted, deleted or inserted.
fn pair(words: usize) -> (String, String) {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let vocabulary: Vec<String> = (0..3000).map(|i| format!("word{i}")).collect();
    let (mut reference, mut hypothesis) = (Vec::new(), Vec::new());
    for _ in 0..words {
        let word = &vocabulary[next(3000) as usize];
        reference.push(word.clone());
        match next(100) {
            0..5 => hypothesis.push(vocabulary[next(3000) as usize].clone()),
            5..10 => {}
            10..15 => {
                hypothesis.push(word.clone());
                hypothesis.push("uh".into());
            }
            _ => hypothesis.push(word.clone()),
        }
    }
    (reference.join(" "), hypothesis.join(" "))
}

fn main() {
    for words in [20_000, 40_000, 80_000] {
        let (reference, hypothesis) = pair(words);
        let start = Instant::now();
        let counts = edit_counts(&reference, &hypothesis);
        let took = start.elapsed();
        println!(
            "{words} words ({} characters): WER {:.3}, CER {:.3} in {:.0} ms",
            counts.ref_chars,
            f64::from(counts.word_errors) / f64::from(counts.ref_words),
            f64::from(counts.char_errors) / f64::from(counts.ref_chars),
            took.as_secs_f64() * 1000.0
        );
        let start = Instant::now();
        let diff = word_diff(&reference, &hypothesis);
        println!(
            "  word diff for the inspector: {} in {:.2} ms",
            if diff.is_some() {
                "aligned"
            } else {
                "too long, a note instead"
            },
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
}
