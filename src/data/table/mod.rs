//! Finding the table file of a dataset and reading it into a polars DataFrame, with checks
//! that turn malformed files into messages naming the line at fault.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::UNIX_EPOCH;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

mod columns;
mod delimited;

pub use columns::{
    Column, FrameColumns, KeptColumns, NO_VALUE, ReadColumn, Storage, Table, TextColumn, TextRef,
};

use super::contain::contain;
use super::error::LoadError;
use super::progress::Progress;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    Csv,
    Tsv,
    Parquet,
    Jsonl,
}

impl TableFormat {
    pub fn from_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Self::Csv),
            "tsv" | "tab" => Some(Self::Tsv),
            "parquet" | "pq" => Some(Self::Parquet),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            _ => None,
        }
    }
}

/// Where a dataset's table is and which folder its media paths are relative to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableFile {
    pub path: PathBuf,
    pub format: TableFormat,
    /// The folder holding the table; media must stay inside it.
    pub root: PathBuf,
}

/// Identifies the exact table content a report or project was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub bytes: u64,
    /// Modification time, seconds since the Unix epoch.
    pub modified: u64,
    /// xxh3-64 of the file's content, in hex.
    pub xxh3: String,
}

/// The names the Hugging Face AudioFolder/ImageFolder convention gives the table.
const CONVENTIONAL: [&str; 4] = [
    "metadata.csv",
    "metadata.tsv",
    "metadata.parquet",
    "metadata.jsonl",
];

/// Resolves a dataset path (a folder or a table file) and an optional `--table` to the table.
pub fn locate(path: &Path, table: Option<&Path>) -> Result<TableFile, LoadError> {
    if !path.exists() {
        return Err(LoadError::NotFound(path.to_path_buf()));
    }
    let (file, root) = if path.is_dir() {
        let file = match table {
            Some(t) if t.is_absolute() => t.to_path_buf(),
            Some(t) => path.join(t),
            None => find_table_in(path)?,
        };
        (file, path.to_path_buf())
    } else {
        let root = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        (path.to_path_buf(), root.to_path_buf())
    };
    if !file.is_file() {
        return Err(LoadError::NotFound(file));
    }
    let format =
        TableFormat::from_path(&file).ok_or_else(|| LoadError::UnsupportedFormat(file.clone()))?;
    Ok(TableFile {
        path: file,
        format,
        root,
    })
}

fn find_table_in(dir: &Path) -> Result<PathBuf, LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut tables = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let p = entry.path();
        if p.is_file() && TableFormat::from_path(&p).is_some() {
            tables.push(p);
        }
    }
    tables.sort();
    let conventional: Vec<&PathBuf> = tables
        .iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| CONVENTIONAL.contains(&n))
        })
        .collect();
    let names = |ps: &[&PathBuf]| {
        ps.iter()
            .map(|p| {
                p.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    };
    match (conventional.as_slice(), tables.as_slice()) {
        ([one], _) => Ok((*one).clone()),
        ([], [one]) => Ok(one.clone()),
        ([], []) => Err(LoadError::NoTable(dir.to_path_buf())),
        ([], all) => Err(LoadError::SeveralTables {
            dir: dir.to_path_buf(),
            found: names(&all.iter().collect::<Vec<_>>()),
        }),
        (several, _) => Err(LoadError::SeveralTables {
            dir: dir.to_path_buf(),
            found: names(several),
        }),
    }
}

/// The field separators a delimited table may use, as a spreadsheet's import offers them.
pub const SEPARATORS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// How a delimited text table was split into fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delimited {
    pub separator: u8,
    /// Found from the file's first lines rather than given (`--separator`).
    pub detected: bool,
}

impl Delimited {
    /// Numbers may use a decimal comma (`0,93`) when commas do not separate fields: a table
    /// saved by a spreadsheet in a European locale.
    pub fn decimal_comma(self) -> bool {
        self.separator != b','
    }

