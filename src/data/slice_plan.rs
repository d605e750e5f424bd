//! Slices of a table read in parts: each slice column's rule (its values, or its quantile
//! bins) is decided once from every row, then every part codes its rows by it — or, in one
//! pass ([`by_value`]), every part counts its rows by cell value and the rule groups those
//! counts at the end. The rules are those of [`super::slicing::slice_column`], which
//! decides from a column held whole.

use polars::prelude::PlHashMap;
use rayon::prelude::*;

use super::slicing::{
    MAX_NUMERIC_CATEGORIES, MAX_SLICE_VALUES, MISSING_VALUE, bin_code, bin_codes, bin_names,
    edges_of_counts, edges_of_values, sort_slice_values,
};
use crate::model::{SliceCodes, SliceColumn, SliceKind};

/// Distinct numbers kept with their counts before a column keeps its numbers one by one
/// instead (a column of measurements rarely repeats).
const COUNTED_NUMBERS: usize = 1 << 22;

/// The numbers of a column seen so far: each distinct number with its rows, or every
/// number once there are too many distinct ones to count.
#[derive(Debug)]
enum Numbers {
    Counted(PlHashMap<u64, usize>),
    Listed(Vec<f64>),
}

impl Default for Numbers {
    fn default() -> Self {
        Numbers::Counted(PlHashMap::default())
    }
}

impl Numbers {
    fn add(&mut self, x: f64, rows: usize) {
        match self {
            Numbers::Counted(counts) => {
                *counts.entry(x.to_bits()).or_default() += rows;
                if counts.len() > COUNTED_NUMBERS {
                    let listed = counts
                        .drain()
                        .flat_map(|(bits, n)| std::iter::repeat_n(f64::from_bits(bits), n))
                        .collect();
                    *self = Numbers::Listed(listed);
                }
            }
            Numbers::Listed(values) => values.extend(std::iter::repeat_n(x, rows)),
        }
    }

    fn absorb(&mut self, other: Numbers) {
        match other {
            Numbers::Counted(counts) => {
                for (bits, n) in counts {
                    self.add(f64::from_bits(bits), n);
                }
            }
            Numbers::Listed(values) => {
                for x in values {
                    self.add(x, 1);
                }
            }
        }
    }

    /// The distinct numbers, when there are at most `limit` of them.
    fn few(&self, limit: usize) -> Option<Vec<f64>> {
        match self {
            Numbers::Counted(counts) if counts.len() <= limit => {
                Some(counts.keys().map(|&bits| f64::from_bits(bits)).collect())
            }
            _ => None,
        }
    }

    fn edges(self) -> Vec<f64> {
        match self {
            Numbers::Counted(counts) => {
                let mut by_value: Vec<(f64, usize)> = counts
                    .into_iter()
                    .map(|(bits, n)| (f64::from_bits(bits), n))
                    .collect();
                by_value.sort_by(|a, b| a.0.total_cmp(&b.0));
                edges_of_counts(&by_value)
            }
            Numbers::Listed(mut values) => edges_of_values(&mut values),
        }
    }
}

/// What the rows of one slice column have shown so far.
#[derive(Debug, Default)]
pub struct SliceTally {
    /// A typed numeric column (Parquet numbers), not text.
    typed: bool,
    /// Distinct texts while there are at most [`MAX_SLICE_VALUES`].
    texts: PlHashMap<String, ()>,
    too_many_texts: bool,
    /// Every present cell is a finite number (text columns), so far.
    numeric: bool,
    non_finite: bool,
    numbers: Numbers,
    any_present: bool,
    any_missing: bool,
}

impl SliceTally {
    pub fn new(typed: bool) -> Self {
        SliceTally {
            typed,
            numeric: true,
            ..SliceTally::default()
        }
    }

    /// A text cell seen `rows` times; `number` is it read as a finite number, if it is one.
    pub fn add_text(&mut self, cell: Option<&str>, number: Option<f64>, rows: usize) {
        let Some(cell) = cell else {
            self.any_missing = true;
            return;
        };
        self.any_present = true;
        if !self.too_many_texts && !self.texts.contains_key(cell) {
            if self.texts.len() == MAX_SLICE_VALUES {
                self.too_many_texts = true;
                self.texts = PlHashMap::default();
            } else {
                self.texts.insert(cell.to_string(), ());
            }
        }
        match number {
            Some(x) if self.numeric => self.numbers.add(x, rows),
            Some(_) => {}
            None => {
                self.numeric = false;
                self.numbers = Numbers::default();
            }
        }
    }

    /// A number of a typed column (`None`: empty) seen `rows` times.
    pub fn add_number(&mut self, x: Option<f64>, rows: usize) {
        match x {
            None => self.any_missing = true,
            Some(x) if !x.is_finite() => {
                self.any_present = true;
                self.non_finite = true;
            }
            Some(x) => {
                self.any_present = true;
                self.numbers.add(x, rows);
            }
        }
    }

