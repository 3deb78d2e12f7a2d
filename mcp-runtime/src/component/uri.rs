//! URI templates at run time: matching a requested URI against the parts that `#[resource]`
//! parsed and checked at compile time (RFC 6570 levels 1 to 3).

use std::borrow::Cow;
use std::fmt;

/// The operator of a template expression.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `{var}`
    Simple,
    /// `{+var}`
    Reserved,
    /// `{#var}`
    Fragment,
    /// `{.var}`
    Label,
    /// `{/var}`
    Path,
    /// `{;var}`
    PathParam,
    /// `{?var}`
    Query,
    /// `{&var}`
    QueryContinuation,
}

impl Op {
    /// The operator as written in the template (`+` for reserved expansion).
    fn operator(self) -> Option<char> {
        match self {
            Op::Simple => None,
            Op::Reserved => Some('+'),
            other => other.prefix(),
        }
    }

    /// What the expansion starts with (reserved expansion adds nothing).
    fn prefix(self) -> Option<char> {
        match self {
            Op::Simple | Op::Reserved => None,
            Op::Fragment => Some('#'),
            Op::Label => Some('.'),
            Op::Path => Some('/'),
            Op::PathParam => Some(';'),
            Op::Query => Some('?'),
            Op::QueryContinuation => Some('&'),
        }
    }

    fn separator(self) -> char {
        match self {
            Op::Simple | Op::Reserved | Op::Fragment => ',',
            Op::Label => '.',
            Op::Path => '/',
            Op::PathParam => ';',
            Op::Query | Op::QueryContinuation => '&',
        }
    }

    /// Whether a value of this expression may contain `c` unencoded.
    fn allows(self, c: char) -> bool {
        match self {
            // Reserved and fragment expansion keep reserved characters; where a separator or
            // a following literal ends the value is found by backtracking.
            Op::Reserved | Op::Fragment => true,
            Op::Label => !matches!(c, '/' | '?' | '#' | '.'),
            _ => !matches!(c, '/' | '?' | '#' | '&' | ',' | ';' | '='),
        }
    }
}

/// One piece of a template, as `#[resource]` emits it.
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriPart {
    /// Text that must appear as-is.
    Literal(Cow<'static, str>),
    /// An expression and its variables.
    Expr(Op, &'static [&'static str]),
}

/// A parsed URI template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UriTemplate {
    parts: Vec<UriPart>,
}

/// The variables a URI matched, still percent-encoded.
pub(crate) type Captures = Vec<(&'static str, String)>;

impl UriTemplate {
    pub(crate) fn new(parts: &[UriPart]) -> Self {
        Self {
            parts: parts.to_vec(),
        }
    }

    /// Whether the template has no expressions.
    pub(crate) fn is_static(&self) -> bool {
        self.parts
            .iter()
            .all(|part| matches!(part, UriPart::Literal(_)))
    }

    /// How specific the template is: the number of literal characters. More literal text
    /// wins when several templates match a URI.
    pub(crate) fn specificity(&self) -> usize {
        self.parts
            .iter()
            .map(|part| match part {
                UriPart::Literal(text) => text.len(),
                UriPart::Expr(..) => 0,
            })
            .sum()
    }

    /// Prefixes the path of the template: `scheme://rest` becomes `scheme://prefix/rest`.
    pub(crate) fn with_path_prefix(&self, prefix: &str) -> Self {
        let mut parts = self.parts.clone();
        if let Some(UriPart::Literal(first)) = parts.first_mut() {
            let (scheme, rest) = match first.find("://") {
                Some(i) => first.split_at(i + 3),
                None => match first.find(':') {
                    Some(i) => first.split_at(i + 1),
                    None => ("", first.as_ref()),
                },
            };
            *first = Cow::Owned(format!("{scheme}{prefix}/{rest}"));
        }
        Self { parts }
    }

    /// Matches `uri`, returning the variables' raw values (absent query variables are left
    /// out). `None` when the URI does not fit the template.
    pub(crate) fn matches(&self, uri: &str) -> Option<Captures> {
        let mut captures = Vec::new();
        match_parts(&self.parts, uri, &mut captures).then_some(captures)
    }
}

impl fmt::Display for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                UriPart::Literal(text) => f.write_str(text)?,
                UriPart::Expr(op, vars) => {
                    f.write_str("{")?;
                    if let Some(operator) = op.operator() {
                        write!(f, "{operator}")?;
                    }
                    f.write_str(&vars.join(","))?;
                    f.write_str("}")?;
                }
            }
        }
        Ok(())
    }
}