    /// "semicolon (detected)", for messages and report headers.
    pub fn describe(self) -> String {
        let name = separator_name(self.separator);
        if self.detected {
            format!("{name} (detected)")
        } else {
            name.to_string()
        }
    }
}

/// The name of a separator, as the mapping dialog and reports say it.
pub fn separator_name(separator: u8) -> &'static str {
    match separator {
        b',' => "comma",
        b';' => "semicolon",
        b'\t' => "tab",
        b'|' => "vertical bar",
        _ => "other",
    }
}

/// The separator that splits the header and the first lines of a delimited table into the
/// same number of fields (more than one) most often, as a spreadsheet's import guesses it;
/// ties go to the format's own (`default`), then to the one splitting into more fields.
pub fn detect_separator(content: &[u8], default: u8) -> u8 {
    let lines: Vec<&[u8]> = content
        .split(|&b| b == b'\n')
        .filter(|line| !line.iter().all(u8::is_ascii_whitespace))
        .take(20)
        .collect();
    let Some(header) = lines.first() else {
        return default;
    };
    let mut best = (default, (0usize, false, 0usize));
    for separator in SEPARATORS {
        let fields = |line: &[u8]| quoted_record(line, separator).map_or(0, |(fields, ..)| fields);
        let in_header = fields(header);
        if in_header < 2 {
            continue;
        }
        let agreeing = lines
            .iter()
            .filter(|line| fields(line) == in_header)
            .count();
        let score = (agreeing, separator == default, in_header);
        if score > best.1 {
            best = (separator, score);
        }
    }
    best.0
}

/// A table as read: the columns a load asked for, its fingerprint and, for delimited text,
/// how it was split, with its first rows (every column, as text) for a preview.
pub struct ReadTable {
    pub table: Table,
    pub fingerprint: Fingerprint,
    pub delimited: Option<Delimited>,
    pub head: Vec<Vec<String>>,
}

/// Which columns a load keeps, chosen from the table's column names.
pub type Choose<'a> = &'a mut dyn FnMut(&[String]) -> KeptColumns;

/// Reads the table, splitting delimited text at `separator` or, without one, at the
/// separator [`detect_separator`] finds, and keeps the columns `choose` picks. Delimited text
/// is read as text, so that ids such as `007` keep their zeros; numbers are parsed later,
/// where a column's role is known. `head_rows` rows of every column are kept as text.
pub fn read(
    table: &TableFile,
    separator: Option<u8>,
    choose: Choose<'_>,
    head_rows: usize,
    progress: &Progress,
) -> Result<ReadTable, LoadError> {
    let path = &table.path;
    if let TableFormat::Csv | TableFormat::Tsv = table.format {
        let default = if table.format == TableFormat::Tsv {
            b'\t'
        } else {
            b','
        };
        let read = delimited::read(path, default, separator, choose, head_rows, progress)?;
        return Ok(ReadTable {
            table: read.table,
            fingerprint: read.fingerprint,
            delimited: Some(read.delimited),
            head: read.head,
        });
    }
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.clone(),
        source,
    })?;
    let fingerprint = fingerprint(path, &bytes)?;
    let content = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&bytes);
    if content.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Empty(path.clone()));
    }
    if table.format == TableFormat::Parquet {
        let Some((table, head)) = read_parquet(path, bytes, choose, head_rows, PARQUET_BATCH)?
        else {
            return Err(LoadError::HeaderOnly(path.clone()));
        };
        return Ok(ReadTable {
            table,
            fingerprint,
            delimited: None,
            head,
        });
    }
    let frame = {
        check_text(path, content)?;
        let read = contain(|| {
            JsonReader::new(Cursor::new(content))
                .with_json_format(JsonFormat::JsonLines)
                .finish()
        });
        // A line that is not a JSON object gets the clearer message, naming the line.
        let not_json = || check_json_lines(path, content).err();
        match read {
            Ok(Ok(frame)) => frame,
            Ok(Err(e)) => return Err(not_json().unwrap_or_else(|| parse_error(path, e))),
            Err(panic) => return Err(not_json().unwrap_or_else(|| unreadable_value(path, panic))),
        }
    };
    drop(bytes);
    if frame.height() == 0 {
        return Err(LoadError::HeaderOnly(path.clone()));
    }
    progress.set_rows(frame.height());
    let head = head_of(&frame, head_rows);
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let mut columns = FrameColumns::new(choose(&names));
    contain(|| columns.append(&frame))
        .map_err(|panic| unreadable_value(path, panic))?
        .map_err(|e| parse_error(path, e))?;
    Ok(ReadTable {
        table: columns.finish(names, frame.height()),
        fingerprint,
        delimited: None,
        head,
    })
}

