//! Reading a delimited text table (CSV, TSV) in one streaming pass. The file is read in
//! blocks; each block is checked (UTF-8, the header's field count on every record, closed
//! quotes) and split into records while the previous block's cells are stored, on the other
//! cores. Only the columns asked for are stored, compactly, so memory holds two blocks and
//! those columns, never the file or a frame of it.
//!
//! Quoting follows RFC 4180: a field starting with `"` runs to the matching quote, `""`
//! inside it is one quote, and it may span lines. Blank lines before the header are
//! skipped; after it, each is a row without values, as polars reads it.

use std::borrow::Cow;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use super::columns::{Column, Table, TextBuilder};
use super::{Choose, Delimited, Fingerprint, detect_separator, modified_seconds};
use crate::data::error::LoadError;
use crate::data::progress::Progress;

/// Bytes read at a time: large enough that a block's records keep every core busy, small
/// enough that two of them are a small part of the memory a load needs.
const BLOCK: usize = 8 << 20;

/// Lines read before the separator is detected and the header is split.
const LINES_FOR_DETECTION: usize = 21;

/// Marks a field no column is stored for.
const SKIPPED: u32 = u32::MAX;

/// A delimited table as read: the kept columns, the file's fingerprint, how it was split and
/// its first rows (every column, as text) for a preview.
pub struct DelimitedTable {
    pub table: Table,
    pub fingerprint: Fingerprint,
    pub delimited: Delimited,
    pub head: Vec<Vec<String>>,
}

/// Reads the delimited table at `path`. `choose` is given the column names (from the header)
/// and returns the columns to keep and how; `head_rows` rows are also returned whole.
pub fn read(
    path: &Path,
    default_separator: u8,
    separator: Option<u8>,
    choose: Choose<'_>,
    head_rows: usize,
    progress: &Progress,
) -> Result<DelimitedTable, LoadError> {
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let mut hasher = Xxh3::new();
    let mut buf = Vec::new();
    let mut eof = false;
    // Enough lines to detect the separator and hold the header.
    while !eof
        && (buf.iter().all(u8::is_ascii_whitespace)
            || memchr::memchr_iter(b'\n', &buf).count() < LINES_FOR_DETECTION)
    {
        eof = fill(&mut file, &mut buf, &mut hasher).map_err(io)?;
    }
    let fingerprint = Fingerprint {
        bytes: meta.len(),
        modified: modified_seconds(&meta),
        xxh3: String::new(),
    };
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
    if eof && buf.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Empty(path.to_path_buf()));
    }
    let delimited = Delimited {
        separator: separator.unwrap_or_else(|| detect_separator(&buf, default_separator)),
        detected: separator.is_none(),
    };
    let mut reader = Reader {
        path,
        file,
        hasher,
        eof,
        line: 1,
    };

    // The header, and the first rows whole for a preview.
    let mut every = Splitter::new(delimited.separator, 0, None);
    let (head_block, head_split) = reader.complete_records(buf, &mut every, 1 + head_rows)?;
    let head_text = head_block.text();
    let mut head: Vec<Vec<String>> = head_split
        .records()
        .map(|spans| {
            spans
                .iter()
                .map(|&span| cell(head_text, span).into_owned())
                .collect()
        })
        .collect();
    if head.is_empty() {
        return Err(LoadError::Empty(path.to_path_buf()));
    }
    let names = head.remove(0);
    if let Some(column) = names
        .iter()
        .enumerate()
        .find_map(|(i, name)| names[..i].contains(name).then(|| name.clone()))
    {
        return Err(LoadError::DuplicateColumn {
            path: path.to_path_buf(),
            column,
        });
    }
    let header_end = head_split.header_end;
    let header_lines = head_split.header_lines;
    let buf = head_block.buf;

    // Every record after the header, split into the kept columns' cells.
    let kept = choose(&names);
    let slots: Vec<u32> = names
        .iter()
        .map(|name| {
            kept.iter()
                .position(|(k, _)| k == name)
                .map_or(SKIPPED, |slot| slot as u32)
        })
        .collect();
    let mut builders: Vec<TextBuilder> = kept.iter().map(|(_, s)| TextBuilder::new(*s)).collect();
    let mut splitter = Splitter::new(delimited.separator, names.len(), Some(slots));
    reader.line = 1 + header_lines;
    let mut buf = buf;
    buf.drain(..header_end);
    let (mut block, mut split) = reader.complete_records(buf, &mut splitter, usize::MAX)?;
    let mut rows = 0;
    // The block before last, whose memory the next block reuses.
    let mut spare: Vec<u8> = Vec::new();
    loop {
        rows += split.records;
        progress.set_rows(rows);
        if progress.is_cancelled() {
            return Err(LoadError::Cancelled);
        }
        let done = reader.eof && split.consumed == block.buf.len();
        let (_, next) = rayon::join(
            || store(&block, &split, &mut builders),
            || {
                if done {
                    return Ok(None);
                }
                let mut next = std::mem::take(&mut spare);
                next.clear();
                next.extend_from_slice(&block.buf[split.consumed..]);
                reader
                    .complete_records(next, &mut splitter, usize::MAX)
                    .map(Some)
            },
        );
        match next? {
            Some((next_block, next_split)) => {
                splitter.recycle(std::mem::replace(&mut split, next_split).spans);
                spare = std::mem::replace(&mut block, next_block).buf;
            }
            None => break,
        }
    }
    if rows == 0 {
        return Err(LoadError::HeaderOnly(path.to_path_buf()));
    }
    let columns = kept
        .into_iter()
        .zip(builders)
        .map(|((name, _), builder)| (name, Column::Text(Arc::new(builder.finish()))))
        .collect();
    Ok(DelimitedTable {
        table: Table::new(names, rows, columns),
        fingerprint: Fingerprint {
            xxh3: format!("{:016x}", reader.hasher.digest()),
            ..fingerprint
        },
        delimited,
        head,
    })
}

