//! The order of the review table: by row, id, truth, prediction, confidence, reviewed mark
//! or number of tags, ascending or descending. Ties keep row order, so every order is total
//! and a row's place can be found by binary search.

use std::cmp::Ordering;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::dataset::EvalSet;
use super::ids::Ids;
use super::tags::TagBook;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    #[default]
    Row,
    Id,
    Truth,
    Prediction,
    Confidence,
    Reviewed,
    Tags,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Order {
    pub key: SortKey,
    pub descending: bool,
}

impl Order {
    /// Row order: the rows of a filter are already in it.
    pub fn is_natural(&self) -> bool {
        *self == Order::default()
    }

    /// Whether a row's place depends on its tags or reviewed mark (so an edit can move it).
    pub fn follows_edits(&self) -> bool {
        matches!(self.key, SortKey::Reviewed | SortKey::Tags)
    }

    pub fn compare(&self, set: &EvalSet, book: &TagBook, a: u32, b: u32) -> Ordering {
        let (i, j) = (a as usize, b as usize);
        let by_key = match self.key {
            SortKey::Row => Ordering::Equal,
            SortKey::Id => set.ids.get(i).cmp(set.ids.get(j)),
            SortKey::Truth => set.label_text(i).cmp(set.label_text(j)),
            SortKey::Prediction => set.prediction_text(i).cmp(set.prediction_text(j)),
            SortKey::Confidence => match &set.confidence {
                // Rows without a confidence (NaN) come last either way.
                Some(c) => match (c[i].is_nan(), c[j].is_nan()) {
                    (false, false) => c[i].total_cmp(&c[j]),
                    (nan_i, nan_j) => return nan_i.cmp(&nan_j).then(a.cmp(&b)),
                },
                None => Ordering::Equal,
            },
            SortKey::Reviewed => book.is_reviewed(i).cmp(&book.is_reviewed(j)),
            SortKey::Tags => book.tag_count(i).cmp(&book.tag_count(j)),
        };
        let by_key = if self.descending {
            by_key.reverse()
        } else {
            by_key
        };
        by_key.then(if self.descending && self.key == SortKey::Row {
            b.cmp(&a)
        } else {
            a.cmp(&b)
        })
    }

    /// Sorts distinct rows, given in any order, into the order [`Order::compare`] defines.
    /// Ids and confidences are sorted once for the whole table ([`Presorted`]); a large share
    /// of the table is then taken from that order in one pass, a small one is sorted directly.
    /// Other rows are first put back in row order through a bitmap (one pass, no
    /// comparisons), then keys with few values (classes, reviewed mark, number of tags) are
    /// placed by a stable counting sort, which keeps ties in row order. At 10 million rows
    /// each is many times faster than comparing rows through their text.
    pub fn sort(&self, set: &EvalSet, book: &TagBook, presorted: &Presorted, rows: &mut [u32]) {
        let large = rows.len() >= set.len() / SMALL_SHARE;
        let whole = match self.key {
            SortKey::Id if large => Some(presorted.by_id(set)),
            SortKey::Confidence if large && set.confidence.is_some() => {
                Some(presorted.by_confidence(set))
            }
            _ => None,
        };
        if let Some(whole) = whole {
            self.take_in_order(set, whole, rows);
            return;
        }
        if self.key == SortKey::Id {
            sort_by_id(&set.ids, rows);
            if self.descending {
                // Reversed, with rows of one id (loading refuses repeats) kept in row order.
                rows.reverse();
                let id = |row: &u32| set.ids.get(*row as usize);
                rows.chunk_by_mut(|a, b| id(a) == id(b))
                    .for_each(<[u32]>::reverse);
            }
            return;
        }
        into_row_order(rows, set.len());
        let descending = self.descending;
        match self.key {
            SortKey::Row if descending => rows.reverse(),
            SortKey::Row | SortKey::Id => {}
            SortKey::Truth | SortKey::Prediction => {
                let rank = text_ranks(&set.vocab);
                let codes = if self.key == SortKey::Truth {
                    &set.labels
                } else {
                    &set.predictions
                };
                counting_sort(rows, descending, |row| rank[codes[row as usize] as usize]);
            }
            SortKey::Reviewed => counting_sort(rows, descending, |row| {
                u32::from(book.is_reviewed(row as usize))
            }),
            SortKey::Tags => {
                counting_sort(rows, descending, |row| book.tag_count(row as usize) as u32)
            }
            SortKey::Confidence => {
                if let Some(c) = &set.confidence {
                    sort_by_confidence(c, descending, rows);
                }
            }
        }
    }

