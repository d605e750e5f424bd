//! Transcript comparison: word and character error counts with jiwer's default transforms,
//! and the normalisation used for sentence accuracy.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

/// Edit counts of one hypothesis against its reference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EditCounts {
    /// Substitutions + deletions + insertions at word level.
    pub word_errors: u32,
    /// Words in the reference.
    pub ref_words: u32,
    pub char_errors: u32,
    pub ref_chars: u32,
}

impl EditCounts {
    pub fn add(&mut self, other: EditCounts) {
        self.word_errors += other.word_errors;
        self.ref_words += other.ref_words;
        self.char_errors += other.char_errors;
        self.ref_chars += other.ref_chars;
    }
}

/// Sums of edit counts over a group of rows, with the corpus-level rates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EditTotals {
    pub word_errors: u64,
    pub ref_words: u64,
    pub char_errors: u64,
    pub ref_chars: u64,
}

impl EditTotals {
    pub fn add(&mut self, e: EditCounts) {
        self.word_errors += u64::from(e.word_errors);
        self.ref_words += u64::from(e.ref_words);
        self.char_errors += u64::from(e.char_errors);
        self.ref_chars += u64::from(e.ref_chars);
    }

    pub fn remove(&mut self, e: EditCounts) {
        self.word_errors -= u64::from(e.word_errors);
        self.ref_words -= u64::from(e.ref_words);
        self.char_errors -= u64::from(e.char_errors);
        self.ref_chars -= u64::from(e.ref_chars);
    }

    /// Corpus word error rate, (S + D + I) / N; `None` without reference words.
    pub fn wer(&self) -> Option<f64> {
        super::stats::ratio(self.word_errors, self.ref_words)
    }

    pub fn cer(&self) -> Option<f64> {
        super::stats::ratio(self.char_errors, self.ref_chars)
    }
}

/// jiwer's default cleaning: runs of two or more whitespace characters become one space
/// (`RemoveMultipleSpaces`), then leading and trailing whitespace goes (`Strip`).
fn jiwer_clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() && chars.peek().is_some_and(|n| n.is_whitespace()) {
            while chars.peek().is_some_and(|n| n.is_whitespace()) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out.trim().to_string()
}

/// Words as jiwer's `ReduceToListOfListOfWords` yields them (split on single spaces).
fn words(clean: &str) -> Vec<&str> {
    clean.split(' ').filter(|w| !w.is_empty()).collect()
}

