//! The columns a load reads, kept compactly. A delimited table's cells are text, stored once
//! per distinct value where values repeat (labels, slices, tags) or in one buffer where they
//! rarely do (ids, media paths, times); only the columns a role uses are kept. Columns of
//! Parquet and JSON Lines keep the type the file gives them, as polars series.

use std::ops::Deref;
use std::sync::{Arc, Mutex, PoisonError};

use hashbrown::HashTable;
use polars::prelude::*;
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::data::error::LoadError;

/// The code of an empty cell in [`TextColumn::Distinct`].
pub const NO_VALUE: u32 = u32::MAX;

/// Empty and blank cells hold no value.
fn blank(cell: &str) -> bool {
    cell.bytes().all(|b| b.is_ascii_whitespace())
}

/// How a delimited column's text is kept while reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// Every cell in one buffer: for values that rarely repeat.
    Plain,
    /// Each distinct value once, a code per row: for values that repeat. A column whose
    /// values turn out mostly distinct (free text, precise numbers) goes on as plain.
    Distinct,
}

/// A column of text cells; blank cells read as `None`.
#[derive(Clone, Debug)]
pub enum TextColumn {
    /// `ends[i]` is where row `i`'s text ends in `text`; blank cells are stored empty.
    Plain { text: String, ends: Vec<usize> },
    /// `values[codes[i]]` is row `i`'s text; [`NO_VALUE`] marks a blank cell. Values are
    /// distinct and in the order first met.
    Distinct {
        codes: Vec<u32>,
        values: Vec<String>,
    },
    /// A text column as polars read it.
    Series(StringChunked),
}

impl TextColumn {
    pub fn len(&self) -> usize {
        match self {
            TextColumn::Plain { ends, .. } => ends.len(),
            TextColumn::Distinct { codes, .. } => codes.len(),
            TextColumn::Series(ca) => ca.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `row`'s cell, `None` when empty or blank.
    pub fn get(&self, row: usize) -> Option<&str> {
        match self {
            TextColumn::Plain { text, ends } => {
                let start = if row == 0 { 0 } else { ends[row - 1] };
                let cell = &text[start..ends[row]];
                (!cell.is_empty()).then_some(cell)
            }
            TextColumn::Distinct { codes, values } => match codes[row] {
                NO_VALUE => None,
                code => Some(values[code as usize].as_str()),
            },
            TextColumn::Series(ca) => ca.get(row).filter(|cell| !blank(cell)),
        }
    }

    /// Every row's cell, in order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = Option<&str>> + Send + '_> {
        match self {
            TextColumn::Series(ca) => Box::new(ca.iter().map(|cell| cell.filter(|c| !blank(c)))),
            TextColumn::Distinct { codes, values } => Box::new(
                codes
                    .iter()
                    .map(|&code| (code != NO_VALUE).then(|| values[code as usize].as_str())),
            ),
            TextColumn::Plain { .. } => Box::new((0..self.len()).map(|row| self.get(row))),
        }
    }

    /// The same column with `f` applied to every value; a distinct column maps each distinct
    /// value once (values that become equal stay listed apart, under their codes).
    pub fn map_values(&self, f: impl Fn(&str) -> String) -> TextColumn {
        match self {
            TextColumn::Distinct { codes, values } => TextColumn::Distinct {
                codes: codes.clone(),
                values: values.iter().map(|v| f(v)).collect(),
            },
            _ => TextColumn::Series(self.iter().map(|cell| cell.map(&f)).collect()),
        }
    }
}

/// Builds a [`TextColumn::Plain`] cell by cell.
#[derive(Default)]
pub struct PlainBuilder {
    text: String,
    ends: Vec<usize>,
}

impl PlainBuilder {
    pub fn push(&mut self, cell: &str) {
        if !blank(cell) {
            self.text.push_str(cell);
        }
        self.ends.push(self.text.len());
    }