    /// Puts `rows` in this order by walking `whole`, every row of the table in ascending key
    /// order. Descending, runs of equal keys keep row order, and rows without a key
    /// (confidence) stay last.
    fn take_in_order(&self, set: &EvalSet, whole: &WholeOrder, rows: &mut [u32]) {
        let mut shown = vec![0u64; set.len().div_ceil(64)];
        for &row in rows.iter() {
            shown[row as usize / 64] |= 1 << (row % 64);
        }
        let mut slots = rows.iter_mut();
        let mut put = |run: &[u32]| {
            for &row in run {
                if shown[row as usize / 64] >> (row % 64) & 1 == 1 {
                    *slots.next().expect("rows are distinct") = row;
                }
            }
        };
        if !self.descending {
            put(&whole.rows);
            return;
        }
        let mut run_end = whole.with_key;
        for at in (0..whole.with_key).rev() {
            if whole.starts_run(at) {
                put(&whole.rows[at..run_end]);
                run_end = at;
            }
        }
        put(&whole.rows[whole.with_key..]);
    }

    /// Where `row` is in `rows` (sorted in this order), or where it would go.
    pub fn position(
        &self,
        set: &EvalSet,
        book: &TagBook,
        rows: &[u32],
        row: u32,
    ) -> Result<usize, usize> {
        if self.is_natural() {
            rows.binary_search(&row)
        } else {
            rows.binary_search_by(|&probe| self.compare(set, book, probe, row))
        }
    }

    /// The row after (or before) `current` in `rows` (sorted in this order), for stepping
    /// with → and ←. From a row outside the list, the first row after (or before) its place.
    pub fn step(
        &self,
        set: &EvalSet,
        book: &TagBook,
        rows: &[u32],
        current: Option<u32>,
        forward: bool,
    ) -> Option<u32> {
        let Some(current) = current else {
            return if forward { rows.first() } else { rows.last() }.copied();
        };
        let at = match (self.position(set, book, rows, current), forward) {
            (Ok(i), true) => i + 1,
            (Err(i), true) => i,
            (Ok(i) | Err(i), false) => i.checked_sub(1)?,
        };
        rows.get(at).copied()
    }
}

/// Below this share of the table (1/16), shown rows are sorted directly rather than taken
/// from a whole-table order.
const SMALL_SHARE: usize = 16;

/// Every row of the table in the order of a key that never changes (id, confidence),
/// built on first use and kept for the session: at 10 million rows sorting by id can take a
/// second, taking the shown rows from the sorted table a few tens of milliseconds.
#[derive(Debug, Default)]
pub struct Presorted {
    by_id: OnceLock<WholeOrder>,
    by_confidence: OnceLock<WholeOrder>,
}

/// All rows in ascending key order, ties in row order, rows without a key last.
#[derive(Debug)]
struct WholeOrder {
    rows: Vec<u32>,
    /// Bit `i` is set when `rows[i]` has another key than `rows[i - 1]`.
    run_starts: Vec<u64>,
    /// How many rows have a key (the others follow them).
    with_key: usize,
}

impl WholeOrder {
    /// Every row below `n` in (key, row) order. `with_key` rows have a key (the others have
    /// the largest); `refine` orders a run of rows of equal 64-bit keys by their full keys (ids
    /// longer than their key), and `same` tells whether two such rows have equal full keys.
    ///
    /// Built a range of keys at a time: the (key, row) pairs of every row at once would take
    /// 16 bytes a row beside the order (160 MB at ten million rows); a range takes about an
    /// eighth of that, for 20 % more time.
    fn by_key(
        n: usize,
        with_key: usize,
        key: impl Fn(u32) -> u64 + Sync,
        refine: impl Fn(&mut [(u64, u32)]) + Sync,
        same: impl Fn(u32, u32) -> bool,
    ) -> Self {
        let cuts = range_cuts(n, &key);
        let mut rows = Vec::with_capacity(n);
        let mut run_starts = vec![0u64; n.div_ceil(64)];
        let mut previous: Option<(u64, u32)> = None;
        let range_of: Vec<u8> = (0..n as u32)
            .into_par_iter()
            .map(|row| cuts.partition_point(|&cut| cut <= key(row)) as u8)
            .collect();
        let mut sizes = vec![0usize; cuts.len() + 1];
        for &range in &range_of {
            sizes[usize::from(range)] += 1;
        }
        for (range, &size) in sizes.iter().enumerate() {
            let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(size);
            keyed.extend(
                (0..n as u32)
                    .zip(&range_of)
                    .filter(|&(_, &r)| usize::from(r) == range)
                    .map(|(row, _)| (key(row), row)),
            );
            keyed.par_sort_unstable();
            keyed
                .par_chunk_by_mut(|a, b| a.0 == b.0)
                .filter(|run| run.len() > 1)
                .for_each(&refine);
            for &(k, row) in &keyed {
                let at = rows.len();
                if previous.is_none_or(|(pk, prow)| pk != k || !same(prow, row)) {
                    run_starts[at / 64] |= 1 << (at % 64);
                }
                rows.push(row);
                previous = Some((k, row));
            }
        }
        WholeOrder {
            rows,
            run_starts,
            with_key,
        }
    }

