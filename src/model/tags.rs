//! Tag assignments and their running counts. Each edit touches only the counters of the tag
//! and row involved, never the whole dataset.

use super::dataset::EvalSet;
use super::group::GroupCounts;

/// Why `name` cannot be a tag's name, if it cannot: every name errata accepts is written to
/// and read back from CSV, reports and the terminal unchanged, so a name must not be empty,
/// start or end with a space, or hold a `;` (the separator of a tags column) or a hidden
/// character (line breaks, tabs, control and bidirectional characters).
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("it is empty")
    } else if name.trim() != name {
        Some("it starts or ends with a space")
    } else if name.contains(';') {
        Some("it contains ';', which separates tags in a tags column")
    } else if name.chars().any(super::text::is_hidden) {
        Some("it contains a line break, tab, control or bidirectional character")
    } else {
        None
    }
}

/// Index of a tag in a [`TagBook`].
pub type TagId = usize;

/// A set of row indices as a bitmap: one bit per dataset row, so membership tests and edits
/// are a shift and a mask (a million rows cost 125 kB per tag).
#[derive(Clone, Debug)]
struct RowSet {
    words: Vec<u64>,
}

impl RowSet {
    fn new(rows: usize) -> Self {
        RowSet {
            words: vec![0; rows.div_ceil(64)],
        }
    }

    fn contains(&self, row: usize) -> bool {
        self.words[row / 64] & (1 << (row % 64)) != 0
    }

    /// Sets the bit; returns false when it was already set.
    fn insert(&mut self, row: usize) -> bool {
        let (word, bit) = (&mut self.words[row / 64], 1u64 << (row % 64));
        let new = *word & bit == 0;
        *word |= bit;
        new
    }

    /// Clears the bit; returns false when it was not set.
    fn remove(&mut self, row: usize) -> bool {
        let (word, bit) = (&mut self.words[row / 64], 1u64 << (row % 64));
        let present = *word & bit != 0;
        *word &= !bit;
        present
    }

    /// The rows in the set, ascending.
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut w = word;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let bit = w.trailing_zeros();
                    w &= w - 1;
                    (i * 64) as u32 + bit
                })
            })
        })
    }
}

/// The counts behind every per-tag figure, without the rows: what a report needs of a
/// [`TagBook`], and what the books of several parts of a table add up to.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TagTotals {
    pub names: Vec<String>,
    pub counts: Vec<GroupCounts>,
    /// Counts over the reviewed rows: those with a tag or an explicit reviewed mark.
    pub reviewed: GroupCounts,
}

impl TagTotals {
    pub fn of(book: &TagBook) -> Self {
        TagTotals {
            names: book.names.clone(),
            counts: book.counts.clone(),
            reviewed: book.reviewed,
        }
    }

    /// Adds the totals of other rows, tag by tag name; tags new to us come last.
    pub fn absorb(&mut self, other: &TagTotals) {
        for (name, counts) in other.names.iter().zip(&other.counts) {
            match self.names.iter().position(|n| n == name) {
                Some(t) => self.counts[t].absorb(counts),
                None => {
                    self.names.push(name.clone());
                    self.counts.push(*counts);
                }
            }
        }
        self.reviewed.absorb(&other.reviewed);
    }
}

/// Which rows carry which tags, which rows were reviewed, and the counts behind every
/// per-tag figure.
#[derive(Clone, Debug)]
pub struct TagBook {
    names: Vec<String>,
    members: Vec<RowSet>,
    counts: Vec<GroupCounts>,
    tags_per_row: Vec<u16>,
    marked: Vec<bool>,
    /// Counts over the reviewed rows: those with a tag or an explicit reviewed mark.
    reviewed: GroupCounts,
}

impl TagBook {
    pub fn new(rows: usize) -> Self {
        TagBook {
            names: Vec::new(),
            members: Vec::new(),
            counts: Vec::new(),
            tags_per_row: vec![0; rows],
            marked: vec![false; rows],
            reviewed: GroupCounts::default(),
        }
    }

    /// The tag called `name`, defined now if it was not yet.
    pub fn define(&mut self, name: &str) -> TagId {
        if let Some(id) = self.id(name) {
            return id;
        }
        self.names.push(name.to_string());
        self.members.push(RowSet::new(self.tags_per_row.len()));
        self.counts.push(GroupCounts::default());
        self.names.len() - 1
    }

