//! Leaves the macros share: doc comments, the name rule, durations.

use syn::{Attribute, Expr, Lit, Meta};

/// The text of `///` comments (`#[doc = "…"]` attributes), one line each, with the single
/// leading space rustdoc adds removed; `None` when there are none or they are blank.
pub fn doc_text(attrs: &[Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(lit) = &nv.value
            && let Lit::Str(text) = &lit.lit
        {
            let value = text.value();
            // `split`, not `lines`: a blank `///` is an empty string, and it is a paragraph
            // break that must be kept.
            for line in value.split('\n') {
                lines.push(line.strip_prefix(' ').unwrap_or(line).to_owned());
            }
        }
    }
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Whether `name` follows MCP's tool-name rule: 1 to 128 characters of `A-Z a-z 0-9 _ - .`.
pub fn is_valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The first character of `name` that breaks the tool-name rule, for the error message.
pub fn first_invalid_char(name: &str) -> Option<char> {
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
}

/// Parses `"250ms"`, `"5s"`, `"2m"`, `"1h"` into milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let fix = "write a duration like \"250ms\", \"5s\", \"2m\" or \"1h\"";
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("`{text}` has no unit: {fix}"))?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` does not start with a whole number: {fix}"))?;
    let factor = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        other => return Err(format!("`{other}` is not a unit: {fix}")),
    };
    match number.checked_mul(factor) {
        Some(0) => Err(format!(
            "a timeout of `{text}` would fail every request: {fix}"
        )),
        Some(ms) => Ok(ms),
        None => Err(format!("`{text}` is too long: {fix}")),
    }
}