    fn starts_run(&self, at: usize) -> bool {
        self.run_starts[at / 64] >> (at % 64) & 1 == 1
    }
}

/// How many key ranges [`WholeOrder::by_key`] sorts one after another.
const KEY_RANGES: usize = 8;

/// Keys cutting the keys of the rows below `n` into up to [`KEY_RANGES`] ranges of about
/// as many rows, from an even sample of rows; equal keys always fall in one range.
fn range_cuts(n: usize, key: &impl Fn(u32) -> u64) -> Vec<u64> {
    let taken = n.min(4096);
    if taken == 0 {
        return Vec::new();
    }
    let mut sample: Vec<u64> = (0..taken).map(|i| key((i * n / taken) as u32)).collect();
    sample.sort_unstable();
    let mut cuts: Vec<u64> = (1..KEY_RANGES)
        .map(|r| sample[r * taken / KEY_RANGES])
        .collect();
    cuts.dedup();
    cuts
}

impl Presorted {
    /// Builds every whole-table order now (a caller asking meanwhile waits for it).
    /// Confidence first: it is the sort an analyst reaches for first, and the quicker to build.
    pub fn build_all(&self, set: &EvalSet) {
        if set.confidence.is_some() {
            self.by_confidence(set);
        }
        self.by_id(set);
    }

    fn by_id(&self, set: &EvalSet) -> &WholeOrder {
        self.by_id.get_or_init(|| {
            let id = |row: u32| set.ids.get(row as usize);
            let shared = shared_prefix(&set.ids, 0, (0..set.len() as u32).into_par_iter());
            WholeOrder::by_key(
                set.len(),
                set.len(),
                id_key(&set.ids, shared),
                |run| sort_run_by_id(&set.ids, run),
                |a, b| id(a) == id(b),
            )
        })
    }

    fn by_confidence(&self, set: &EvalSet) -> &WholeOrder {
        self.by_confidence.get_or_init(|| {
            let c = set.confidence.as_deref().unwrap_or_default();
            // Rows without a confidence have the largest key, u64::MAX.
            let with_key = c.par_iter().filter(|x| !x.is_nan()).count();
            WholeOrder::by_key(
                set.len(),
                with_key,
                confidence_key(c, false),
                |_| {},
                |_, _| true,
            )
        })
    }
}

/// Sorts rows by id (text order, ties by row). Comparing ids through the text buffer misses
/// the cache on every comparison (20 s for 10 million random ids), so each row is first
/// given a 64-bit key: the 8 bytes that follow the prefix all its ids share, big-endian,
/// zero-padded. A smaller key means a smaller id, so (key, row) pairs are sorted, and only
/// runs of equal keys are compared through their text.
fn sort_by_id(ids: &Ids, rows: &mut [u32]) {
    let keyed = id_keyed(ids, rows);
    for (slot, (_, row)) in rows.iter_mut().zip(keyed) {
        *slot = row;
    }
}

