//! Row ids stored as one text buffer plus offsets: a million ids cost one allocation, not a
//! million.

/// The ids of the rows, in row order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ids {
    text: String,
    /// `ends[i]` is the end of id `i` in `text`; it starts where id `i - 1` ends.
    ends: Vec<usize>,
}

impl Ids {
    pub fn with_capacity(rows: usize, bytes: usize) -> Self {
        Ids {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(rows),
        }
    }

    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
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
}