    pub fn finish(self) -> TextColumn {
        TextColumn::Plain {
            text: self.text,
            ends: self.ends,
        }
    }
}

/// Builds a [`TextColumn::Distinct`] cell by cell. A value of up to 12 bytes (most labels
/// and slice values) is found by its 16-byte view (which holds it whole) in a cache of values
/// met recently, without hashing or comparing its text; a longer one by one hash lookup.
pub struct DistinctBuilder {
    index: HashTable<u32>,
    values: Vec<String>,
    codes: Vec<u32>,
    recent: RecentViews,
}

impl Default for DistinctBuilder {
    fn default() -> Self {
        DistinctBuilder {
            index: HashTable::new(),
            values: Vec::new(),
            codes: Vec::new(),
            recent: RecentViews::new(),
        }
    }
}

/// The 16-byte view Arrow gives a string of at most 12 bytes: its length, then its bytes,
/// zero-padded. Built with a few loads (overlapping ones, shifted, for lengths between the
/// loads' sizes), it is a delimited cell's key in the cache of recent values, as a Parquet
/// cell's view is.
fn short_key(cell: &str) -> Option<u128> {
    let b = cell.as_bytes();
    let n = b.len();
    let u32_at = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as u128;
    // Bytes `from..n`, from the four bytes that end the cell.
    let tail = |from: usize| u32_at(n - 4) >> (8 * (4 - (n - from)));
    let bytes = match n {
        0..=3 => b.iter().rev().fold(0, |acc, &x| acc << 8 | x as u128),
        4..=8 => u32_at(0) | tail(4) << 32,
        9..=12 => u64::from_le_bytes(b[..8].try_into().ok()?) as u128 | tail(8) << 64,
        _ => return None,
    };
    Some(n as u128 | bytes << 32)
}

impl DistinctBuilder {
    pub fn push(&mut self, cell: &str) {
        match short_key(cell) {
            Some(key) => {
                self.push_short(key, || cell);
            }
            None => {
                let code = self.code_of(cell);
                self.codes.push(code);
            }
        }
    }

    /// A cell of at most 12 bytes, by its `key` (which holds it whole); `cell` gives its
    /// text when the key was not met recently. Returns whether it was not (a value may
    /// have been listed).
    #[inline]
    fn push_short<'c>(&mut self, key: u128, cell: impl FnOnce() -> &'c str) -> bool {
        let (code, missed) = match self.recent.get(key) {
            Some(code) => (code, false),
            None => {
                let code = self.code_of(cell());
                self.recent.insert(key, code);
                (code, true)
            }
        };
        self.codes.push(code);
        missed
    }

    /// The code of `cell`'s value, listed now if new.
    fn code_of(&mut self, cell: &str) -> u32 {
        if blank(cell) {
            return NO_VALUE;
        }
        let hash = xxh3_64(cell.as_bytes());
        let values = &self.values;
        match self.index.find(hash, |&c| values[c as usize] == cell) {
            Some(&code) => code,
            None => {
                let code = self.values.len() as u32;
                self.values.push(cell.to_string());
                let values = &self.values;
                self.index
                    .insert_unique(hash, code, |&c| xxh3_64(values[c as usize].as_bytes()));
                code
            }
        }
    }

    pub fn finish(self) -> TextColumn {
        TextColumn::Distinct {
            codes: self.codes,
            values: self.values,
        }
    }

    /// Most values met once: storing them by distinct value saves nothing.
    fn mostly_distinct(&self) -> bool {
        self.values.len() >= MOSTLY_DISTINCT_FROM && self.values.len() * 2 >= self.codes.len()
    }

    fn into_plain(self) -> PlainBuilder {
        let mut plain = PlainBuilder::default();
        for &code in &self.codes {
            plain.push(self.values.get(code as usize).map_or("", String::as_str));
        }
        plain
    }
}

/// The codes of short values met recently, by their 16-byte views (Arrow's, or
/// [`short_key`]'s, which are the same): one slot per view's hash, a value replacing another
/// of the same slot. A column of a few dozen values finds each in one compare, where a hash map would
/// hash and probe.
struct RecentViews {
    slots: Vec<(u128, u32)>,
}