/// polars' error reading the table at `path`.
pub(super) fn parse_error(path: &Path, e: PolarsError) -> LoadError {
    LoadError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// polars panics on some values it cannot represent, such as a JSON integer beyond 64 bits.
fn unreadable_value(path: &Path, message: String) -> LoadError {
    LoadError::Parse {
        path: path.to_path_buf(),
        message: format!(
            "a value in it cannot be represented ({message}); look for numbers too large for 64 bits or for columns that mix kinds of values"
        ),
    }
}

/// Rows of a Parquet column decoded at a time, about.
const PARQUET_BATCH: usize = 1 << 20;

/// The batches (first row, rows) of a Parquet file whose row groups hold `group_rows`, of
/// about `batch_rows` rows each: cut at row-group ends where one falls in the batch, since
/// a row group cut in two is decoded twice; a row group larger than a batch is cut.
pub fn row_group_batches(group_rows: &[usize], batch_rows: usize) -> Vec<(usize, usize)> {
    let batch_rows = batch_rows.max(1);
    let rows: usize = group_rows.iter().sum();
    let mut ends = group_rows.iter().scan(0, |end, &n| {
        *end += n;
        Some(*end)
    });
    let mut group_end = ends.next();
    let mut batches = Vec::new();
    let mut start = 0;
    while start < rows {
        let mut end = (start + batch_rows).min(rows);
        // The last row-group end within the batch, if any.
        let mut snapped = None;
        while let Some(e) = group_end.filter(|&e| e <= end) {
            if e > start {
                snapped = Some(e);
            }
            group_end = ends.next();
        }
        end = snapped.unwrap_or(end);
        batches.push((start, end - start));
        start = end;
    }
    batches
}

/// The rows of each row group of a Parquet file.
pub fn row_groups(
    reader: &mut ParquetReader<impl polars::io::mmap::MmapBytesReader>,
) -> PolarsResult<Vec<usize>> {
    Ok(reader
        .get_metadata()?
        .row_groups
        .iter()
        .map(|group| group.num_rows())
        .collect())
}

/// Reads a Parquet file's names and first rows; the columns `choose` picks are read later,
/// each when the load asks for it (see [`ParquetColumns`]). `None` when it has no rows.
fn read_parquet(
    path: &Path,
    bytes: Vec<u8>,
    choose: Choose<'_>,
    head_rows: usize,
    batch_rows: usize,
) -> Result<Option<(Table, TextRows)>, LoadError> {
    let outline = contain(|| -> PolarsResult<_> {
        let mut reader = ParquetReader::new(Cursor::new(&bytes[..]));
        let names: Vec<String> = reader
            .schema()?
            .iter_names()
            .map(|n| n.to_string())
            .collect();
        let rows = reader.num_rows()?;
        let batches = row_group_batches(&row_groups(&mut reader)?, batch_rows);
        let head = ParquetReader::new(Cursor::new(&bytes[..]))
            .with_slice(Some((0, head_rows.min(rows))))
            .finish()?;
        Ok((names, rows, batches, head_of(&head, head_rows)))
    });
    let (names, rows, batches, head) = outline
        .map_err(|panic| unreadable_value(path, panic))?
        .map_err(|e| parse_error(path, e))?;
    if rows == 0 {
        return Ok(None);
    }
    let kept = choose(&names);
    let columns = ParquetColumns::new(path, bytes, kept, batches);
    Ok(Some((
        Table::read_later(names, rows, Box::new(columns)),
        head,
    )))
}

/// The kept columns of a Parquet file held in memory: text columns stored as a delimited
/// table's are, others kept typed.
struct ParquetColumns {
    path: PathBuf,
    /// The file, let go once every kept column has been read (a load reads each once), so
    /// that it is not held beside what the load builds after.
    bytes: Mutex<Option<Arc<Vec<u8>>>>,
    /// The kept columns not read yet.
    unread: Mutex<Vec<String>>,
    kept: KeptColumns,
    /// (first row, rows) of each batch decoded at once.
    batches: Vec<(usize, usize)>,
}

impl ParquetColumns {
    fn new(path: &Path, bytes: Vec<u8>, kept: KeptColumns, batches: Vec<(usize, usize)>) -> Self {
        ParquetColumns {
            path: path.to_path_buf(),
            bytes: Mutex::new(Some(Arc::new(bytes))),
            unread: Mutex::new(kept.iter().map(|(name, _)| name.clone()).collect()),
            kept,
            batches,
        }
    }

    /// The file's bytes for reading column `name`; `None` once let go.
    fn bytes_for(&self, name: &str) -> Option<Arc<Vec<u8>>> {
        let mut unread = self.unread.lock().unwrap_or_else(PoisonError::into_inner);
        let mut bytes = self.bytes.lock().unwrap_or_else(PoisonError::into_inner);
        unread.retain(|n| n != name);
        if unread.is_empty() {
            bytes.take()
        } else {
            bytes.clone()
        }
    }

    /// Stores each batch of rows while the next one is decoded, in row order.
    fn read_column(&self, bytes: &[u8], kept: &(String, Storage)) -> PolarsResult<Option<Column>> {
        let mut column = FrameColumns::new(vec![kept.clone()]);
        let decode = |batch: (usize, usize)| {
            ParquetReader::new(Cursor::new(bytes))
                .with_columns(Some(vec![kept.0.clone()]))
                .with_slice(Some(batch))
                .finish()
        };
        let mut decoded: Option<DataFrame> = None;
        for &batch in &self.batches {
            let (next, stored) = rayon::join(
                || decode(batch),
                || decoded.take().map_or(Ok(()), |batch| column.append(&batch)),
            );
            stored?;
            decoded = Some(next?);
        }
        if let Some(batch) = decoded {
            column.append(&batch)?;
        }
        Ok(column.into_columns().pop().map(|(_, column)| column))
    }
}

impl ReadColumn for ParquetColumns {
    fn read(&self, name: &str) -> Result<Option<Column>, LoadError> {
        let Some(kept) = self.kept.iter().find(|(n, _)| n == name) else {
            return Ok(None);
        };
        let Some(bytes) = self.bytes_for(name) else {
            return Ok(None);
        };
        contain(|| self.read_column(&bytes, kept))
            .map_err(|panic| unreadable_value(&self.path, panic))?
            .map_err(|e| parse_error(&self.path, e))
    }
}

/// Rows of cells as text, such as a table's first rows for a preview.
pub type TextRows = Vec<Vec<String>>;

/// The first `rows` rows of every column, as text.
fn head_of(frame: &DataFrame, rows: usize) -> TextRows {
    (0..frame.height().min(rows))
        .map(|row| {
            frame
                .columns()
                .iter()
                .map(|column| match column.get(row) {
                    Ok(AnyValue::Null) | Err(_) => String::new(),
                    Ok(AnyValue::String(s)) => s.to_string(),
                    Ok(value) => value.to_string(),
                })
                .collect()
        })
        .collect()
}

fn fingerprint(path: &Path, bytes: &[u8]) -> Result<Fingerprint, LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(Fingerprint {
        bytes: bytes.len() as u64,
        modified: modified_seconds(&meta),
        xxh3: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes)),
    })
}