    /// Defines `name` at its place in name order, the order a project lists its tags in;
    /// the ids of the tags after it move up by one. Returns its id (the existing one when
    /// it is defined already).
    pub fn define_in_order(&mut self, name: &str) -> TagId {
        if let Some(id) = self.id(name) {
            return id;
        }
        let at = self.names.partition_point(|n| n.as_str() < name);
        self.names.insert(at, name.to_string());
        self.members
            .insert(at, RowSet::new(self.tags_per_row.len()));
        self.counts.insert(at, GroupCounts::default());
        at
    }

    /// Removes a tag and its assignments (O(its rows)); the ids after it move down by one.
    pub fn remove(&mut self, set: &EvalSet, tag: TagId) {
        for row in self.rows(tag) {
            self.unassign(set, tag, row as usize);
        }
        self.names.remove(tag);
        self.members.remove(tag);
        self.counts.remove(tag);
    }

    /// Renames a tag, keeping its rows, and moves it to its place in name order; returns
    /// its new id.
    pub fn rename(&mut self, tag: TagId, name: &str) -> TagId {
        let members = self.members.remove(tag);
        let counts = self.counts.remove(tag);
        self.names.remove(tag);
        let at = self.names.partition_point(|n| n.as_str() < name);
        self.names.insert(at, name.to_string());
        self.members.insert(at, members);
        self.counts.insert(at, counts);
        at
    }

