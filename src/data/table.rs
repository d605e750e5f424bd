//! Finding the table file of a dataset and reading it into a polars DataFrame, with checks
//! that turn malformed files into messages naming the line at fault.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use super::contain::contain;
use super::error::LoadError;

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

/// A table as read: its rows, its fingerprint and, for delimited text, how it was split.
pub struct ReadTable {
    pub frame: DataFrame,
    pub fingerprint: Fingerprint,
    pub delimited: Option<Delimited>,
}

/// Reads the table, splitting delimited text at `separator` or, without one, at the
/// separator [`detect_separator`] finds. Text formats are read with every column as text so
/// that ids such as `007` keep their zeros; numbers are parsed later, where a column's role
/// is known.
pub fn read(table: &TableFile, separator: Option<u8>) -> Result<ReadTable, LoadError> {
    let path = &table.path;
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
    let parse_error = |e: PolarsError| LoadError::Parse {
        path: path.clone(),
        message: e.to_string(),
    };
    // polars panics on some values it cannot represent, such as a JSON integer beyond 64 bits.
    let unreadable_value = |message: String| LoadError::Parse {
        path: path.clone(),
        message: format!(
            "a value in it cannot be represented ({message}); look for numbers too large for 64 bits or for columns that mix kinds of values"
        ),
    };
    let mut delimited = None;
    let frame = match table.format {
        TableFormat::Csv | TableFormat::Tsv => {
            let default = if table.format == TableFormat::Tsv {
                b'\t'
            } else {
                b','
            };
            let found = Delimited {
                separator: separator.unwrap_or_else(|| detect_separator(content, default)),
                detected: separator.is_none(),
            };
            delimited = Some(found);
            let separator = found.separator;
            check_text(path, content)?;
            check_delimited(path, content, separator)?;
            let names = header_names(content, separator);
            if let Some(column) = names
                .iter()
                .enumerate()
                .find_map(|(i, name)| names[..i].contains(name).then(|| name.clone()))
            {
                return Err(LoadError::DuplicateColumn {
                    path: path.clone(),
                    column,
                });
            }
            contain(|| {
                CsvReadOptions::default()
                    .with_has_header(true)
                    .with_infer_schema_length(Some(0))
                    .map_parse_options(|o| o.with_separator(separator))
                    .into_reader_with_file_handle(Cursor::new(content))
                    .finish()
            })
            .map_err(unreadable_value)?
            .map_err(parse_error)?
        }
        TableFormat::Jsonl => {
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
                Ok(Err(e)) => return Err(not_json().unwrap_or_else(|| parse_error(e))),
                Err(panic) => return Err(not_json().unwrap_or_else(|| unreadable_value(panic))),
            }
        }
        TableFormat::Parquet => contain(|| ParquetReader::new(Cursor::new(content)).finish())
            .map_err(unreadable_value)?
            .map_err(parse_error)?,
    };
    if frame.height() == 0 {
        return Err(LoadError::HeaderOnly(path.clone()));
    }
    Ok(ReadTable {
        frame,
        fingerprint,
        delimited,
    })
}

fn fingerprint(path: &Path, bytes: &[u8]) -> Result<Fingerprint, LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    Ok(Fingerprint {
        bytes: bytes.len() as u64,
        modified,
        xxh3: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes)),
    })
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

/// Checks that every record of a delimited file has as many fields as the header and that
/// quotes are closed, following RFC 4180 quoting. Blank lines are skipped, as the reader does.
/// Lines without quotes (nearly all of them) are counted with vectorised byte searches; only
/// records holding a quote go through the quote-aware scanner.
fn check_delimited(path: &Path, content: &[u8], separator: u8) -> Result<(), LoadError> {
    let mut expected: Option<usize> = None;
    let mut line = 1;
    let mut at = 0;
    while at < content.len() {
        let rest = &content[at..];
        let line_end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let this_line = &rest[..line_end];
        let (fields, consumed, lines) = if memchr::memchr(b'"', this_line).is_none() {
            let blank = this_line.iter().all(u8::is_ascii_whitespace);
            let fields = if blank {
                0
            } else {
                memchr::memchr_iter(separator, this_line).count() + 1
            };
            (fields, line_end + 1, 1)
        } else {
            quoted_record(rest, separator).ok_or_else(|| LoadError::UnclosedQuote {
                path: path.to_path_buf(),
                line,
            })?
        };
        if fields > 0 {
            match expected {
                None => expected = Some(fields),
                Some(e) if e != fields => {
                    return Err(LoadError::Ragged {
                        path: path.to_path_buf(),
                        line,
                        expected: e,
                        found: fields,
                    });
                }
                Some(_) => {}
            }
        }
        at += consumed;
        line += lines;
    }
    if expected.is_none() {
        return Err(LoadError::Empty(path.to_path_buf()));
    }
    Ok(())
}

/// The column names in the header (the first record that is not blank) of a delimited file
/// whose quotes [`check_delimited`] found closed.
fn header_names(content: &[u8], separator: u8) -> Vec<String> {
    let start = content
        .split_inclusive(|&b| b == b'\n')
        .take_while(|line| line.iter().all(u8::is_ascii_whitespace))
        .map(<[u8]>::len)
        .sum();
    let mut names = vec![Vec::new()];
    let mut in_quotes = false;
    let mut bytes = content[start..].iter().peekable();
    while let Some(&b) = bytes.next() {
        let name = names.last_mut().expect("names is never empty");
        match b {
            b'"' if in_quotes && bytes.peek() == Some(&&b'"') => {
                name.push(b'"');
                bytes.next();
            }
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            b if b == separator && !in_quotes => names.push(Vec::new()),
            b => name.push(b),
        }
    }
    names
        .into_iter()
        .map(|name| {
            let name = String::from_utf8_lossy(&name);
            name.strip_suffix('\r').unwrap_or(&name).to_string()
        })
        .collect()
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

    fn ragged(text: &str) -> Result<(), LoadError> {
        check_delimited(Path::new("t.csv"), text.as_bytes(), b',')
    }

    #[test]
    fn delimited_check_accepts_quotes_and_blank_lines() {
        ragged("a,b\n1,2\n\n\"x, \"\"y\"\"\nz\",3\r\n4,5").unwrap();
    }

    #[test]
    fn delimited_check_names_the_ragged_line() {
        match ragged("a,b\n1,2\n\"multi\nline\",2\n1,2,3\n") {
            Err(LoadError::Ragged {
                line,
                expected,
                found,
                ..
            }) => assert_eq!((line, expected, found), (5, 2, 3)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            ragged("a,b\n1\n"),
            Err(LoadError::Ragged {
                line: 2,
                found: 1,
                ..
            })
        ));
        assert!(matches!(
            ragged("a,b\n\"1,2\n"),
            Err(LoadError::UnclosedQuote { line: 2, .. })
        ));
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
    fn header_names_are_unquoted() {
        assert_eq!(
            header_names(b"\n id,\"a,\"\"b\"\"\",c\r\n1,2,3\n", b','),
            [" id", "a,\"b\"", "c"]
        );
        assert_eq!(header_names(b"x\ty", b'\t'), ["x", "y"]);
    }

    #[test]
    fn invalid_utf8_names_line_and_byte() {
        match check_text(Path::new("t.csv"), b"a,b\nok,\xff\n") {
            Err(LoadError::InvalidUtf8 { line, byte, .. }) => assert_eq!((line, byte), (2, 4)),
            other => panic!("{other:?}"),
        }
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