/// Appends up to [`BLOCK`] bytes of the file to `buf`, hashing them; true at the end.
fn fill(file: &mut File, buf: &mut Vec<u8>, hasher: &mut Xxh3) -> std::io::Result<bool> {
    let start = buf.len();
    let read = file.take(BLOCK as u64).read_to_end(buf)?;
    hasher.update(&buf[start..]);
    Ok(read < BLOCK)
}

/// The file being read: where it is, what has been hashed, and the line the next block
/// starts on.
struct Reader<'a> {
    path: &'a Path,
    file: File,
    hasher: Xxh3,
    eof: bool,
    line: usize,
}

/// Bytes holding whole lines, checked to be UTF-8 up to `valid`.
struct Block {
    buf: Vec<u8>,
    valid: usize,
}

impl Block {
    fn text(&self) -> &str {
        // Checked in `Reader::complete_records`.
        std::str::from_utf8(&self.buf[..self.valid]).unwrap_or_default()
    }
}

impl Reader<'_> {
    /// Reads on from `buf` until it holds at least one whole record (or `max` records, or
    /// the file's end), checks its text and splits it.
    fn complete_records(
        &mut self,
        mut buf: Vec<u8>,
        splitter: &mut Splitter,
        max: usize,
    ) -> Result<(Block, Split), LoadError> {
        loop {
            let valid = if self.eof {
                buf.len()
            } else {
                memchr::memrchr(b'\n', &buf).map_or(0, |p| p + 1)
            };
            if let Err(e) = std::str::from_utf8(&buf[..valid]) {
                return Err(self.invalid_utf8(&buf, e.valid_up_to()));
            }
            let block = Block { buf, valid };
            let last = self.eof && valid == block.buf.len();
            let split = splitter
                .split(block.text().as_bytes(), last, self.line, max)
                .map_err(|e| e.into_load_error(self.path))?;
            if split.records > 0 || last || split.consumed > 0 {
                self.line += split.lines;
                return Ok((block, split));
            }
            // One record longer than what was read: read more.
            buf = block.buf;
            self.eof = fill(&mut self.file, &mut buf, &mut self.hasher).map_err(|source| {
                LoadError::Io {
                    path: self.path.to_path_buf(),
                    source,
                }
            })?;
        }
    }

    fn invalid_utf8(&self, buf: &[u8], bad: usize) -> LoadError {
        let before = &buf[..bad];
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |p| p + 1);
        LoadError::InvalidUtf8 {
            path: self.path.to_path_buf(),
            line: self.line + memchr::memchr_iter(b'\n', before).count(),
            byte: bad - line_start + 1,
        }
    }
}