fn match_parts(parts: &[UriPart], input: &str, captures: &mut Captures) -> bool {
    let Some((part, rest)) = parts.split_first() else {
        return input.is_empty();
    };
    match part {
        UriPart::Literal(text) => input
            .strip_prefix(text.as_ref())
            .is_some_and(|input| match_parts(rest, input, captures)),
        UriPart::Expr(op @ (Op::Query | Op::QueryContinuation), vars) => {
            let mark = captures.len();
            let remaining = match_query(*op, vars, input, captures);
            if match_parts(rest, remaining, captures) {
                true
            } else {
                captures.truncate(mark);
                false
            }
        }
        UriPart::Expr(op, vars) => {
            let input = match op.prefix() {
                Some(prefix) => match input.strip_prefix(prefix) {
                    Some(input) => input,
                    None => return false,
                },
                None => input,
            };
            match_vars(*op, vars, input, rest, captures)
        }
    }
}

/// Matches the variables of one non-query expression, then the rest of the template, trying
/// the longest value first and backing off (so a following literal can still match).
fn match_vars(
    op: Op,
    vars: &[&'static str],
    input: &str,
    rest: &[UriPart],
    captures: &mut Captures,
) -> bool {
    let Some((var, more)) = vars.split_first() else {
        return match_parts(rest, input, captures);
    };
    // `{;v}` expands to `;v=value`.
    let input = if op == Op::PathParam {
        match input.strip_prefix(*var) {
            Some(after) => after.strip_prefix('=').unwrap_or(after),
            None => return false,
        }
    } else {
        input
    };
    let longest = input
        .char_indices()
        .find(|&(_, c)| !op.allows(c))
        .map_or(input.len(), |(i, _)| i);
    let mut ends: Vec<usize> = input[..longest]
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain(std::iter::once(longest))
        .collect();
    ends.reverse();
    for end in ends {
        let value = &input[..end];
        let after = &input[end..];
        let next = if more.is_empty() {
            Some(after)
        } else {
            after.strip_prefix(op.separator())
        };
        let Some(next) = next else { continue };
        captures.push((var, value.to_owned()));
        if match_vars(op, more, next, rest, captures) {
            return true;
        }
        captures.pop();
    }
    false
}

/// Reads `?a=1&b=2` (or `&a=1`) at the start of `input`, capturing the template's variables;
/// returns the input after the query. Keys the template does not name are ignored.
fn match_query<'a>(
    op: Op,
    vars: &[&'static str],
    input: &'a str,
    captures: &mut Captures,
) -> &'a str {
    let Some(prefix) = op.prefix() else {
        return input;
    };
    let Some(query) = input.strip_prefix(prefix) else {
        return input;
    };
    let end = query.find('#').unwrap_or(query.len());
    for pair in query[..end].split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if let Some(var) = vars.iter().find(|var| **var == key) {
            captures.push((var, value.to_owned()));
        }
    }
    &query[end..]
}

/// Percent-decodes a captured value.
pub(crate) fn decode(value: &str) -> Result<String, String> {
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .map(Cow::into_owned)
        .map_err(|_| format!("`{value}` is not valid percent-encoded UTF-8"))
}