    /// Adds what other rows of the same column showed.
    pub fn absorb(&mut self, other: SliceTally) {
        self.any_present |= other.any_present;
        self.any_missing |= other.any_missing;
        self.non_finite |= other.non_finite;
        if other.too_many_texts {
            self.too_many_texts = true;
            self.texts = PlHashMap::default();
        }
        for (text, ()) in other.texts {
            if self.too_many_texts || self.texts.contains_key(&text) {
                continue;
            }
            if self.texts.len() == MAX_SLICE_VALUES {
                self.too_many_texts = true;
                self.texts = PlHashMap::default();
            } else {
                self.texts.insert(text, ());
            }
        }
        if !other.numeric {
            self.numeric = false;
        }
        if self.numeric {
            self.numbers.absorb(other.numbers);
        } else {
            self.numbers = Numbers::default();
        }
    }

    /// The column's rule, or why it cannot be a slice (the messages of `slice_column`).
    pub fn rule(self) -> Result<SliceRule, String> {
        if self.typed {
            if self.non_finite {
                return Err("it holds NaN or infinite numbers".into());
            }
            if !self.any_present {
                return Err("every value is empty".into());
            }
            return Ok(self.numbers_rule());
        }
        if !self.any_present {
            return Err("every value is empty".into());
        }
        if self.numeric {
            return Ok(self.numbers_rule());
        }
        if self.too_many_texts {
            return Err(format!(
                "more than {MAX_SLICE_VALUES} distinct text values (a slice has at most {MAX_SLICE_VALUES})"
            ));
        }
        let names = self.texts.into_keys().collect();
        Ok(SliceRule::categorical(
            SliceKind::Categorical,
            names,
            self.any_missing,
            false,
        ))
    }

    fn numbers_rule(self) -> SliceRule {
        if let Some(few) = self.numbers.few(MAX_NUMERIC_CATEGORIES) {
            let mut names: Vec<String> = few.iter().map(|x| x.to_string()).collect();
            names.sort();
            names.dedup();
            return SliceRule::categorical(SliceKind::Categorical, names, self.any_missing, true);
        }
        let edges = self.numbers.edges();
        let mut values = bin_names(&edges);
        if self.any_missing {
            values.push(MISSING_VALUE.to_string());
        }
        SliceRule {
            kind: SliceKind::Binned,
            values,
            by_name: PlHashMap::default(),
            by_number: true,
            edges,
        }
    }
}

/// How a column's cells become slice codes, the same in every part of a table.
#[derive(Clone, Debug)]
pub struct SliceRule {
    kind: SliceKind,
    /// The slice's values, in order, "(missing)" last when some row has none.
    values: Vec<String>,
    /// A categorical slice's code by value name.
    by_name: PlHashMap<String, u32>,
    /// Cells are numbers: a categorical value is the number as it prints; a binned one its bin.
    by_number: bool,
    /// Bin edges (binned slices).
    edges: Vec<f64>,
}

impl SliceRule {
    fn categorical(kind: SliceKind, mut names: Vec<String>, missing: bool, numbers: bool) -> Self {
        sort_slice_values(&mut names);
        if missing {
            names.push(MISSING_VALUE.to_string());
        }
        let by_name = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        SliceRule {
            kind,
            values: names,
            by_name,
            by_number: numbers,
            edges: Vec::new(),
        }
    }

    /// Whether cells are read as numbers.
    pub fn numeric(&self) -> bool {
        self.by_number
    }

    /// The code of a value read as a number (NaN: an empty cell): its bin, or the category
    /// of the number as it prints.
    fn code_of_number(&self, x: f64) -> u32 {
        if self.kind == SliceKind::Binned {
            return bin_code(&self.edges, x);
        }
        let missing = self.values.len() as u32 - 1;
        match x.is_nan() {
            true => missing,
            false => self.code_of_name(&x.to_string()),
        }
    }

    /// The code of a text value (not read as a number).
    fn code_of_name(&self, value: &str) -> u32 {
        let missing = self.values.len() as u32 - 1;
        self.by_name.get(value).copied().unwrap_or(missing)
    }