/// Stores the kept cells of a block's records, one column per task.
fn store(block: &Block, split: &Split, builders: &mut [TextBuilder]) {
    let text = block.text();
    let width = builders.len();
    builders
        .par_iter_mut()
        .enumerate()
        .for_each(|(slot, builder)| {
            for record in split.spans.chunks_exact(width) {
                builder.push(&cell(text, record[slot]));
            }
        });
}

/// A field's text: unquoted, `""` read as `"`.
fn cell(text: &str, (start, end): (u32, u32)) -> Cow<'_, str> {
    let raw = &text[start as usize..end as usize];
    let Some(quoted) = raw.strip_prefix('"') else {
        return Cow::Borrowed(raw);
    };
    match quoted.strip_suffix('"') {
        Some(inner) if !inner.contains('"') => Cow::Borrowed(inner),
        _ => {
            // A quote ends the quoted part unless doubled; text after it is kept as is.
            let mut out = String::with_capacity(quoted.len());
            let mut chars = quoted.chars().peekable();
            let mut in_quotes = true;
            while let Some(c) = chars.next() {
                match c {
                    '"' if in_quotes && chars.peek() == Some(&'"') => {
                        out.push('"');
                        chars.next();
                    }
                    '"' if in_quotes => in_quotes = false,
                    c => out.push(c),
                }
            }
            Cow::Owned(out)
        }
    }
}

/// Problems found while splitting, before the path is known.
enum SplitError {
    Ragged {
        line: usize,
        expected: usize,
        found: usize,
    },
    UnclosedQuote {
        line: usize,
    },
}

impl SplitError {
    fn into_load_error(self, path: &Path) -> LoadError {
        let path = path.to_path_buf();
        match self {
            SplitError::Ragged {
                line,
                expected,
                found,
            } => LoadError::Ragged {
                path,
                line,
                expected,
                found,
            },
            SplitError::UnclosedQuote { line } => LoadError::UnclosedQuote { path, line },
        }
    }
}

/// Splits records into fields, checking that each has the header's field count.
struct Splitter {
    separator: u8,
    /// Fields per record; 0 until the first (header) record sets it.
    fields: usize,
    /// The slot each field is stored in, [`SKIPPED`] if none; `None` keeps every field.
    slots: Option<Vec<u32>>,
    /// Bytes that end an unquoted run: the separator, a newline, a quote.
    special: [bool; 256],
    /// A stored block's spans, whose memory the next split reuses.
    spare: Vec<(u32, u32)>,
}

/// The records split from a block.
struct Split {
    /// Per record, the span of each stored field, `width` spans a record.
    spans: Vec<(u32, u32)>,
    width: usize,
    records: usize,
    /// Bytes of whole records split; the rest starts the next block.
    consumed: usize,
    /// Lines in those bytes.
    lines: usize,
    /// Where the first record ends, and its lines (for the header).
    header_end: usize,
    header_lines: usize,
}

impl Split {
    fn records(&self) -> impl Iterator<Item = &[(u32, u32)]> {
        self.spans.chunks_exact(self.width.max(1))
    }
}

impl Splitter {
    fn new(separator: u8, fields: usize, slots: Option<Vec<u32>>) -> Splitter {
        let mut special = [false; 256];
        for b in [separator, b'\n', b'"'] {
            special[b as usize] = true;
        }
        Splitter {
            separator,
            fields,
            slots,
            special,
            spare: Vec::new(),
        }
    }

    fn recycle(&mut self, mut spans: Vec<(u32, u32)>) {
        spans.clear();
        self.spare = spans;
    }