/// [`fingerprint`] of a file too large to hold: its content hashed as it streams past.
pub fn fingerprint_of_file(path: &Path) -> Result<Fingerprint, LoadError> {
    use std::io::Read;
    let io = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buffer = vec![0u8; 8 << 20];
    loop {
        let read = file.read(&mut buffer).map_err(io)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(Fingerprint {
        bytes: meta.len(),
        modified: modified_seconds(&meta),
        xxh3: format!("{:016x}", hasher.digest()),
    })
}

/// A file's modification time, seconds since the Unix epoch (0 if unknown).
fn modified_seconds(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs())
}

/// Rejects text that is not UTF-8, naming the line and the byte within it.
fn check_text(path: &Path, content: &[u8]) -> Result<(), LoadError> {
    let Err(e) = std::str::from_utf8(content) else {
        return Ok(());
    };
    let bad = e.valid_up_to();
    let before = &content[..bad];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    Err(LoadError::InvalidUtf8 {
        path: path.to_path_buf(),
        line,
        byte: bad - line_start + 1,
    })
}

/// Scans one record that contains quotes: returns its field count, the bytes it spans
/// (including the final newline) and the lines it spans, or `None` if a quote is never closed.
fn quoted_record(content: &[u8], separator: u8) -> Option<(usize, usize, usize)> {
    let (mut fields, mut lines) = (1, 1);
    let mut at_field_start = true;
    let mut in_quotes = false;
    let mut i = 0;
    while i < content.len() {
        let b = content[i];
        if in_quotes {
            match b {
                b'"' if content.get(i + 1) == Some(&b'"') => i += 1,
                b'"' => in_quotes = false,
                b'\n' => lines += 1,
                _ => {}
            }
        } else if b == b'\n' {
            return Some((fields, i + 1, lines));
        } else if b == separator {
            fields += 1;
            at_field_start = true;
        } else if b == b'"' && at_field_start {
            in_quotes = true;
            at_field_start = false;
        } else if b != b'\r' {
            at_field_start = false;
        }
        i += 1;
    }
    (!in_quotes).then_some((fields, content.len(), lines))
}

