//! Row ids stored as one text buffer plus offsets: a million ids cost one allocation, not a
//! million. Ids that ascend in byte order (as exports sorted by id, or numbered with zeros
//! in front, have them) are found by binary search and hold no repeat by construction; other
//! ids get an index of their hashes, sorted, which finds an id's row without a second copy
//! of the ids; the same sort puts repeated ids side by side, so building it is the check
//! that no id repeats.

use std::sync::OnceLock;

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

/// The ids of the rows, in row order.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    text: String,
    /// `ends[i]` is the end of id `i` in `text`; it starts where id `i - 1` ends.
    ends: Vec<usize>,
    /// Decided on the first lookup (a report never needs it), or handed over by the load
    /// that decided it to check the ids.
    lookup: OnceLock<Lookup>,
}

/// How a row is found by its id.
#[derive(Clone, Debug)]
enum Lookup {
    /// Each id is greater than the one before: binary search, no index.
    Ascending,
    Index(IdIndex),
}

impl PartialEq for Ids {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.ends == other.ends
    }
}

impl Eq for Ids {}

fn hash(id: &str) -> u64 {
    xxh3_64(id.as_bytes())
}

impl Ids {
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        Ids {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
            lookup: OnceLock::new(),
        }
    }

    /// The ids whose text is `text` cut at `ends` (`ends[i]` is where id `i` ends).
    pub fn from_parts(text: String, ends: Vec<usize>) -> Self {
        debug_assert!(
            ends.windows(2).all(|w| w[0] <= w[1]) && ends.last().is_none_or(|&e| e == text.len()),
            "ends ascend to the end of the text"
        );
        Ids {
            text,
            ends,
            lookup: OnceLock::new(),
        }
    }

    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.lookup.take();
    }

    /// Whether each id is greater, in byte order, than the one before (so none repeats).
    pub fn ascending(&self) -> bool {
        self.each_after_the_last(|last, id| last < id)
    }

    /// Whether `follows(id before, id)` holds of every id after the first, the ids as bytes
    /// (which order as their text does, without checking where characters start).
    fn each_after_the_last(&self, follows: impl Fn(&[u8], &[u8]) -> bool + Sync) -> bool {
        let text = self.text.as_bytes();
        (1..self.len())
            .into_par_iter()
            .with_min_len(1 << 14)
            .all(|row| {
                let before = if row == 1 { 0 } else { self.ends[row - 2] };
                let (start, end) = (self.ends[row - 1], self.ends[row]);
                follows(&text[before..start], &text[start..end])
            })
    }

    /// How rows are found by id, decided now (a load decides it to find repeated ids).
    fn lookup(&self) -> &Lookup {
        self.lookup.get_or_init(|| match self.ascending() {
            true => Lookup::Ascending,
            false => Lookup::Index(IdIndex::of(self)),
        })
    }

    /// The row whose id is `id` (the first, if it repeats).
    pub fn row(&self, id: &str) -> Option<usize> {
        match self.lookup() {
            Lookup::Ascending => {
                let at = self.first_not_below(id);
                (at < self.len() && self.get(at) == id).then_some(at)
            }
            Lookup::Index(index) => index.row(self, id),
        }
    }

    /// The row of each of `wanted`, as [`Ids::row`] finds it. When these ids ascend and
    /// `wanted` is in order too (repeats allowed), the two lists are walked side by side
    /// instead of looking each id up.
    pub fn rows_of(&self, wanted: &Ids) -> Vec<Option<usize>> {
        let walk = matches!(self.lookup(), Lookup::Ascending)
            && wanted.each_after_the_last(|last, id| last <= id);
        if !walk {
            return (0..wanted.len())
                .into_par_iter()
                .map(|at| self.row(wanted.get(at)))
                .collect();
        }
        let mut rows = vec![None; wanted.len()];
        const CHUNK: usize = 1 << 14;
        rows.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(chunk, found)| {
                let first = chunk * CHUNK;
                let mut at = self.first_not_below(wanted.get(first));
                for (k, row) in found.iter_mut().enumerate() {
                    let id = wanted.get(first + k);
                    while at < self.len() && self.get(at) < id {
                        at += 1;
                    }
                    if at < self.len() && self.get(at) == id {
                        *row = Some(at);
                    }
                }
            });
        rows
    }

    /// The first row whose id is not less than `id` (the ids ascend).
    fn first_not_below(&self, id: &str) -> usize {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            if self.get(mid) < id {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }

    /// Pairs of rows holding the same id, as (first row with it, later row), by later row.
    pub fn repeats(&self) -> Vec<(usize, usize)> {
        match self.lookup() {
            Lookup::Ascending => Vec::new(),
            Lookup::Index(index) => index.repeats(self),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn get(&self, row: usize) -> &str {
        let start = if row == 0 { 0 } else { self.ends[row - 1] };
        &self.text[start..self.ends[row]]
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|row| self.get(row))
    }
}

/// The rows sorted by the hash of their id: each entry is the hash's top 32 bits above the
/// row number, so sorting the entries sorts by hash, then row. `starts` cuts them into
/// buckets by the hash's top `bits` bits, a few entries each: a lookup reads one bucket.
/// Eight bytes a row, about what a hash table of row numbers takes, but built by a radix
/// pass and parallel sorts instead of ten million random inserts.
#[derive(Clone, Debug, Default)]
pub struct IdIndex {
    entries: Vec<u64>,
    starts: Vec<u32>,
    bits: u32,
}

/// The buckets of the first, cache-sized pass of [`sorted`].
const SCATTER_BITS: u32 = 12;

impl IdIndex {
    fn of(ids: &Ids) -> IdIndex {
        assert!(
            u32::try_from(ids.len()).is_ok(),
            "fewer than 4 billion rows"
        );
        let entry = |row: usize| (hash(ids.get(row)) & !0xFFFF_FFFF) | row as u64;
        let unsorted: Vec<u64> = (0..ids.len()).into_par_iter().map(entry).collect();
        let entries = sorted(unsorted);
        // About two entries a bucket.
        let bits = (usize::BITS - (entries.len() / 2).leading_zeros()).clamp(1, 32);
        let starts = bucket_starts(&entries, bits)
            .into_iter()
            .map(|s| s as u32)
            .collect();
        IdIndex {
            entries,
            starts,
            bits,
        }
    }

    /// Rows indexed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn row(&self, ids: &Ids, id: &str) -> Option<usize> {
        let h = hash(id);
        let b = (h >> (64 - self.bits)) as usize;
        let bucket = &self.entries[self.starts[b] as usize..self.starts[b + 1] as usize];
        bucket
            .iter()
            .filter(|&&e| e >> 32 == h >> 32)
            .map(|&e| (e & 0xFFFF_FFFF) as usize)
            .find(|&row| ids.get(row) == id)
    }

    fn repeats(&self, ids: &Ids) -> Vec<(usize, usize)> {
        let mut pairs = Vec::new();
        let row = |e: u64| (e & 0xFFFF_FFFF) as usize;
        for group in self.entries.chunk_by(|a, b| a >> 32 == b >> 32) {
            for (k, &later) in group.iter().enumerate().skip(1) {
                let id = ids.get(row(later));
                if let Some(&first) = group[..k].iter().find(|&&e| ids.get(row(e)) == id) {
                    pairs.push((row(first), row(later)));
                }
            }
        }
        pairs.sort_unstable_by_key(|p| p.1);
        pairs
    }
}