    /// Splits the whole records of `text` (up to `max`), the last one ending at the text's end
    /// when `last`. Line numbers count from `first_line`.
    fn split(
        &mut self,
        text: &[u8],
        last: bool,
        first_line: usize,
        max: usize,
    ) -> Result<Split, SplitError> {
        let width = match &self.slots {
            Some(slots) => slots.iter().filter(|&&s| s != SKIPPED).count(),
            None => self.fields,
        };
        let mut split = Split {
            spans: std::mem::take(&mut self.spare),
            width,
            records: 0,
            consumed: 0,
            lines: 0,
            header_end: 0,
            header_lines: 0,
        };
        let mut fields: Vec<(u32, u32)> = Vec::new();
        let mut at = 0;
        let mut line = first_line;
        while at < text.len() && split.records < max {
            let start_line = line;
            let mut i = at;
            let mut field_start = at;
            let mut in_quotes = false;
            fields.clear();
            let end = loop {
                if i >= text.len() {
                    if !last {
                        return Ok(split);
                    }
                    if in_quotes {
                        return Err(SplitError::UnclosedQuote { line: start_line });
                    }
                    break i;
                }
                if in_quotes {
                    match memchr::memchr(b'"', &text[i..]) {
                        Some(p) => {
                            line += memchr::memchr_iter(b'\n', &text[i..i + p]).count();
                            i += p;
                            if text.get(i + 1) == Some(&b'"') {
                                i += 2;
                            } else {
                                in_quotes = false;
                                i += 1;
                            }
                        }
                        None => {
                            line += memchr::memchr_iter(b'\n', &text[i..]).count();
                            i = text.len();
                        }
                    }
                    continue;
                }
                while i < text.len() && !self.special[text[i] as usize] {
                    i += 1;
                }
                let Some(&b) = text.get(i) else { continue };
                if b == b'\n' {
                    break i;
                } else if b == self.separator {
                    fields.push((field_start as u32, i as u32));
                    field_start = i + 1;
                } else if i == field_start {
                    in_quotes = true;
                }
                i += 1;
            };
            // A CRLF line ending is not part of the last field.
            let field_end = if end > field_start && text[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            fields.push((field_start as u32, field_end as u32));
            let next = (end + 1).min(text.len());
            if end < text.len() {
                line += 1;
            }
            at = next;
            split.consumed = next;
            split.lines = line - first_line;
            let blank = fields.len() == 1
                && text[fields[0].0 as usize..end]
                    .iter()
                    .all(u8::is_ascii_whitespace);
            if blank {
                // Blank lines before the header are skipped; after it, each is a row
                // without values, as polars reads it.
                if self.fields == 0 {
                    continue;
                }
                fields.clear();
                fields.resize(self.fields, (field_start as u32, field_start as u32));
            }
            if self.fields == 0 {
                self.fields = fields.len();
                if self.slots.is_none() {
                    split.width = self.fields;
                }
            } else if fields.len() != self.fields {
                return Err(SplitError::Ragged {
                    line: start_line,
                    expected: self.fields,
                    found: fields.len(),
                });
            }
            match &self.slots {
                None => split.spans.extend_from_slice(&fields),
                Some(slots) => {
                    let base = split.spans.len();
                    split.spans.resize(base + width, (0, 0));
                    for (field, &slot) in fields.iter().zip(slots) {
                        if slot != SKIPPED {
                            split.spans[base + slot as usize] = *field;
                        }
                    }
                }
            }
            split.records += 1;
            if split.records == 1 {
                split.header_end = next;
                split.header_lines = line - first_line;
            }
        }
        Ok(split)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::table::Storage;
    use polars::prelude::{AnyValue, CsvReadOptions, SerReader};

    /// Reads `text` as a CSV file keeping every column; the cells per row, or the error.
    /// Column names and each row's cells.
    type Cells = (Vec<String>, Vec<Vec<Option<String>>>);

    fn read_text(text: &[u8]) -> Result<Cells, LoadError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, text).unwrap();
        let mut all = |names: &[String]| {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let storage = if i % 2 == 0 {
                        Storage::Distinct
                    } else {
                        Storage::Plain
                    };
                    (n.clone(), storage)
                })
                .collect()
        };
        let read = read(&path, b',', Some(b','), &mut all, 0, &Progress::default())?;
        let names = read.table.names().to_vec();
        let rows = (0..read.table.height())
            .map(|row| {
                names
                    .iter()
                    .map(|n| match read.table.column(n).unwrap() {
                        Some(Column::Text(t)) => t.get(row).map(str::to_string),
                        _ => panic!("every column is kept as text"),
                    })
                    .collect()
            })
            .collect();
        Ok((names, rows))
    }

    /// The same, read by polars with every column as text; blank cells as `None`.
    fn polars_cells(text: &[u8]) -> Cells {
        let frame = CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .into_reader_with_file_handle(std::io::Cursor::new(text))
            .finish()
            .unwrap();
        let names = frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let rows = (0..frame.height())
            .map(|row| {
                frame
                    .columns()
                    .iter()
                    .map(|c| match c.get(row).unwrap() {
                        AnyValue::String(s) if !s.trim().is_empty() => Some(s.to_string()),
                        AnyValue::StringOwned(s) if !s.trim().is_empty() => Some(s.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        (names, rows)
    }

    #[test]
    fn cells_are_read_as_polars_reads_them() {
        let cases: [&[u8]; 12] = [
            b"\n\na,b\n1,2\n\n\n",
            b"a,b\r\n1,2\r\n\r\n",
            b"a,b\n1,2\n   ",
            b"a,b\n1,2\n3,4\n",
            b"a,b\r\n1,2\r\n3,4",
            b"a,b\n\"x, \"\"y\"\"\nz\",3\r\n4,5\n",
            b"id,label\n007,\"\"\n008, \n009,cat\n",
            b"\"na,me\",other\n\"q\"\"uote\",\"\"\n",
            b"a,b\n1,2\n\n3,4\n\n",
            b"a,b,c\n,,\n1,,3\n",
            "x,y\ncafé,\"naïve\"\n".as_bytes(),
            b"a,b\nab\"c,d\n",
        ];
        for text in cases {
            assert_eq!(
                read_text(text).unwrap(),
                polars_cells(text),
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn records_spanning_blocks_are_read_whole() {
        // Longer than a block, with quoted fields spanning lines across block boundaries.
        let mut text = String::from("id,note,label\n");
        for i in 0..300_000 {
            text.push_str(&format!("{i},\"line one\nline \"\"{i}\"\"\",c{}\n", i % 7));
        }
        let (names, rows) = read_text(text.as_bytes()).unwrap();
        assert_eq!(names, ["id", "note", "label"]);
        assert_eq!(rows.len(), 300_000);
        assert_eq!(
            rows[123_456],
            [
                Some("123456".to_string()),
                Some("line one\nline \"123456\"".to_string()),
                Some("c4".to_string())
            ]
        );
        assert_eq!(rows, polars_cells(text.as_bytes()).1);
    }

    #[test]
    fn ragged_records_and_open_quotes_name_their_line() {
        match read_text(b"a,b\n1,2\n\"multi\nline\",2\n1,2,3\n") {
            Err(LoadError::Ragged {
                line,
                expected,
                found,
                ..
            }) => assert_eq!((line, expected, found), (5, 2, 3)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            read_text(b"a,b\n1\n"),
            Err(LoadError::Ragged {
                line: 2,
                found: 1,
                ..
            })
        ));
        assert!(matches!(
            read_text(b"a,b\n\"1,2\n"),
            Err(LoadError::UnclosedQuote { line: 2, .. })
        ));
        assert!(matches!(
            read_text(b"a,b\nok,\xff\n"),
            Err(LoadError::InvalidUtf8 {
                line: 2,
                byte: 4,
                ..
            })
        ));
        assert!(matches!(read_text(b" \n\n"), Err(LoadError::Empty(_))));
        assert!(matches!(read_text(b"a,b\n"), Err(LoadError::HeaderOnly(_))));
        assert!(matches!(
            read_text(b"a,a\n1,2\n"),
            Err(LoadError::DuplicateColumn { .. })
        ));
    }

    #[test]
    fn the_fingerprint_is_the_whole_file_s() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let text = "\u{feff}a,b\n1,2\n".to_string();
        std::fs::write(&path, &text).unwrap();
        let read = read(
            &path,
            b',',
            None,
            &mut |_| Vec::new(),
            1,
            &Progress::default(),
        )
        .unwrap();
        assert_eq!(
            read.fingerprint.xxh3,
            format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
        );
        assert_eq!(read.fingerprint.bytes, text.len() as u64);
        assert_eq!(read.table.names(), ["a", "b"]);
        assert_eq!(read.head, [["1", "2"]]);
    }
}
