//! Tag assignments as CSV (`id,tag`, one assignment per line), for moving tags between
//! projects and tools.

use std::path::Path;

use super::StoreError;

/// Splits one CSV line into fields (RFC 4180 quoting, no line breaks inside fields).
fn fields(line: &str) -> Result<Vec<String>, &'static str> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => {
                quoted = false;
                if chars.peek().is_some_and(|&n| n != ',') {
                    return Err("text after a closing quote");
                }
            }
            '"' if at_start => quoted = true,
            ',' if !quoted => {
                out.push(std::mem::take(&mut field));
                at_start = true;
                continue;
            }
            c => field.push(c),
        }
        at_start = false;
    }
    if quoted {
        return Err("a quoted field is never closed");
    }
    out.push(field);
    Ok(out)
}

/// Reads `id,tag` lines; a first line `id,tag` is a header. Every problem names its line.
pub fn parse(path: &Path, text: &str) -> Result<Vec<(String, String)>, StoreError> {
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |problem: String| StoreError::BadCsvLine {
            path: path.to_path_buf(),
            line: line_no,
            problem,
        };
        let f = fields(line).map_err(|p| bad(p.to_string()))?;
        if f.len() != 2 {
            return Err(bad(format!(
                "expected 2 fields (id,tag), found {}",
                f.len()
            )));
        }
        let (id, tag) = (f[0].trim(), f[1].trim());
        if pairs.is_empty() && id.eq_ignore_ascii_case("id") && tag.eq_ignore_ascii_case("tag") {
            continue;
        }
        if id.is_empty() || tag.is_empty() {
            return Err(bad("the id and the tag must not be empty".into()));
        }
        pairs.push((id.to_string(), tag.to_string()));
    }
    Ok(pairs)
}

fn quote(field: &str) -> String {
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
