//! Row ids stored as one text buffer plus offsets: a million ids cost one allocation, not a
//! million. A hash table of row numbers finds an id's row without a second copy of the ids.

use std::sync::OnceLock;

use hashbrown::HashTable;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

/// The ids of the rows, in row order.
#[derive(Clone, Debug, Default)]
pub struct Ids {
    text: String,
    /// `ends[i]` is the end of id `i` in `text`; it starts where id `i - 1` ends.
    ends: Vec<usize>,
    /// The row of each id (its first row, if it repeats), hashed by the id's text. Built on
    /// the first lookup: a report never needs it, a project opening does.
    index: OnceLock<HashTable<u32>>,
    /// Known to hold no id twice (a loaded dataset's are checked), so the index is built
    /// without comparing ids.
    unique: bool,
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
            index: OnceLock::new(),
            unique: false,
        }
    }

    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
        self.index.take();
        self.unique = false;
    }

    /// Says that no id is held twice, as a check of every id found.
    pub fn checked_unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// The row whose id is `id` (the first, if it repeats).
    pub fn row(&self, id: &str) -> Option<usize> {
        self.index
            .get_or_init(|| self.build_index())
            .find(hash(id), |&row| self.get(row as usize) == id)
            .map(|&row| row as usize)
    }

    /// Hashes every id in parallel, then files the rows under their hashes.
    fn build_index(&self) -> HashTable<u32> {
        let hashes: Vec<u64> = (0..self.len())
            .into_par_iter()
            .map(|row| hash(self.get(row)))
            .collect();
        let mut index = HashTable::with_capacity(hashes.len());
        let rehash = |&r: &u32| hash(self.get(r as usize));
        if self.unique {
            for (row, &h) in hashes.iter().enumerate() {
                let row = u32::try_from(row).expect("fewer than 4 billion rows");
                index.insert_unique(h, row, rehash);
            }
            return index;
        }
        for (row, &h) in hashes.iter().enumerate() {
            let id = self.get(row);
            let entry = index.entry(h, |&r| self.get(r as usize) == id, rehash);
            if let hashbrown::hash_table::Entry::Vacant(vacant) = entry {
                vacant.insert(u32::try_from(row).expect("fewer than 4 billion rows"));
            }
        }
        index
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
    fn ids_checked_unique_are_found_alike() {
        let ids: Ids = (0..10_000).map(|i| format!("r{i}")).collect();
        let checked = ids.clone().checked_unique();
        for id in ["r0", "r3", "r9999", "r10000", ""] {
            assert_eq!(checked.row(id), ids.row(id), "{id}");
        }
        let mut pushed = checked;
        pushed.push("r5");
        assert_eq!(pushed.row("r5"), Some(5), "a push forgets uniqueness");
    }
}