/// Finds the first line of a JSON Lines file that is not a JSON object.
fn check_json_lines(path: &Path, content: &[u8]) -> Result<(), LoadError> {
    for (i, line) in content.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(serde_json::Value::Object(_)) => {}
            Ok(_) => {
                return Err(LoadError::Parse {
                    path: path.to_path_buf(),
                    message: format!("line {} is not a JSON object", i + 1),
                });
            }
            Err(e) => {
                let text = e.to_string();
                let reason = text.split(" at line ").next().unwrap_or(&text);
                return Err(LoadError::Parse {
                    path: path.to_path_buf(),
                    message: format!(
                        "line {}, column {} is not valid JSON: {reason}",
                        i + 1,
                        e.column()
                    ),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parquet_batches_end_at_row_group_ends_and_cover_every_row_once() {
        // Three groups fit a batch of 1,000: it ends after them, not inside the fourth.
        assert_eq!(
            row_group_batches(&[263, 263, 263, 263, 100], 1_000),
            vec![(0, 789), (789, 363)]
        );
        // A group larger than a batch is cut; the last batch takes its rest and the next group.
        assert_eq!(
            row_group_batches(&[2_500, 300], 1_000),
            vec![(0, 1_000), (1_000, 1_000), (2_000, 800)]
        );
        assert_eq!(row_group_batches(&[0, 5, 0], 10), vec![(0, 5)]);
        assert!(row_group_batches(&[], 10).is_empty());
        for groups in [vec![7, 1, 30, 2, 2, 9], vec![1; 40], vec![64]] {
            for batch in [1, 3, 8, 50] {
                let batches = row_group_batches(&groups, batch);
                let mut next = 0;
                for &(start, rows) in &batches {
                    assert!(start == next && rows > 0 && rows <= batch);
                    next += rows;
                }
                assert_eq!(next, groups.iter().sum::<usize>());
            }
        }
    }

    #[test]
    fn the_separator_is_the_one_that_splits_every_line_alike() {
        let detect = |text: &str| char::from(detect_separator(text.as_bytes(), b','));
        assert_eq!(detect("id;label;pred\r\n1;a;0,5\r\n2;b;1,5\r\n"), ';');
        assert_eq!(detect("id\tlabel\tpred\n1\ta\tb\n"), '\t');
        assert_eq!(detect("id|label|pred\n1|a, b|c\n"), '|');
        // Semicolons inside quoted text do not make it semicolon-separated.
        assert_eq!(detect("id,label,pred\n1,\"a;b;c\",x\n2,y,z\n"), ',');
        // A comma in every row's text but a consistent semicolon split.
        assert_eq!(detect("id;text;n\n1;hello, world;2\n2;bye, now;3\n"), ';');
        // One column: the format's own separator.
        assert_eq!(detect("label\ncat\ndog\n"), ',');
        assert_eq!(
            char::from(detect_separator(b"a,b\tc\n1,2\t3\n", b'\t')),
            '\t',
            "a tie goes to the format's own separator"
        );
    }

    #[test]
    fn invalid_utf8_names_line_and_byte() {
        match check_text(Path::new("t.csv"), b"a,b\nok,\xff\n") {
            Err(LoadError::InvalidUtf8 { line, byte, .. }) => assert_eq!((line, byte), (2, 4)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn parquet_read_in_batches_keeps_every_row_in_order() {
        let mut frame = df!(
            "id" => (0..100).map(|i| format!("r{i:03}")).collect::<Vec<_>>(),
            "label" => (0..100).map(|i| (i % 7 != 3).then(|| format!("c{}", i % 4))).collect::<Vec<_>>(),
            "score" => (0..100).map(|i| (i % 5 != 0).then_some(i as f64 / 10.0)).collect::<Vec<_>>(),
            "unused" => (0..100).collect::<Vec<i32>>()
        )
        .unwrap();
        let mut bytes = Vec::new();
        ParquetWriter::new(&mut bytes)
            .with_row_group_size(Some(30))
            .finish(&mut frame)
            .unwrap();
        let mut keep = |names: &[String]| {
            assert_eq!(names, ["id", "label", "score", "unused"]);
            vec![
                ("label".to_string(), Storage::Distinct),
                ("id".to_string(), Storage::Plain),
                ("score".to_string(), Storage::Distinct),
            ]
        };
        let (table, head) = read_parquet(Path::new("t.parquet"), bytes, &mut keep, 2, 7)
            .unwrap()
            .unwrap();
        assert_eq!(table.height(), 100);
        assert_eq!(head, [["r000", "c0", "", "0"], ["r001", "c1", "0.1", "1"]]);
        assert!(table.column("unused").unwrap().is_none());
        let text = |name: &str| match table.column(name).unwrap() {
            Some(Column::Text(t)) => (0..100).map(|r| t.get(r).map(str::to_string)).collect(),
            other => panic!("{other:?}"),
        };
        let ids: Vec<Option<String>> = text("id");
        assert!(
            ids.iter()
                .enumerate()
                .all(|(i, id)| *id == Some(format!("r{i:03}")))
        );
        let labels: Vec<Option<String>> = text("label");
        assert_eq!(labels[3], None);
        assert_eq!(labels[99], Some("c3".to_string()));
        let Some(Column::Typed(score)) = table.take("score").unwrap() else {
            panic!("numbers stay typed")
        };
        let score: Vec<Option<f64>> = score.f64().unwrap().iter().collect();
        assert_eq!(score.len(), 100);
        assert_eq!((score[0], score[99]), (None, Some(9.9)));
    }

    #[test]
    fn formats_by_extension() {
        assert_eq!(
            TableFormat::from_path(Path::new("x/metadata.CSV")),
            Some(TableFormat::Csv)
        );
        assert_eq!(
            TableFormat::from_path(Path::new("a.ndjson")),
            Some(TableFormat::Jsonl)
        );
        assert_eq!(TableFormat::from_path(Path::new("a.xlsx")), None);
    }
}