impl RecentViews {
    const SLOTS: usize = 1 << 10;
    /// No short value's view is this one: its length field exceeds 12.
    const EMPTY: u128 = u128::MAX;

    fn new() -> Self {
        RecentViews {
            slots: vec![(Self::EMPTY, 0); Self::SLOTS],
        }
    }

    fn slot(view: u128) -> usize {
        let mixed = ((view >> 64) as u64 ^ view as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (mixed >> (64 - Self::SLOTS.trailing_zeros())) as usize
    }

    fn get(&self, view: u128) -> Option<u32> {
        let (key, code) = self.slots[Self::slot(view)];
        (key == view).then_some(code)
    }

    fn insert(&mut self, view: u128, code: u32) {
        self.slots[Self::slot(view)] = (view, code);
    }
}

/// Values a distinct column holds before it may turn plain.
const MOSTLY_DISTINCT_FROM: usize = 1 << 16;

/// A column builder of either storage.
pub enum TextBuilder {
    Plain(PlainBuilder),
    Distinct(DistinctBuilder),
}

impl TextBuilder {
    pub fn new(storage: Storage) -> Self {
        match storage {
            Storage::Plain => TextBuilder::Plain(PlainBuilder::default()),
            Storage::Distinct => TextBuilder::Distinct(DistinctBuilder::default()),
        }
    }

    pub fn push(&mut self, cell: &str) {
        match self {
            TextBuilder::Plain(b) => b.push(cell),
            TextBuilder::Distinct(b) => b.push(cell),
        }
        self.settle();
    }

    /// A distinct column whose values turn out mostly distinct goes on as plain.
    #[inline]
    fn settle(&mut self) {
        if let TextBuilder::Distinct(b) = self
            && b.mostly_distinct()
        {
            *self = TextBuilder::Plain(std::mem::take(b).into_plain());
        }
    }

    /// Appends the cells of a text column (a null is an empty cell). A short value is
    /// held whole in its 16-byte view, which the distinct storage uses as its key.
    pub fn push_all(&mut self, column: &StringChunked) {
        for (chunk, array) in column.chunks().iter().zip(column.downcast_iter()) {
            let validity = chunk.validity();
            for (row, view) in array.views().iter().enumerate() {
                let null = validity.is_some_and(|valid| !valid.get_bit(row));
                match self {
                    TextBuilder::Distinct(b) if null => b.codes.push(NO_VALUE),
                    TextBuilder::Plain(b) if null => b.push(""),
                    TextBuilder::Distinct(b) if view.is_inline() => {
                        if b.push_short(view.as_u128(), || array.value(row)) {
                            self.settle();
                        }
                    }
                    _ => self.push(array.value(row)),
                }
            }
        }
    }

    pub fn finish(self) -> TextColumn {
        match self {
            TextBuilder::Plain(b) => b.finish(),
            TextBuilder::Distinct(b) => b.finish(),
        }
    }
}

/// A column as read: text, or a polars series with a type of its own (numbers, lists).
/// Cloning shares the cells.
#[derive(Clone, Debug)]
pub enum Column {
    Text(Arc<TextColumn>),
    Typed(Series),
}

/// A column's text: shared with the table, or made for the caller (a typed column cast).
pub enum TextRef {
    Shared(Arc<TextColumn>),
    Owned(TextColumn),
}

impl Deref for TextRef {
    type Target = TextColumn;

    fn deref(&self) -> &TextColumn {
        match self {
            TextRef::Shared(text) => text,
            TextRef::Owned(text) => text,
        }
    }
}

impl Column {
    pub fn is_numeric(&self) -> bool {
        matches!(self, Column::Typed(s) if s.dtype().is_primitive_numeric())
    }

