//! Tag assignments as CSV (`id,tag`, one assignment per line), for moving tags between
//! projects and tools.

use std::path::Path;

use super::StoreError;

/// One record: its fields (quoted ones verbatim, others trimmed) and the line it starts on.
struct Record {
    line: usize,
    fields: Vec<String>,
}

/// Splits CSV text into records (RFC 4180: quoted fields may hold commas, quotes and line
/// breaks), so that every id and tag errata writes reads back the same.
fn records(text: &str) -> Result<Vec<Record>, (usize, &'static str)> {
    let mut out = Vec::new();
    let (mut fields, mut field) = (Vec::new(), String::new());
    let (mut line, mut start_line) = (1, 1);
    let (mut quoted, mut was_quoted, mut at_start) = (false, false, true);
    let mut chars = text.chars().peekable();
    let finish = |field: &mut String, was_quoted: bool, fields: &mut Vec<String>| {
        let value = std::mem::take(field);
        fields.push(if was_quoted {
            value
        } else {
            value.trim().to_string()
        });
    };
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => {
                quoted = false;
                if chars
                    .peek()
                    .is_some_and(|&n| !matches!(n, ',' | '\n' | '\r'))
                {
                    return Err((line, "text after a closing quote"));
                }
            }
            '"' if at_start && field.trim().is_empty() => {
                field.clear();
                (quoted, was_quoted) = (true, true);
            }
            ',' if !quoted => {
                finish(&mut field, was_quoted, &mut fields);
                (was_quoted, at_start) = (false, true);
                continue;
            }
            '\r' if !quoted && chars.peek() == Some(&'\n') => continue,
            '\n' if !quoted => {
                finish(&mut field, was_quoted, &mut fields);
                if fields.iter().any(|f| !f.is_empty()) || fields.len() > 1 {
                    out.push(Record {
                        line: start_line,
                        fields: std::mem::take(&mut fields),
                    });
                }
                fields.clear();
                line += 1;
                start_line = line;
                (was_quoted, at_start) = (false, true);
                continue;
            }
            c => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
        at_start = false;
    }
    if quoted {
        return Err((start_line, "a quoted field is never closed"));
    }
    finish(&mut field, was_quoted, &mut fields);
    if fields.iter().any(|f| !f.is_empty()) || fields.len() > 1 {
        out.push(Record {
            line: start_line,
            fields,
        });
    }
    Ok(out)
}

/// Reads `id,tag` records; a first record `id,tag` is a header. Every problem names its line.
pub fn parse(path: &Path, text: &str) -> Result<Vec<(String, String)>, StoreError> {
    let bad = |line: usize, problem: String| StoreError::BadCsvLine {
        path: path.to_path_buf(),
        line,
        problem,
    };
    let mut pairs = Vec::new();
    for record in records(text).map_err(|(line, p)| bad(line, p.to_string()))? {
        let f = &record.fields;
        if f.len() != 2 {
            return Err(bad(
                record.line,
                format!("expected 2 fields (id,tag), found {}", f.len()),
            ));
        }
        let (id, tag) = (&f[0], &f[1]);
        if pairs.is_empty() && id.eq_ignore_ascii_case("id") && tag.eq_ignore_ascii_case("tag") {
            continue;
        }
        if id.is_empty() || tag.is_empty() {
            return Err(bad(
                record.line,
                "the id and the tag must not be empty".into(),
            ));
        }
        pairs.push((id.clone(), tag.clone()));
    }
    Ok(pairs)
}

pub fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) || field.trim() != field {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// Writes `id,tag` lines with a header.
pub fn render(pairs: &[(String, String)]) -> String {
    let mut out = String::from("id,tag\n");
    for (id, tag) in pairs {
        out.push_str(&quote(id));
        out.push(',');
        out.push_str(&quote(tag));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_quotes_and_header() {
        let pairs = vec![
            ("a,1".to_string(), "car noise".to_string()),
            ("say \"hi\"".into(), "x".into()),
        ];
        let text = render(&pairs);
        assert_eq!(parse(Path::new("t.csv"), &text).unwrap(), pairs);
    }

    #[test]
    fn every_id_and_tag_reads_back_as_written() {
        let pairs: Vec<(String, String)> = [
            ("  spaced id  ", "  spaced  "),
            ("line\nbreak", "tab\there"),
            ("crlf\r\nid", "\"quoted\", with comma"),
            ("plain", "x"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let text = render(&pairs);
        assert_eq!(parse(Path::new("t.csv"), &text).unwrap(), pairs, "{text}");
        // Unquoted fields are trimmed and CRLF line ends are fine; blank lines are skipped.
        let read = parse(Path::new("t.csv"), "id,tag\r\n u1 , noise \r\n\r\nu2,blur").unwrap();
        assert_eq!(
            read,
            [("u1".into(), "noise".into()), ("u2".into(), "blur".into())]
        );
    }

    #[test]
    fn malformed_lines_name_their_line_number() {
        let err = parse(Path::new("t.csv"), "id,tag\nu1,noise\nu2\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 3") && err.contains("expected 2 fields"),
            "{err}"
        );
        let err = parse(Path::new("t.csv"), "u1,\"noise\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 1") && err.contains("never closed"),
            "{err}"
        );
        let err = parse(Path::new("t.csv"), "u1,noise\n,blur\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("line 2") && err.contains("must not be empty"),
            "{err}"
        );
    }
}
