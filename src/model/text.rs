//! Transcript comparison: word and character error counts with jiwer's default transforms,
//! and the normalisation used for sentence accuracy.

use std::collections::HashMap;

use rayon::prelude::*;

use super::edit_distance::levenshtein;
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

    /// Adds the totals of other rows.
    pub fn absorb(&mut self, other: &EditTotals) {
        self.word_errors += other.word_errors;
        self.ref_words += other.ref_words;
        self.char_errors += other.char_errors;
        self.ref_chars += other.ref_chars;
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

/// The words of both sides as ids (equal words, equal ids), for the edit distance.
fn word_ids<'a>(reference: &[&'a str], hypothesis: &[&'a str]) -> (Vec<u32>, Vec<u32>) {
    let mut ids: HashMap<&'a str, u32> = HashMap::new();
    let mut id = |w: &'a str| -> u32 {
        let next = ids.len() as u32;
        *ids.entry(w).or_insert(next)
    };
    let r = reference.iter().map(|&w| id(w)).collect();
    let h = hypothesis.iter().map(|&w| id(w)).collect();
    (r, h)
}

/// Edit counts of `hypothesis` against `reference`, as jiwer's `wer` and `cer` count them:
/// words after `RemoveMultipleSpaces` + `Strip`, characters (spaces included) after `Strip`
/// only.
pub fn edit_counts(reference: &str, hypothesis: &str) -> EditCounts {
    let (r, h) = (jiwer_clean(reference), jiwer_clean(hypothesis));
    let (rw, hw) = (words(&r), words(&h));
    let (rc, hc): (Vec<u32>, Vec<u32>) = (
        reference.trim().chars().map(u32::from).collect(),
        hypothesis.trim().chars().map(u32::from).collect(),
    );
    let (ri, hi) = word_ids(&rw, &hw);
    let word_errors = levenshtein(&ri, &hi);
    // Characters are many more: an hour of speech is ~700,000 of them.
    let char_errors = levenshtein(&rc, &hc);
    EditCounts {
        word_errors,
        ref_words: rw.len() as u32,
        char_errors,
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

/// Alignments larger than this many table cells are not drawn word by word: the table
/// would take seconds and gigabytes (80,000 words on each side make 6.4 billion cells).
pub const WORD_DIFF_CELLS: usize = 4_000_000;

/// A minimum-edit alignment of the words (as WER counts them), for showing truth and
/// prediction side by side; deterministic among equally short alignments. `None` when the
/// transcripts are too long to align word by word ([`WORD_DIFF_CELLS`]).
pub fn word_diff(reference: &str, hypothesis: &str) -> Option<Vec<WordDiff>> {
    let (r, h) = (jiwer_clean(reference), jiwer_clean(hypothesis));
    let (r, h) = (words(&r), words(&h));
    if (r.len() + 1).saturating_mul(h.len() + 1) > WORD_DIFF_CELLS {
        return None;
    }
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
    Some(steps)
}

/// Whether a character changes how text around it shows without being seen: control
/// characters (ESC starts terminal escape codes, NUL ends C strings) and the bidirectional
/// controls (U+202E turns the following text around).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text with every hidden character ([`is_hidden`]) shown as its code, `\u{1b}`, so that
/// dataset text can neither hide from the reader nor drive a terminal. Tabs and line breaks
/// become spaces.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_hidden(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.into()
}

/// At most `max` characters of `text`, shown visibly, with "…" and the length when cut:
/// for names in messages (a 10,000-character tag name is not a message).
pub fn shorten(text: &str, max: usize) -> String {
    let shown = visible(text);
    let count = shown.chars().count();
    if count <= max {
        return shown.into_owned();
    }
    let head: String = shown.chars().take(max).collect();
    format!("{head}… ({count} characters)")
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
    use super::super::edit_distance::table_distance;
    use super::*;

    #[test]
    fn levenshtein_counts_each_edit_kind() {
        let words = |a: &[&str], b: &[&str]| {
            let (a, b) = word_ids(a, b);
            levenshtein(&a, &b)
        };
        assert_eq!(words(&["a", "b", "c"], &["a", "b", "c"]), 0);
        assert_eq!(words(&["a", "b", "c"], &["a", "x", "c"]), 1);
        assert_eq!(words(&["a", "b", "c"], &["a", "c"]), 1);
        assert_eq!(words(&["a", "c"], &["a", "b", "c"]), 1);
        assert_eq!(words(&[], &["a", "b"]), 2);
        assert_eq!(words(&["a", "b"], &[]), 2);
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
            )
            .unwrap(),
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
        assert_eq!(word_diff("", "hi").unwrap(), [Inserted("hi".into())]);
        assert_eq!(word_diff("hi", "").unwrap(), [Deleted("hi".into())]);
        for (r, h) in [
            ("a b c d e", "a x c e f g"),
            ("call mom now", "mom call now"),
            ("x", "x"),
        ] {
            let edits = word_diff(r, h)
                .unwrap()
                .iter()
                .filter(|d| !matches!(d, Same(_)))
                .count() as u32;
            assert_eq!(edits, edit_counts(r, h).word_errors, "{r:?} vs {h:?}");
        }
    }

    #[test]
    fn the_bit_parallel_distance_equals_the_table_on_random_sequences() {
        // A small deterministic generator (xorshift), so failures repeat.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |bound: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % bound
        };
        for round in 0..400 {
            // Lengths around the 64-symbol block edges and beyond, few and many symbols.
            let (n, m) = (next(300) as usize, next(300) as usize);
            let alphabet = [2, 4, 30, 5000][round % 4];
            let a: Vec<u32> = (0..n).map(|_| next(alphabet) as u32).collect();
            let mut b: Vec<u32> = a.iter().copied().take(m).collect();
            // Near copies as well as unrelated sequences: edit a copy of `a` at random.
            if round % 2 == 0 {
                for _ in 0..next(20) {
                    let at = next(b.len() as u64 + 1) as usize;
                    match next(3) {
                        0 => b.insert(at, next(alphabet) as u32),
                        1 if at < b.len() => {
                            b.remove(at);
                        }
                        _ if at < b.len() => b[at] = next(alphabet) as u32,
                        _ => {}
                    }
                }
            } else {
                b = (0..m).map(|_| next(alphabet) as u32).collect();
            }
            assert_eq!(
                levenshtein(&a, &b),
                table_distance(&a, &b),
                "{a:?} vs {b:?}"
            );
        }
        let (a, b): (Vec<u32>, Vec<u32>) = (
            "kitten sitting".chars().map(u32::from).collect(),
            "sitting kitten".chars().map(u32::from).collect(),
        );
        assert_eq!(levenshtein(&a, &b), table_distance(&a, &b));
    }

    #[test]
    fn long_transcripts_are_counted_and_not_aligned_word_by_word() {
        let reference: Vec<String> = (0..5000).map(|i| format!("w{}", i % 97)).collect();
        let mut hypothesis = reference.clone();
        hypothesis.remove(10);
        hypothesis[2000] = "other".into();
        hypothesis.push("extra".into());
        let (r, h) = (reference.join(" "), hypothesis.join(" "));
        let counts = edit_counts(&r, &h);
        assert_eq!((counts.word_errors, counts.ref_words), (3, 5000));
        assert_eq!(word_diff(&r, &h), None, "25 million cells are not drawn");
        let short = edit_counts("call my sister", "call sister");
        assert_eq!((short.word_errors, short.char_errors), (1, 3));
    }

    #[test]
    fn hidden_characters_are_shown_and_long_names_cut() {
        assert_eq!(visible("plain café"), "plain café");
        assert_eq!(visible("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(visible("x\u{0}y\u{202e}z"), "x\\u{0}y\\u{202e}z");
        assert_eq!(visible("two\nlines"), "two lines");
        let long = "n".repeat(10_000);
        assert_eq!(
            shorten(&long, 20),
            format!("{}… (10000 characters)", "n".repeat(20))
        );
        assert_eq!(shorten("short", 20), "short");
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