    /// The column as text. Lists (JSON arrays) are joined with `;`, the tags separator;
    /// numbers are written as polars writes them.
    pub fn text(&self) -> PolarsResult<TextRef> {
        let series = match self {
            Column::Text(text) => return Ok(TextRef::Shared(text.clone())),
            Column::Typed(series) => series,
        };
        if let DataType::List(_) = series.dtype() {
            let lists = series.list()?;
            let joined: Vec<Option<String>> = (0..lists.len())
                .map(|i| match lists.get_as_series(i) {
                    None => Ok(None),
                    Some(inner) => {
                        let inner = inner.cast(&DataType::String)?;
                        let parts: Vec<&str> = inner.str()?.iter().flatten().collect();
                        Ok(Some(parts.join(";")))
                    }
                })
                .collect::<PolarsResult<_>>()?;
            let text = StringChunked::from_iter_options(series.name().clone(), joined.into_iter());
            return Ok(TextRef::Owned(TextColumn::Series(text)));
        }
        let text = series.cast(&DataType::String)?;
        Ok(TextRef::Owned(TextColumn::Series(
            text.str()?.rechunk().into_owned(),
        )))
    }
}

/// Reads a kept column of a table when a load first asks for it (see [`Table::read_later`]).
pub trait ReadColumn: Send + Sync {
    /// The column `name`, or `None` when the load did not keep it.
    fn read(&self, name: &str) -> Result<Option<Column>, LoadError>;
}

/// The columns read from a table: every column's name, in file order, and the cells of
/// those a load asked for. A load may take a column out once it needs it no more, so that
/// its memory goes as soon as it is encoded.
#[derive(Default)]
pub struct Table {
    names: Vec<String>,
    height: usize,
    columns: Mutex<Vec<(String, Column)>>,
    /// Reads the columns not read up front, one when it is asked for: memory then holds the
    /// cells of the column being encoded rather than those of every kept column.
    later: Option<Box<dyn ReadColumn>>,
}

impl Table {
    pub fn new(names: Vec<String>, height: usize, columns: Vec<(String, Column)>) -> Table {
        Table {
            names,
            height,
            columns: Mutex::new(columns),
            later: None,
        }
    }

    /// A table whose kept columns `reader` reads when they are asked for.
    pub fn read_later(names: Vec<String>, height: usize, reader: Box<dyn ReadColumn>) -> Table {
        Table {
            later: Some(reader),
            ..Table::new(names, height, Vec::new())
        }
    }

    /// Every column of the file, read or not.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn height(&self) -> usize {
        self.height
    }

    fn read_columns(&self) -> std::sync::MutexGuard<'_, Vec<(String, Column)>> {
        self.columns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A kept column (and not taken); one read on demand stays for the next ask.
    pub fn column(&self, name: &str) -> Result<Option<Column>, LoadError> {
        let held = |columns: &[(String, Column)]| {
            columns
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, c)| c.clone())
        };
        if let Some(column) = held(&self.read_columns()) {
            return Ok(Some(column));
        }
        let Some(later) = &self.later else {
            return Ok(None);
        };
        // Read without the lock, so that columns asked for at once are read at once.
        let Some(column) = later.read(name)? else {
            return Ok(None);
        };
        let mut columns = self.read_columns();
        if let Some(first) = held(&columns) {
            return Ok(Some(first));
        }
        columns.push((name.to_string(), column.clone()));
        Ok(Some(column))
    }

    /// Takes a kept column out: its cells are freed when the caller is done with them.
    pub fn take(&self, name: &str) -> Result<Option<Column>, LoadError> {
        let mut columns = self.read_columns();
        if let Some(at) = columns.iter().position(|(n, _)| n == name) {
            return Ok(Some(columns.swap_remove(at).1));
        }
        drop(columns);
        match &self.later {
            Some(later) => later.read(name),
            None => Ok(None),
        }
    }
}

/// The columns a load keeps, by name, and how each is stored.
pub type KeptColumns = Vec<(String, Storage)>;

/// The kept columns of polars frames read batch by batch (Parquet, JSON Lines): text
/// columns stored as their [`Storage`] says, the others kept typed, batches appended.
pub struct FrameColumns {
    kept: KeptColumns,
    /// Per kept column: its text so far, or its typed batches.
    sinks: Vec<(TextBuilder, Option<Series>)>,
}