/// `rows` as (key, row) pairs in id order; see [`sort_by_id`].
fn id_keyed(ids: &Ids, rows: &[u32]) -> Vec<(u64, u32)> {
    let Some(&first) = rows.first() else {
        return Vec::new();
    };
    let key = id_key(ids, shared_prefix(ids, first, rows.par_iter().copied()));
    let mut keyed: Vec<(u64, u32)> = rows.par_iter().map(|&row| (key(row), row)).collect();
    keyed.par_sort_unstable();
    keyed
        .par_chunk_by_mut(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
        .for_each(|run| sort_run_by_id(ids, run));
    keyed
}

/// How many leading bytes the ids of `rows` share with that of row `first`, one of them.
fn shared_prefix(ids: &Ids, first: u32, rows: impl ParallelIterator<Item = u32>) -> usize {
    let id = |row: u32| ids.get(row as usize).as_bytes();
    rows.map(|row| common_prefix(id(first), id(row)))
        .min()
        .unwrap_or(0)
}

/// The 64-bit id key of [`sort_by_id`]: the 8 bytes after the `shared` first ones.
fn id_key(ids: &Ids, shared: usize) -> impl Fn(u32) -> u64 + Sync + '_ {
    move |row: u32| {
        let tail = &ids.get(row as usize).as_bytes()[shared..];
        let mut bytes = [0u8; 8];
        let n = tail.len().min(8);
        bytes[..n].copy_from_slice(&tail[..n]);
        u64::from_be_bytes(bytes)
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Orders a run of rows of equal id keys by their ids, ties by row.
fn sort_run_by_id(ids: &Ids, run: &mut [(u64, u32)]) {
    let id = |row: u32| ids.get(row as usize).as_bytes();
    run.sort_by(|a, b| id(a.1).cmp(id(b.1)).then(a.1.cmp(&b.1)));
}

/// Sorts rows by confidence as (64-bit key, row) pairs; rows without one come last.
fn sort_by_confidence(c: &[f64], descending: bool, rows: &mut [u32]) {
    let keyed = confidence_keyed(c, descending, rows);
    for (slot, (_, row)) in rows.iter_mut().zip(keyed) {
        *slot = row;
    }
}

/// `rows` as (key, row) pairs in confidence order; rows without one have key u64::MAX.
fn confidence_keyed(c: &[f64], descending: bool, rows: &[u32]) -> Vec<(u64, u32)> {
    let key = confidence_key(c, descending);
    let mut keyed: Vec<(u64, u32)> = rows.par_iter().map(|&row| (key(row), row)).collect();
    keyed.par_sort_unstable();
    keyed
}

/// A row's confidence as a 64-bit key in the order asked; u64::MAX without one.
fn confidence_key(c: &[f64], descending: bool) -> impl Fn(u32) -> u64 + Sync + '_ {
    move |row: u32| {
        let x = c[row as usize];
        match (x.is_nan(), descending) {
            (true, _) => u64::MAX,
            (false, false) => monotonic_bits(x),
            (false, true) => !monotonic_bits(x),
        }
    }
}

/// Puts distinct rows below `n` in ascending order: mark them in a bitmap, read it back.
fn into_row_order(rows: &mut [u32], n: usize) {
    if rows.is_sorted() {
        return;
    }
    let mut marked = vec![0u64; n.div_ceil(64)];
    for &row in rows.iter() {
        marked[row as usize / 64] |= 1 << (row % 64);
    }
    let mut slots = rows.iter_mut();
    for (word_at, &word) in marked.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            let row = word_at as u32 * 64 + bits.trailing_zeros();
            *slots.next().expect("rows are distinct") = row;
            bits &= bits - 1;
        }
    }
}

/// A stable counting sort of `rows` by a small key (a rank, a count): ties keep their order.
fn counting_sort(rows: &mut [u32], descending: bool, key: impl Fn(u32) -> u32 + Sync) {
    let keys: Vec<u32> = rows.par_iter().map(|&row| key(row)).collect();
    let buckets = keys.par_iter().max().map_or(0, |&max| max as usize + 1);
    let mut start = vec![0usize; buckets];
    for &k in &keys {
        start[k as usize] += 1;
    }
    let mut next = 0;
    let mut place = |slot: &mut usize| {
        let count = *slot;
        *slot = next;
        next += count;
    };
    if descending {
        start.iter_mut().rev().for_each(&mut place);
    } else {
        start.iter_mut().for_each(&mut place);
    }
    let mut sorted = vec![0; rows.len()];
    for (&k, &row) in keys.iter().zip(rows.iter()) {
        let slot = &mut start[k as usize];
        sorted[*slot] = row;
        *slot += 1;
    }
    rows.copy_from_slice(&sorted);
}

/// The place of each vocabulary entry in text order (equal texts share a place).
fn text_ranks(vocab: &[String]) -> Vec<u32> {
    let mut by_text: Vec<usize> = (0..vocab.len()).collect();
    by_text.sort_by(|&a, &b| vocab[a].cmp(&vocab[b]));
    let mut ranks = vec![0; vocab.len()];
    let mut rank = 0;
    for (at, &code) in by_text.iter().enumerate() {
        if at > 0 && vocab[code] != vocab[by_text[at - 1]] {
            rank += 1;
        }
        ranks[code] = rank;
    }
    ranks
}