/// Why a decoded value is refused as a path, if it is: `..` segments, absolute paths, NUL bytes.
pub(crate) fn path_safety_problem(value: &str) -> Option<&'static str> {
    if value.contains('\0') {
        return Some("contains a NUL byte");
    }
    if value.split(['/', '\\']).any(|segment| segment == "..") {
        return Some("contains a `..` segment");
    }
    let bytes = value.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if value.starts_with(['/', '\\']) || drive {
        return Some("is an absolute path");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(parts: Vec<UriPart>) -> UriTemplate {
        UriTemplate { parts }
    }
    fn lit(text: &'static str) -> UriPart {
        UriPart::Literal(Cow::Borrowed(text))
    }

    #[test]
    fn simple_variables_stop_at_reserved_characters() {
        let t = template(vec![lit("notes://"), UriPart::Expr(Op::Simple, &["id"])]);
        assert_eq!(t.matches("notes://42"), Some(vec![("id", "42".into())]));
        assert_eq!(t.matches("notes://4/2"), None);
        assert_eq!(t.matches("other://42"), None);
        assert_eq!(t.to_string(), "notes://{id}");
    }

    #[test]
    fn literals_after_variables_are_found_by_backtracking() {
        let t = template(vec![
            lit("repo://"),
            UriPart::Expr(Op::Simple, &["owner"]),
            lit("/"),
            UriPart::Expr(Op::Simple, &["name"]),
            lit(".git"),
        ]);
        assert_eq!(
            t.matches("repo://me/my.lib.git"),
            Some(vec![("owner", "me".into()), ("name", "my.lib".into())])
        );
    }

    #[test]
    fn reserved_expansion_spans_slashes() {
        let t = template(vec![
            lit("file:///"),
            UriPart::Expr(Op::Reserved, &["path"]),
        ]);
        assert_eq!(
            t.matches("file:///a/b/c.txt"),
            Some(vec![("path", "a/b/c.txt".into())])
        );
    }

    #[test]
    fn query_variables_are_optional_and_unordered() {
        let t = template(vec![
            lit("search://"),
            UriPart::Expr(Op::Simple, &["index"]),
            UriPart::Expr(Op::Query, &["q", "limit"]),
        ]);
        assert_eq!(
            t.matches("search://docs?limit=5&q=rust&x=1"),
            Some(vec![
                ("index", "docs".into()),
                ("limit", "5".into()),
                ("q", "rust".into())
            ])
        );
        assert_eq!(
            t.matches("search://docs"),
            Some(vec![("index", "docs".into())])
        );
        assert_eq!(t.to_string(), "search://{index}{?q,limit}");
    }

    #[test]
    fn multiple_variables_and_other_operators() {
        let t = template(vec![lit("map://"), UriPart::Expr(Op::Simple, &["x", "y"])]);
        assert_eq!(
            t.matches("map://1,2"),
            Some(vec![("x", "1".into()), ("y", "2".into())])
        );
        let t = template(vec![lit("a://b"), UriPart::Expr(Op::Path, &["p", "q"])]);
        assert_eq!(
            t.matches("a://b/1/2"),
            Some(vec![("p", "1".into()), ("q", "2".into())])
        );
        let t = template(vec![lit("a://b"), UriPart::Expr(Op::PathParam, &["v"])]);
        assert_eq!(t.matches("a://b;v=3"), Some(vec![("v", "3".into())]));
        let t = template(vec![lit("a://b"), UriPart::Expr(Op::Fragment, &["f"])]);
        assert_eq!(t.matches("a://b#x/y"), Some(vec![("f", "x/y".into())]));
    }

    #[test]
    fn path_prefixing_keeps_the_scheme() {
        let t = template(vec![lit("notes://"), UriPart::Expr(Op::Simple, &["id"])]);
        let prefixed = t.with_path_prefix("weather");
        assert_eq!(prefixed.to_string(), "notes://weather/{id}");
        assert_eq!(
            prefixed.matches("notes://weather/3"),
            Some(vec![("id", "3".into())])
        );
    }

    #[test]
    fn unsafe_paths_are_named() {
        assert_eq!(
            path_safety_problem("a/../b"),
            Some("contains a `..` segment")
        );
        assert_eq!(
            path_safety_problem("..\\b"),
            Some("contains a `..` segment")
        );
        assert_eq!(
            path_safety_problem("/etc/passwd"),
            Some("is an absolute path")
        );
        assert_eq!(path_safety_problem("C:\\x"), Some("is an absolute path"));
        assert_eq!(path_safety_problem("a\0b"), Some("contains a NUL byte"));
        assert_eq!(path_safety_problem("a/b..c/d"), None);
        assert_eq!(decode("%2e%2e%2Fx").unwrap(), "../x");
        assert!(decode("%ff").is_err());
    }
}