impl FrameColumns {
    pub fn new(kept: KeptColumns) -> FrameColumns {
        let sinks = kept
            .iter()
            .map(|(_, storage)| (TextBuilder::new(*storage), None))
            .collect();
        FrameColumns { kept, sinks }
    }

    /// The names of the kept columns, to read only those.
    pub fn names(&self) -> Vec<String> {
        self.kept.iter().map(|(name, _)| name.clone()).collect()
    }

    /// Appends a batch holding the kept columns, one column per task.
    pub fn append(&mut self, batch: &DataFrame) -> PolarsResult<()> {
        self.sinks.par_iter_mut().zip(&self.kept).try_for_each(
            |((text, typed), (name, _))| -> PolarsResult<()> {
                let series = batch.column(name)?.as_materialized_series();
                match (series.str(), typed) {
                    (Ok(cells), _) => text.push_all(cells),
                    (Err(_), Some(all)) => {
                        all.append(series)?;
                    }
                    (Err(_), typed) => *typed = Some(series.clone()),
                }
                Ok(())
            },
        )
    }

    /// The kept columns, by name.
    pub fn into_columns(self) -> Vec<(String, Column)> {
        self.kept
            .into_iter()
            .zip(self.sinks)
            .map(|((name, _), (text, typed))| {
                let column = match typed {
                    Some(series) => Column::Typed(series),
                    None => Column::Text(Arc::new(text.finish())),
                };
                (name, column)
            })
            .collect()
    }

    /// The table of `rows` rows whose columns are `names`.
    pub fn finish(self, names: Vec<String>, rows: usize) -> Table {
        Table::new(names, rows, self.into_columns())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_the_views_arrow_gives_short_values() {
        // Every value of up to 12 bytes over a few letters (and a multi-byte one), so each
        // length meets the loads it takes.
        let letters = ["a", "b", "é", " ", "\u{0}"];
        let mut values: Vec<String> = vec![String::new()];
        let mut last = values.clone();
        for _ in 0..12 {
            last = last
                .iter()
                .flat_map(|v| letters.iter().map(move |l| format!("{v}{l}")))
                .filter(|v| v.len() <= 12)
                .collect();
            last.truncate(20_000);
            values.extend(last.iter().cloned());
        }
        assert!((0..=12).all(|n| values.iter().any(|v| v.len() == n)));
        let column: StringChunked = values.iter().map(|v| Some(v.as_str())).collect();
        let views = column
            .downcast_iter()
            .flat_map(|array| array.views().iter());
        for (value, view) in values.iter().zip(views) {
            assert!(view.is_inline());
            assert_eq!(short_key(value), Some(view.as_u128()), "{value:?}");
            assert_ne!(view.as_u128(), RecentViews::EMPTY);
        }
        assert_eq!(short_key("thirteen byte"), None);
    }

    #[test]
    fn distinct_columns_code_cells_as_pushed_one_by_one_or_from_a_series() {
        let cells = [
            "cat",
            "",
            "dog",
            "cat",
            "  ",
            "a long value past twelve",
            "dog",
            "é",
        ];
        let mut one_by_one = TextBuilder::new(Storage::Distinct);
        for cell in cells.iter().cycle().take(5_000) {
            one_by_one.push(cell);
        }
        let series: StringChunked = cells
            .iter()
            .cycle()
            .take(5_000)
            .enumerate()
            .map(|(i, c)| (i % 11 != 0).then_some(*c))
            .collect();
        let mut from_series = TextBuilder::new(Storage::Distinct);
        from_series.push_all(&series);
        let expected: Vec<Option<&str>> = series.iter().map(|c| c.filter(|c| !blank(c))).collect();
        let one_by_one = one_by_one.finish();
        let from_series = from_series.finish();
        assert!(matches!(from_series, TextColumn::Distinct { .. }));
        assert_eq!(from_series.iter().collect::<Vec<_>>(), expected);
        let pushed: Vec<Option<&str>> = cells
            .iter()
            .cycle()
            .take(5_000)
            .map(|c| (!blank(c)).then_some(*c))
            .collect();
        assert_eq!(one_by_one.iter().collect::<Vec<_>>(), pushed);
    }
}