/// Minimum number of substitutions, deletions and insertions turning `a` into `b`.
pub fn levenshtein<T: PartialEq>(a: &[T], b: &[T]) -> u32 {
    if a.is_empty() {
        return b.len() as u32;
    }
    let mut prev: Vec<u32> = (0..=b.len() as u32).collect();
    let mut cur = vec![0u32; b.len() + 1];
    for (i, x) in a.iter().enumerate() {
        cur[0] = i as u32 + 1;
        for (j, y) in b.iter().enumerate() {
            let substitute = prev[j] + u32::from(x != y);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Edit counts of `hypothesis` against `reference`, as jiwer's `wer` and `cer` count them:
/// words after `RemoveMultipleSpaces` + `Strip`, characters (spaces included) after `Strip`
/// only.
pub fn edit_counts(reference: &str, hypothesis: &str) -> EditCounts {
    let (r, h) = (jiwer_clean(reference), jiwer_clean(hypothesis));
    let (rw, hw) = (words(&r), words(&h));
    let (rc, hc): (Vec<char>, Vec<char>) = (
        reference.trim().chars().collect(),
        hypothesis.trim().chars().collect(),
    );
    EditCounts {
        word_errors: levenshtein(&rw, &hw),
        ref_words: rw.len() as u32,
        char_errors: levenshtein(&rc, &hc),
        ref_chars: rc.len() as u32,
    }
}

/// Edit counts for every row; each row's pair is independent, so rows run in parallel.
pub fn row_edits(vocab: &[String], labels: &[u32], predictions: &[u32]) -> Vec<EditCounts> {
    labels
        .par_iter()
        .zip(predictions)
        .map(|(&l, &p)| {
            if l == p {
                let reference = &vocab[l as usize];
                EditCounts {
                    ref_words: words(&jiwer_clean(reference)).len() as u32,
                    ref_chars: reference.trim().chars().count() as u32,
                    ..EditCounts::default()
                }
            } else {
                edit_counts(&vocab[l as usize], &vocab[p as usize])
            }
        })
        .collect()
}

/// One step of a word-level alignment of a hypothesis against its reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum WordDiff {
    Same(String),
    Substituted {
        reference: String,
        hypothesis: String,
    },
    /// In the reference, missing from the hypothesis.
    Deleted(String),
    /// In the hypothesis, not in the reference.
    Inserted(String),
}

/// A minimum-edit alignment of the words (as WER counts them), for showing truth and
/// prediction side by side; deterministic among equally short alignments.
pub fn word_diff(reference: &str, hypothesis: &str) -> Vec<WordDiff> {
    let (r, h) = (jiwer_clean(reference), jiwer_clean(hypothesis));
    let (r, h) = (words(&r), words(&h));
    let width = h.len() + 1;
    // cost[i][j]: edits turning r[..i] into h[..j].
    let mut cost = vec![0u32; (r.len() + 1) * width];
    for i in 0..=r.len() {
        for j in 0..=h.len() {
            cost[i * width + j] = match (i, j) {
                (0, j) => j as u32,
                (i, 0) => i as u32,
                (i, j) => {
                    let substitute =
                        cost[(i - 1) * width + j - 1] + u32::from(r[i - 1] != h[j - 1]);
                    substitute
                        .min(cost[(i - 1) * width + j] + 1)
                        .min(cost[i * width + j - 1] + 1)
                }
            };
        }
    }
    let mut steps = Vec::new();
    let (mut i, mut j) = (r.len(), h.len());
    // Walking back from the end: matches first, then insertions and deletions, and a
    // substitution only where nothing else is as short, which pairs "light" with "lights"
    // rather than with a word inserted after it.
    while i > 0 || j > 0 {
        let here = cost[i * width + j];
        if i > 0 && j > 0 && r[i - 1] == h[j - 1] && here == cost[(i - 1) * width + j - 1] {
            steps.push(WordDiff::Same(r[i - 1].to_string()));
            (i, j) = (i - 1, j - 1);
        } else if j > 0 && here == cost[i * width + j - 1] + 1 {
            steps.push(WordDiff::Inserted(h[j - 1].to_string()));
            j -= 1;
        } else if i > 0 && here == cost[(i - 1) * width + j] + 1 {
            steps.push(WordDiff::Deleted(r[i - 1].to_string()));
            i -= 1;
        } else {
            steps.push(WordDiff::Substituted {
                reference: r[i - 1].to_string(),
                hypothesis: h[j - 1].to_string(),
            });
            (i, j) = (i - 1, j - 1);
        }
    }
    steps.reverse();
    steps
}

/// The text compared for sentence accuracy: lowercase, punctuation removed, whitespace
/// collapsed to single spaces.
pub fn normalise(s: &str) -> String {
    let kept: String = s
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Maps each vocabulary entry to a code shared by all entries with the same normalised text,
/// so that per-row correctness is an integer comparison.
pub fn canonical_codes(vocab: &[String]) -> Vec<u32> {
    let mut seen: HashMap<String, u32> = HashMap::with_capacity(vocab.len());
    vocab
        .iter()
        .map(|v| {
            let next = seen.len() as u32;
            *seen.entry(normalise(v)).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_each_edit_kind() {
        assert_eq!(levenshtein(&["a", "b", "c"], &["a", "b", "c"]), 0);
        assert_eq!(levenshtein(&["a", "b", "c"], &["a", "x", "c"]), 1);
        assert_eq!(levenshtein(&["a", "b", "c"], &["a", "c"]), 1);
        assert_eq!(levenshtein(&["a", "c"], &["a", "b", "c"]), 1);
        assert_eq!(levenshtein::<&str>(&[], &["a", "b"]), 2);
        assert_eq!(levenshtein::<&str>(&["a", "b"], &[]), 2);
    }

    #[test]
    fn edit_counts_follow_jiwer_defaults() {
        // jiwer.wer("turn on the light", "turn the lights") == 0.5 (1 deletion, 1 substitution)
        let e = edit_counts("turn on the light", "turn the lights");
        assert_eq!((e.word_errors, e.ref_words), (2, 4));
        // Case and punctuation count as errors unless the user normalises.
        let e = edit_counts("Stop.", "stop");
        assert_eq!(
            (e.word_errors, e.ref_words, e.char_errors, e.ref_chars),
            (1, 1, 2, 5)
        );
        // Extra spaces are collapsed for words only; spaces are characters for CER.
        let e = edit_counts("  go   home ", "go home");
        assert_eq!((e.word_errors, e.char_errors, e.ref_chars), (0, 2, 9));
        let e = edit_counts("hello", "");
        assert_eq!((e.word_errors, e.ref_words), (1, 1));
    }

    #[test]
    fn word_diff_shows_each_edit_and_agrees_with_wer() {
        use WordDiff::*;
        assert_eq!(
            word_diff(
                "turn on the kitchen light",
                "turn the kitchen lights please"
            ),
            [
                Same("turn".into()),
                Deleted("on".into()),
                Same("the".into()),
                Same("kitchen".into()),
                Substituted {
                    reference: "light".into(),
                    hypothesis: "lights".into()
                },
                Inserted("please".into()),
            ]
        );
        assert_eq!(word_diff("", "hi"), [Inserted("hi".into())]);
        assert_eq!(word_diff("hi", ""), [Deleted("hi".into())]);
        for (r, h) in [
            ("a b c d e", "a x c e f g"),
            ("call mom now", "mom call now"),
            ("x", "x"),
        ] {
            let edits = word_diff(r, h)
                .iter()
                .filter(|d| !matches!(d, Same(_)))
                .count() as u32;
            assert_eq!(edits, edit_counts(r, h).word_errors, "{r:?} vs {h:?}");
        }
    }

    #[test]
    fn normalisation_ignores_case_punctuation_and_spacing() {
        assert_eq!(normalise("  Turn ON, the light! "), "turn on the light");
        let codes = canonical_codes(&["Stop!".into(), "stop".into(), "go".into()]);
        assert_eq!(codes[0], codes[1]);
        assert_ne!(codes[0], codes[2]);
    }

    #[test]
    fn totals_give_corpus_rates() {
        let mut t = EditTotals::default();
        t.add(edit_counts("a b c d", "a b"));
        t.add(edit_counts("e f", "e f"));
        assert_eq!(t.wer(), Some(2.0 / 6.0));
        t.remove(edit_counts("e f", "e f"));
        assert_eq!(t.wer(), Some(0.5));
        assert_eq!(EditTotals::default().wer(), None);
    }
}