    /// The slice of rows given as text cells (`None`: empty).
    pub fn of_texts<'a>(
        &self,
        name: &str,
        cells: impl Iterator<Item = Option<&'a str>>,
    ) -> SliceColumn {
        let missing = self.values.len() as u32 - 1;
        let codes: Vec<u32> = cells
            .map(|cell| cell.map_or(missing, |v| self.code_of_name(v)))
            .collect();
        self.column(name, self.narrowed(codes), None)
    }

    /// The slice of rows given as numbers, NaN where empty.
    pub fn of_numbers(&self, name: &str, numbers: Vec<f64>) -> SliceColumn {
        if self.kind == SliceKind::Binned {
            let codes = bin_codes(&self.edges, &numbers);
            return self.column(name, codes, Some(numbers));
        }
        // A category's number is printed once, not once a row.
        let mut known: PlHashMap<u64, u32> = PlHashMap::default();
        let codes = numbers
            .iter()
            .map(|x| {
                *known
                    .entry(x.to_bits())
                    .or_insert_with(|| self.code_of_number(*x))
            })
            .collect();
        self.column(name, self.narrowed(codes), None)
    }

    /// The slice of rows stored by distinct value: row `i` holds `values[codes[i]]`, `None`
    /// when empty (`as_number`: the value read as a number, for a numeric rule). Each
    /// distinct value is coded once.
    pub fn of_distinct<'a>(
        &self,
        name: &str,
        codes: impl Iterator<Item = Option<usize>>,
        values: &'a [String],
        as_number: impl Fn(&'a str) -> Option<f64>,
    ) -> SliceColumn {
        let missing = self.values.len() as u32 - 1;
        if !self.by_number {
            let coded: Vec<u32> = values.iter().map(|v| self.code_of_name(v)).collect();
            let codes = codes.map(|c| c.map_or(missing, |c| coded[c])).collect();
            return self.column(name, self.narrowed(codes), None);
        }
        let numbers: Vec<f64> = values
            .iter()
            .map(|v| as_number(v).unwrap_or(f64::NAN))
            .collect();
        let row_numbers: Vec<f64> = codes.map(|c| c.map_or(f64::NAN, |c| numbers[c])).collect();
        self.of_numbers(name, row_numbers)
    }

    fn narrowed(&self, codes: Vec<u32>) -> SliceCodes {
        SliceCodes::collect(self.values.len(), codes.into_par_iter())
    }

    fn column(&self, name: &str, codes: SliceCodes, numbers: Option<Vec<f64>>) -> SliceColumn {
        SliceColumn {
            name: name.to_string(),
            kind: self.kind,
            values: self.values.clone(),
            codes,
            numbers,
        }
    }
}

/// Slice cells coded by what they hold, before any rule: a table counted in one pass counts
/// each part's slices by these keys, then decides each column's rule once every part is
/// counted and groups the keys' counts under the rule's values ([`decide`]). A key
/// is the cell's text, a typed number's bits, or empty.
pub mod by_value {
    use super::*;
    use crate::data::slicing::parse_number;
    use crate::model::slices::SliceCounts;

    /// Values a column may have across the parts for its rows to be counted by value; a
    /// column of more (measurements) is counted by rule, after a first pass.
    pub const MOST_VALUES: usize = 4096;

    /// Pairs of a value and a class a column may count across the parts (each keeps its
    /// rows and right answers): a column of many values beside many classes is counted by
    /// rule too.
    pub const MOST_VALUE_CLASSES: usize = 1 << 18;

    const EMPTY: &str = "e";
    /// Every value of a part after the first [`MOST_VALUES`]: the column has too many to be
    /// counted by value, and is never decided.
    const MORE: &str = "+";

    fn text_key(text: &str) -> String {
        format!("t{text}")
    }

    fn number_key(x: f64) -> String {
        format!("n{:016x}", x.to_bits())
    }

    enum Key<'a> {
        Empty,
        Text(&'a str),
        Number(f64),
    }