/// A number (not NaN) as a u64 in the order of `f64::total_cmp` (-0 before +0).
fn monotonic_bits(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | 1 << 63
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dataset::tests::classification;

    #[test]
    fn every_order_is_total_and_searchable() {
        let set = classification(&["b", "a", "c", "a", "b"], &["b", "c", "c", "a", "a"]);
        let mut book = TagBook::new(set.len());
        let blur = book.define("blur");
        book.assign(&set, blur, 3);
        book.assign(&set, blur, 1);
        let all: Vec<u32> = (0..5).collect();
        let sorted = |key, descending| {
            let order = Order { key, descending };
            let mut rows = all.clone();
            order.sort(&set, &book, &Presorted::default(), &mut rows);
            for (at, &row) in rows.iter().enumerate() {
                assert_eq!(order.position(&set, &book, &rows, row), Ok(at));
            }
            rows
        };
        assert_eq!(sorted(SortKey::Row, false), [0, 1, 2, 3, 4]);
        assert_eq!(sorted(SortKey::Row, true), [4, 3, 2, 1, 0]);
        assert_eq!(sorted(SortKey::Truth, false), [1, 3, 0, 4, 2]);
        assert_eq!(sorted(SortKey::Prediction, true), [1, 2, 0, 3, 4]);
        assert_eq!(sorted(SortKey::Tags, true), [1, 3, 0, 2, 4]);
        assert_eq!(sorted(SortKey::Reviewed, false), [0, 2, 4, 1, 3]);
    }

    #[test]
    fn sorting_rows_in_any_order_agrees_with_comparing_them() {
        // 64 rows: ids "1".."64" (text order is not row order), confidences with ties and
        // missing values, tags and reviewed marks on some rows.
        let classes = ["b", "a", "c", "a", "d"];
        let truth: Vec<&str> = (0..64).map(|i| classes[i * 7 % 5]).collect();
        let predicted: Vec<&str> = (0..64).map(|i| classes[i * 3 % 5]).collect();
        let mut set = classification(&truth, &predicted);
        set.confidence = Some(
            (0..64)
                .map(|i| {
                    if i % 9 == 4 {
                        f64::NAN
                    } else {
                        f64::from(i % 5) / 4.0
                    }
                })
                .collect(),
        );
        let mut book = TagBook::new(set.len());
        let (blur, noise) = (book.define("blur"), book.define("noise"));
        for row in (0..64).step_by(3) {
            book.assign(&set, blur, row);
        }
        for row in (0..64).step_by(7) {
            book.assign(&set, noise, row);
        }
        // Shown rows in a scrambled order, as a filter in a previous order leaves them: a
        // large share of the table (taken from the whole-table order) and a small one
        // (sorted directly).
        let large: Vec<u32> = (0..64u32)
            .map(|i| i * 37 % 64)
            .filter(|r| r % 4 != 1)
            .collect();
        let small: Vec<u32> = vec![40, 3, 17];
        let presorted = Presorted::default();
        for key in [
            SortKey::Row,
            SortKey::Id,
            SortKey::Truth,
            SortKey::Prediction,
            SortKey::Confidence,
            SortKey::Reviewed,
            SortKey::Tags,
        ] {
            for descending in [false, true] {
                let order = Order { key, descending };
                for shown in [&large, &small] {
                    let mut sorted = shown.clone();
                    order.sort(&set, &book, &presorted, &mut sorted);
                    let mut compared = shown.clone();
                    compared.sort_by(|&a, &b| order.compare(&set, &book, a, b));
                    assert_eq!(sorted, compared, "{order:?}, {} rows", shown.len());
                }
            }
        }
    }

    #[test]
    fn whole_table_orders_built_a_key_range_at_a_time_agree_with_comparing() {
        let n = 5000;
        let labels: Vec<&str> = (0..n).map(|i| if i % 3 == 0 { "a" } else { "b" }).collect();
        let mut set = classification(&labels, &labels);
        // Ids sharing a prefix, repeated, some longer than their 8-byte key and equal in
        // it; confidences with many ties and missing values.
        let texts: Vec<String> = (0..n)
            .map(|i| {
                let tail = if i % 4 == 0 {
                    format!("-take{}", i % 13)
                } else {
                    String::new()
                };
                format!("clip/{:04}{tail}", (i * 7919) % 1000)
            })
            .collect();
        set.ids = texts.iter().map(String::as_str).collect();
        set.confidence = Some(
            (0..n)
                .map(|i| {
                    if i % 11 == 0 {
                        f64::NAN
                    } else {
                        f64::from((i * 31 % 17) as u32) / 16.0
                    }
                })
                .collect(),
        );
        let book = TagBook::new(n);
        let presorted = Presorted::default();
        for key in [SortKey::Id, SortKey::Confidence] {
            for descending in [false, true] {
                let order = Order { key, descending };
                let mut sorted: Vec<u32> = (0..n as u32).rev().collect();
                order.sort(&set, &book, &presorted, &mut sorted);
                let mut compared: Vec<u32> = (0..n as u32).collect();
                compared.sort_by(|&a, &b| order.compare(&set, &book, a, b));
                assert_eq!(sorted, compared, "{order:?}");
            }
        }
    }

    #[test]
    fn ids_sorted_by_prefix_keys_are_in_text_order() {
        let texts = [
            "clip/2024/a-000017",
            "clip/2024/a-000017-b",
            "clip/2024/a-000017\0",
            "clip/2024/a-00001",
            "clip/2024/a-000017",
            "clip/2024/b",
            "clip/2024/",
            "clip/2024/a-0000170",
            "clip/2024/é-1",
            "clip/2024/a-000016zzzzzzzz",
            "clip/2024/a-000017zzzzzzza",
            "clip/2024/a-000017zzzzzzz",
        ];
        let ids: Ids = texts.iter().collect();
        let mut rows: Vec<u32> = vec![11, 3, 0, 7, 1, 9, 5, 2, 10, 4, 8, 6];
        sort_by_id(&ids, &mut rows);
        let mut expected: Vec<u32> = (0..texts.len() as u32).collect();
        expected.sort_by(|&a, &b| texts[a as usize].cmp(texts[b as usize]).then(a.cmp(&b)));
        assert_eq!(rows, expected);
        // A subset sharing a longer prefix, and the empty and one-row cases.
        let mut some = vec![10, 0, 4, 11];
        sort_by_id(&ids, &mut some);
        assert_eq!(some, [0, 4, 11, 10]);
        let mut none: Vec<u32> = vec![];
        sort_by_id(&ids, &mut none);
        let mut one = vec![5];
        sort_by_id(&ids, &mut one);
        assert_eq!(one, [5]);
    }

    #[test]
    fn confidence_orders_put_rows_without_confidence_last() {
        let mut set = classification(&["a"; 6], &["a"; 6]);
        set.confidence = Some(vec![0.5, f64::NAN, 0.0, -0.0, 1.0, 0.5]);
        let book = TagBook::new(set.len());
        for descending in [false, true] {
            let order = Order {
                key: SortKey::Confidence,
                descending,
            };
            let mut rows: Vec<u32> = (0..6).collect();
            order.sort(&set, &book, &Presorted::default(), &mut rows);
            let expected: &[u32] = if descending {
                &[4, 0, 5, 2, 3, 1]
            } else {
                &[3, 2, 0, 5, 4, 1]
            };
            assert_eq!(rows, expected, "descending: {descending}");
            let mut compared: Vec<u32> = (0..6).collect();
            compared.sort_by(|&a, &b| order.compare(&set, &book, a, b));
            assert_eq!(rows, compared);
        }
    }

    #[test]
    fn stepping_through_the_shown_rows() {
        let set = classification(&["a"; 10], &["a"; 10]);
        let book = TagBook::new(set.len());
        let step = |rows: &[u32], current, forward| {
            Order::default().step(&set, &book, rows, current, forward)
        };
        let rows = [2, 5, 9];
        assert_eq!(step(&rows, None, true), Some(2));
        assert_eq!(step(&rows, None, false), Some(9));
        assert_eq!(step(&rows, Some(2), true), Some(5));
        assert_eq!(step(&rows, Some(9), true), None);
        assert_eq!(step(&rows, Some(5), false), Some(2));
        assert_eq!(step(&rows, Some(2), false), None);
        assert_eq!(step(&rows, Some(6), true), Some(9), "from a row outside");
        assert_eq!(step(&rows, Some(6), false), Some(5));
        assert_eq!(step(&[], Some(1), true), None);
        let backwards = Order {
            key: SortKey::Row,
            descending: true,
        };
        assert_eq!(
            backwards.step(&set, &book, &[9, 5, 2], Some(5), true),
            Some(2)
        );
        assert_eq!(
            backwards.step(&set, &book, &[9, 5, 2], Some(6), true),
            Some(5)
        );
    }
}
