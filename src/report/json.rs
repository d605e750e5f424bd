//! The JSON report (schema in docs/report-schema.md).

use super::Report;

pub fn render(report: &Report) -> String {
    // Serialising plain data structures cannot fail; a failure here is a bug worth a message.
    let mut text =
        serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