    pub fn id(&self, name: &str) -> Option<TagId> {
        self.names.iter().position(|n| n == name)
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn counts(&self, tag: TagId) -> &GroupCounts {
        &self.counts[tag]
    }

    /// Counts over all reviewed rows.
    pub fn reviewed(&self) -> &GroupCounts {
        &self.reviewed
    }

    pub fn has(&self, tag: TagId, row: usize) -> bool {
        self.members[tag].contains(row)
    }

    /// How many tags `row` carries.
    pub fn tag_count(&self, row: usize) -> usize {
        usize::from(self.tags_per_row[row])
    }

    pub fn is_reviewed(&self, row: usize) -> bool {
        self.tags_per_row[row] > 0 || self.marked[row]
    }

    /// Rows carrying `tag`, in row order.
    pub fn rows(&self, tag: TagId) -> Vec<u32> {
        self.members[tag].iter().collect()
    }

    /// Puts `tag` on `row`; returns false when it was already there.
    pub fn assign(&mut self, set: &EvalSet, tag: TagId, row: usize) -> bool {
        if !self.members[tag].insert(row) {
            return false;
        }
        let was_reviewed = self.is_reviewed(row);
        self.counts[tag].add_row(set, row);
        self.tags_per_row[row] += 1;
        self.after_review_change(set, row, was_reviewed);
        true
    }

    /// Takes `tag` off `row`; returns false when it was not there.
    pub fn unassign(&mut self, set: &EvalSet, tag: TagId, row: usize) -> bool {
        if !self.members[tag].remove(row) {
            return false;
        }
        let was_reviewed = self.is_reviewed(row);
        self.counts[tag].remove_row(set, row);
        self.tags_per_row[row] -= 1;
        self.after_review_change(set, row, was_reviewed);
        true
    }

    /// Sets or clears the explicit reviewed mark; returns false when nothing changed.
    pub fn set_marked(&mut self, set: &EvalSet, row: usize, marked: bool) -> bool {
        if self.marked[row] == marked {
            return false;
        }
        let was_reviewed = self.is_reviewed(row);
        self.marked[row] = marked;
        self.after_review_change(set, row, was_reviewed);
        true
    }

    /// The same tags and marks counted over another set of the same rows (the set with
    /// corrected labels, whose rows are right or wrong differently): O(tagged rows).
    pub fn recounted(&self, set: &EvalSet) -> TagBook {
        let mut book = TagBook::new(self.tags_per_row.len());
        for (tag, name) in self.names.iter().enumerate() {
            let id = book.define(name);
            for row in self.rows(tag) {
                book.assign(set, id, row as usize);
            }
        }
        for (row, _) in self.marked.iter().enumerate().filter(|(_, m)| **m) {
            book.set_marked(set, row, true);
        }
        book
    }

    fn after_review_change(&mut self, set: &EvalSet, row: usize, was_reviewed: bool) {
        match (was_reviewed, self.is_reviewed(row)) {
            (false, true) => self.reviewed.add_row(set, row),
            (true, false) => self.reviewed.remove_row(set, row),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::dataset::tests::classification;

    /// Recounts everything from scratch, the slow way, to check the running counts.
    fn recount(book: &TagBook, set: &EvalSet, tag: TagId) -> (GroupCounts, GroupCounts) {
        let mut t = GroupCounts::default();
        let mut r = GroupCounts::default();
        for row in 0..set.len() {
            if book.has(tag, row) {
                t.add_row(set, row);
            }
            if book.is_reviewed(row) {
                r.add_row(set, row);
            }
        }
        (t, r)
    }

    #[test]
    fn incremental_counts_equal_a_full_recount() {
        let set = classification(
            &["a", "b", "a", "b", "a", "a"],
            &["a", "a", "b", "b", "a", "b"],
        );
        let mut book = TagBook::new(set.len());
        let noise = book.define("noise");
        let blur = book.define("blur");
        assert_eq!(book.define("noise"), noise);
        // A deterministic walk of edits; after each one the counts must match a recount.
        let edits = [
            (noise, 1, true),
            (noise, 2, true),
            (blur, 2, true),
            (noise, 1, false),
            (blur, 0, true),
            (noise, 5, true),
            (blur, 2, false),
        ];
        for (tag, row, add) in edits {
            let changed = if add {
                book.assign(&set, tag, row)
            } else {
                book.unassign(&set, tag, row)
            };
            assert!(changed);
            for t in [noise, blur] {
                let (expected_tag, expected_reviewed) = recount(&book, &set, t);
                assert_eq!(*book.counts(t), expected_tag);
                assert_eq!(*book.reviewed(), expected_reviewed);
            }
        }
        assert_eq!(book.rows(noise), vec![2, 5]);
        assert!(
            !book.assign(&set, noise, 2),
            "assigning twice changes nothing"
        );
        assert!(
            !book.unassign(&set, blur, 4),
            "removing an absent tag changes nothing"
        );
    }

    #[test]
    fn tags_defined_renamed_and_removed_keep_name_order_and_counts() {
        let set = classification(&["a", "b", "a"], &["a", "a", "b"]);
        let mut book = TagBook::new(set.len());
        let noise = book.define_in_order("noise");
        book.assign(&set, noise, 1);
        assert_eq!(book.define_in_order("blur"), 0, "blur sorts before noise");
        let noise = book.id("noise").unwrap();
        assert_eq!((noise, book.rows(noise)), (1, vec![1]));
        let renamed = book.rename(noise, "accent");
        assert_eq!(book.names(), ["accent", "blur"]);
        assert_eq!(book.rows(renamed), [1]);
        assert_eq!(book.counts(renamed).n, 1);
        book.remove(&set, renamed);
        assert_eq!(book.names(), ["blur"]);
        assert_eq!(book.reviewed().n, 0, "its rows are no longer reviewed");
    }

    #[test]
    fn row_sets_across_word_boundaries() {
        let mut set = RowSet::new(200);
        for row in [0, 63, 64, 127, 199] {
            assert!(set.insert(row));
        }
        assert!(!set.insert(64));
        assert!(set.contains(127) && !set.contains(128));
        assert_eq!(set.iter().collect::<Vec<_>>(), [0, 63, 64, 127, 199]);
        assert!(set.remove(63) && !set.remove(63));
        assert_eq!(set.iter().count(), 4);
    }

    #[test]
    fn reviewed_mark_and_tags_combine() {
        let set = classification(&["a", "b"], &["a", "a"]);
        let mut book = TagBook::new(2);
        let t = book.define("x");
        assert!(book.set_marked(&set, 1, true));
        assert_eq!(book.reviewed().n, 1);
        book.assign(&set, t, 1);
        assert_eq!(book.reviewed().n, 1, "a tagged, marked row counts once");
        book.set_marked(&set, 1, false);
        assert_eq!(book.reviewed().n, 1, "still reviewed through its tag");
        book.unassign(&set, t, 1);
        assert_eq!(book.reviewed().n, 0);
        assert_eq!(book.reviewed().errors(), 0);
    }
}