    fn parse(key: &str) -> Key<'_> {
        match key.split_at(1) {
            ("t", text) => Key::Text(text),
            ("n", bits) => Key::Number(f64::from_bits(
                u64::from_str_radix(bits, 16).expect("a number key holds 16 hex digits"),
            )),
            _ => Key::Empty,
        }
    }

    /// The slice of a typed numeric column's rows, by value, a row at a time.
    pub struct Numbers {
        index: PlHashMap<Option<u64>, u32>,
        /// Numbers met lately, by a hash of their bits: most rows are found here, without
        /// hashing into `index`.
        recent: Box<[(u64, u32); RECENT]>,
        keys: Vec<String>,
        codes: Vec<u32>,
    }

    const RECENT: usize = 1 << 10;

    impl Default for Numbers {
        fn default() -> Self {
            Numbers {
                index: PlHashMap::default(),
                // No number's code is `u32::MAX`: the slots start empty.
                recent: Box::new([(0, u32::MAX); RECENT]),
                keys: Vec::new(),
                codes: Vec::new(),
            }
        }
    }

    impl Numbers {
        /// The next row's number (`None`: empty).
        pub fn push(&mut self, x: Option<f64>) {
            let code = match x {
                Some(x) => {
                    let bits = x.to_bits();
                    let slot = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
                    match self.recent[slot] {
                        (held, code) if held == bits && code != u32::MAX => code,
                        _ => {
                            let code = self.code_of(Some(bits));
                            self.recent[slot] = (bits, code);
                            code
                        }
                    }
                }
                None => self.code_of(None),
            };
            self.codes.push(code);
        }

        fn code_of(&mut self, bits: Option<u64>) -> u32 {
            match self.index.get(&bits) {
                Some(&code) => code,
                None if self.keys.len() >= MOST_VALUES => more(&mut self.keys),
                None => {
                    let code = self.keys.len() as u32;
                    let key =
                        bits.map_or_else(|| EMPTY.to_string(), |b| number_key(f64::from_bits(b)));
                    self.keys.push(key);
                    self.index.insert(bits, code);
                    code
                }
            }
        }

        pub fn finish(self, name: &str) -> SliceColumn {
            column(name, self.keys, self.codes)
        }
    }

    /// The slice of rows stored by distinct value (`None`: empty), by value.
    pub fn of_distinct(
        name: &str,
        codes: impl Iterator<Item = Option<usize>>,
        values: &[String],
    ) -> SliceColumn {
        let empty = values.len() as u32;
        let codes = codes.map(|c| c.map_or(empty, |c| c as u32)).collect();
        let mut keys: Vec<String> = values.iter().map(|v| text_key(v)).collect();
        keys.push(EMPTY.to_string());
        column(name, keys, codes)
    }

    /// The slice of rows given as text cells (`None`: empty), by value.
    pub fn of_texts<'a>(name: &str, cells: impl Iterator<Item = Option<&'a str>>) -> SliceColumn {
        let mut index: PlHashMap<Option<&str>, u32> = PlHashMap::default();
        let mut keys = Vec::new();
        let codes: Vec<u32> = cells
            .map(|cell| match index.get(&cell) {
                Some(&code) => code,
                None if keys.len() >= MOST_VALUES => more(&mut keys),
                None => {
                    let code = keys.len() as u32;
                    keys.push(cell.map_or_else(|| EMPTY.to_string(), text_key));
                    index.insert(cell, code);
                    code
                }
            })
            .collect();
        column(name, keys, codes)
    }

    /// The code of every value after the first [`MOST_VALUES`].
    fn more(keys: &mut Vec<String>) -> u32 {
        if keys.len() == MOST_VALUES {
            keys.push(MORE.to_string());
        }
        MOST_VALUES as u32
    }

    fn column(name: &str, keys: Vec<String>, codes: Vec<u32>) -> SliceColumn {
        SliceColumn {
            name: name.to_string(),
            kind: SliceKind::Categorical,
            codes: SliceCodes::collect(keys.len(), codes.into_par_iter()),
            values: keys,
            numbers: None,
        }
    }

    /// The column's rule from the rows of each key, and its counts under the rule's values;
    /// or why it cannot be a slice. The same rule, and the same counts, as a first pass over
    /// every row and parts coded by that rule give (`tally_column`, [`SliceRule::of_distinct`]).
    pub fn decide(counts: &SliceCounts) -> Result<SliceCounts, String> {
        let keys: Vec<Key> = counts.values.iter().map(|k| parse(k)).collect();
        let typed = keys.iter().any(|k| matches!(k, Key::Number(_)));
        let number = |text: &str| parse_number(text, false).filter(|x| x.is_finite());
        let mut tally = SliceTally::new(typed);
        for (key, rows) in keys.iter().zip(&counts.counts) {
            let rows = rows.n as usize;
            if rows == 0 {
                continue;
            }
            match *key {
                Key::Text(text) => tally.add_text(Some(text), number(text), rows),
                Key::Number(x) => tally.add_number(Some(x), rows),
                Key::Empty if typed => tally.add_number(None, rows),
                Key::Empty => tally.add_text(None, None, rows),
            }
        }
        let rule = tally.rule()?;
        // A key without rows (a part's distinct value whose rows were all left out) adds
        // nothing: any code will do, and the rule may have no value for it.
        let code: Vec<u32> = keys
            .iter()
            .zip(&counts.counts)
            .map(|(key, rows)| match *key {
                _ if rows.n == 0 => 0,
                Key::Number(x) => rule.code_of_number(x),
                Key::Text(text) if rule.by_number => {
                    rule.code_of_number(number(text).unwrap_or(f64::NAN))
                }
                Key::Text(text) => rule.code_of_name(text),
                Key::Empty if rule.by_number => rule.code_of_number(f64::NAN),
                Key::Empty => rule.values.len() as u32 - 1,
            })
            .collect();
        Ok(counts.regrouped(rule.values.clone(), |key| code[key as usize]))
    }
}