/// `values` sorted: scattered by their top bits into buckets that fit in cache, each then
/// sorted on its own, in parallel. At ten million values a few times quicker than one sort.
pub fn sorted(values: Vec<u64>) -> Vec<u64> {
    let scatter = |e: u64| (e >> (64 - SCATTER_BITS)) as usize;
    let starts = bucket_starts(&values, SCATTER_BITS);
    let mut out = vec![0u64; values.len()];
    let mut next = starts.clone();
    for &e in &values {
        let b = scatter(e);
        out[next[b]] = e;
        next[b] += 1;
    }
    drop(values);
    let mut buckets: Vec<&mut [u64]> = Vec::with_capacity(starts.len());
    let mut rest = out.as_mut_slice();
    for w in starts.windows(2) {
        let (this, after) = rest.split_at_mut(w[1] - w[0]);
        buckets.push(this);
        rest = after;
    }
    buckets.par_iter_mut().for_each(|b| b.sort_unstable());
    out
}

/// Where each bucket of `entries` by their top `bits` bits starts, once sorted (the last is
/// the end): a count per bucket, summed.
fn bucket_starts(entries: &[u64], bits: u32) -> Vec<usize> {
    let mut starts = vec![0usize; (1 << bits) + 1];
    for &e in entries {
        starts[(e >> (64 - bits)) as usize + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    starts
}

impl<S: AsRef<str>> FromIterator<S> for Ids {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut ids = Ids::default();
        for id in iter {
            ids.push(id.as_ref());
        }
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_equals_a_comparison_sort_with_repeats_and_extremes() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut values: Vec<u64> = (0..50_000)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Narrow values pile into one bucket; every tenth repeats an earlier one.
                match i % 10 {
                    0 => i as u64 / 3,
                    _ => state,
                }
            })
            .collect();
        values.extend([0, u64::MAX, u64::MAX, 1 << 63]);
        let mut expected = values.clone();
        expected.sort_unstable();
        assert_eq!(sorted(values), expected);
        assert!(sorted(Vec::new()).is_empty());
    }

    #[test]
    fn ids_round_trip_including_empty_and_unicode() {
        let ids: Ids = ["utt_001", "", "café"].into_iter().collect();
        assert_eq!(ids.len(), 3);
        assert_eq!(ids.get(0), "utt_001");
        assert_eq!(ids.get(1), "");
        assert_eq!(ids.get(2), "café");
        assert_eq!(ids.iter().collect::<Vec<_>>(), ["utt_001", "", "café"]);
    }

    #[test]
    fn rows_are_found_by_id_and_repeats_give_the_first_row() {
        let mut ids: Ids = (0..10_000).map(|i| format!("r{i}")).collect();
        assert_eq!(ids.row("r3"), Some(3));
        ids.push("r7");
        assert_eq!(ids.len(), 10_001);
        assert_eq!(ids.get(10_000), "r7");
        assert_eq!(ids.row("r7"), Some(7));
        assert_eq!(ids.row("r9999"), Some(9999));
        assert_eq!(ids.row("r10000"), None);
        assert_eq!(ids.row(""), None);
    }

    #[test]
    fn repeated_ids_pair_each_later_row_with_the_first() {
        let mut ids: Ids = (0..5_000).map(|i| format!("r{i}")).collect();
        assert!(ids.repeats().is_empty());
        for id in ["r7", "r4999", "r7", ""] {
            ids.push(id);
        }
        ids.push("");
        assert_eq!(
            ids.repeats(),
            [(7, 5_000), (4_999, 5_001), (7, 5_002), (5_003, 5_004)]
        );
        assert_eq!(ids.row(""), Some(5_003));
    }

    #[test]
    fn every_row_of_a_large_set_is_found_whether_or_not_its_ids_ascend() {
        let padded = |i: usize| format!("id-{i:07}");
        let ascending: Ids = (0..200_000).map(padded).collect();
        // The same ids from the last to the first: looked up in the index of hashes.
        let descending: Ids = (0..200_000).rev().map(padded).collect();
        assert!(ascending.ascending() && !descending.ascending());
        for ids in [&ascending, &descending] {
            assert!(
                (0..200_000).all(|i| ids.row(&padded(i)).map(|r| ids.get(r)) == Some(&padded(i)))
            );
            assert_eq!(ids.row("id-0200000"), None);
            assert_eq!(ids.row(""), None);
            assert_eq!(ids.row("id-"), None);
            assert!(ids.repeats().is_empty());
        }
        let none: Ids = Ids::default();
        assert_eq!(none.row("x"), None);
        assert!(none.repeats().is_empty());
        assert!(none.rows_of(&ascending).iter().all(Option::is_none));
    }

    #[test]
    fn many_ids_are_found_at_once_as_one_at_a_time() {
        let padded = |i: usize| format!("r{i:06}");
        // Every third id of the rows, some that no row has, between and past them.
        let ascending: Ids = (0..100_000).step_by(3).map(padded).collect();
        let wanted_sorted: Ids = (0..40_000)
            .flat_map(|i| [padded(i * 5), padded(i * 5), format!("{}x", padded(i * 5))])
            .chain(["s".to_string(), "zz".to_string()])
            .collect();
        // In order, with each id that rows have twice (as a row with two tags).
        assert!(!wanted_sorted.ascending());
        let shuffled: Ids = (0..40_000).map(|i| padded(i * 7919 % 100_000)).collect();
        let unsorted: Ids = (0..100_000).rev().step_by(3).map(padded).collect();
        for rows in [&ascending, &unsorted] {
            for wanted in [&wanted_sorted, &shuffled] {
                let one_at_a_time: Vec<Option<usize>> =
                    wanted.iter().map(|id| rows.row(id)).collect();
                assert_eq!(rows.rows_of(wanted), one_at_a_time);
                assert!(one_at_a_time.iter().any(Option::is_some));
                assert!(one_at_a_time.iter().any(Option::is_none));
            }
        }
        assert!(ascending.rows_of(&Ids::default()).is_empty());
    }

    #[test]
    fn ids_that_ascend_but_for_one_repeat_are_checked_by_the_index() {
        let mut ids: Ids = (0..1_000).map(|i| format!("a{i:04}")).collect();
        ids.push("a0999");
        assert!(!ids.ascending());
        assert_eq!(ids.repeats(), [(999, 1_000)]);
        assert_eq!(ids.row("a0999"), Some(999));
    }
}
