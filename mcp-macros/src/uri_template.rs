//! RFC 6570 URI templates, levels 1 to 3, parsed at compile time.
//!
//! Supported expressions: `{var}` (simple), `{+var}` (reserved), `{#var}` (fragment), `{.var}`
//! (label), `{/var}` (path segment), `{;var}` (path parameter), `{?a,b}` (query) and `{&a}`
//! (query continuation), each with one or more variables. Level 4 modifiers (`*`, `:n`) are
//! refused: a resource's variables are single values.
//!
//! The parsed parts are emitted into generated code, so the runtime matches URIs against the
//! same structure the compiler checked, without parsing the template again.

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text that must appear as-is.
    Literal(String),
    /// `{op var, var…}`.
    Expr { op: Op, vars: Vec<String> },
}

/// The operator of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Simple,
    Reserved,
    Fragment,
    Label,
    Path,
    PathParam,
    Query,
    QueryContinuation,
}

impl Op {
    pub fn variant_name(self) -> &'static str {
        match self {
            Op::Simple => "Simple",
            Op::Reserved => "Reserved",
            Op::Fragment => "Fragment",
            Op::Label => "Label",
            Op::Path => "Path",
            Op::PathParam => "PathParam",
            Op::Query => "Query",
            Op::QueryContinuation => "QueryContinuation",
        }
    }
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<Part>,
}

impl Template {
    /// Every variable, in order of appearance.
    pub fn variables(&self) -> impl Iterator<Item = (&str, Op)> {
        self.parts.iter().flat_map(|part| match part {
            Part::Literal(_) => Vec::new(),
            Part::Expr { op, vars } => vars.iter().map(|v| (v.as_str(), *op)).collect(),
        })
    }

    /// Whether the template has no expressions (a static resource URI).
    #[cfg(test)]
    pub fn is_static(&self) -> bool {
        self.parts
            .iter()
            .all(|part| matches!(part, Part::Literal(_)))
    }
}

/// Parses `template`; the error says what is wrong and where.
pub fn parse(template: &str) -> Result<Template, String> {
    check_scheme(template)?;
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut seen: Vec<String> = Vec::new();
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        match c {
            '{' => {
                let Some(close) = rest.find('}') else {
                    return Err(format!(
                        "unclosed `{{` in `{}`: every expression ends with `}}`",
                        rest
                    ));
                };
                let body = &rest[1..close];
                if let Some(nested) = body.find('{') {
                    return Err(format!(
                        "`{{` inside the expression `{{{}`: expressions cannot nest",
                        &body[..=nested]
                    ));
                }
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                let (op, vars) = parse_expression(body)?;
                for var in &vars {
                    if seen.contains(var) {
                        return Err(format!(
                            "the variable `{var}` appears twice: each variable binds one parameter"
                        ));
                    }
                    seen.push(var.clone());
                }
                parts.push(Part::Expr { op, vars });
                rest = &rest[close + 1..];
            }
            '}' => {
                return Err(
                    "`}` without a matching `{`: remove it, or open the expression with `{`"
                        .to_owned(),
                );
            }
            c if c.is_whitespace()
                || c.is_control()
                || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '|') =>
            {
                return Err(format!(
                    "`{c}` cannot appear in a URI template: percent-encode it (a space is `%20`)"
                ));
            }
            c => {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !literal.is_empty() {
        parts.push(Part::Literal(literal));
    }
    Ok(Template { parts })
}

fn check_scheme(template: &str) -> Result<(), String> {
    let scheme_end = template.find(':');
    let valid = scheme_end.is_some_and(|end| {
        let scheme = &template[..end];
        let mut chars = scheme.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    if valid {
        Ok(())
    } else {
        Err(format!(
            "`{template}` does not start with a URI scheme: write it like `notes://{{id}}` or `file:///{{+path}}`"
        ))
    }
}

fn parse_expression(body: &str) -> Result<(Op, Vec<String>), String> {
    let mut chars = body.chars();
    let (op, names) = match chars.next() {
        None => return Err("empty expression `{}`: name a variable, like `{id}`".to_owned()),
        Some('+') => (Op::Reserved, chars.as_str()),
        Some('#') => (Op::Fragment, chars.as_str()),
        Some('.') => (Op::Label, chars.as_str()),
        Some('/') => (Op::Path, chars.as_str()),
        Some(';') => (Op::PathParam, chars.as_str()),
        Some('?') => (Op::Query, chars.as_str()),
        Some('&') => (Op::QueryContinuation, chars.as_str()),
        Some(c @ ('=' | ',' | '!' | '@' | '|')) => {
            return Err(format!(
                "the operator `{c}` in `{{{body}}}` is reserved by RFC 6570 and has no meaning; the operators are `+ # . / ; ? &`"
            ));
        }
        Some(_) => (Op::Simple, body),
    };
    let mut vars = Vec::new();
    for name in names.split(',') {
        if name.ends_with('*') || name.contains(':') {
            return Err(format!(
                "`{name}` in `{{{body}}}` uses a level 4 modifier (`*` or `:n`), which resources do not support: a variable binds one value"
            ));
        }
        if name.is_empty() {
            return Err(format!(
                "`{{{body}}}` has an empty variable name: remove the stray comma"
            ));
        }
        let valid = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            return Err(format!(
                "`{name}` in `{{{body}}}` is not a variable name: use letters, digits and `_`, matching a parameter of the function"
            ));
        }
        vars.push(name.to_owned());
    }
    Ok((op, vars))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(op: Op, vars: &[&str]) -> Part {
        Part::Expr {
            op,
            vars: vars.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    #[test]
    fn parses_levels_one_to_three() {
        let template = parse("notes://{id}/x{?q,limit}").unwrap();
        assert_eq!(
            template.parts,
            vec![
                Part::Literal("notes://".into()),
                expr(Op::Simple, &["id"]),
                Part::Literal("/x".into()),
                expr(Op::Query, &["q", "limit"]),
            ]
        );
        let template = parse("file:///{+path}{#section}").unwrap();
        assert_eq!(
            template.variables().map(|(v, _)| v).collect::<Vec<_>>(),
            ["path", "section"]
        );
        assert!(parse("notes://index").unwrap().is_static());
        for op in ["{.a}", "{/a,b}", "{;a}", "{&a}"] {
            assert!(parse(&format!("x://y{op}")).is_ok(), "{op}");
        }
    }

    #[test]
    fn rejects_malformed_templates_naming_the_problem() {
        let cases = [
            ("notes://{id", "unclosed `{`"),
            ("notes://id}", "`}` without"),
            ("notes://{}", "empty expression"),
            ("notes://{a}/{a}", "`a` appears twice"),
            ("notes://{a*}", "level 4"),
            ("notes://{a:3}", "level 4"),
            ("notes://{a-b}", "not a variable name"),
            ("notes://{=a}", "reserved"),
            ("notes://{a,}", "empty variable name"),
            ("notes://{a{b}}", "cannot nest"),
            ("notes/{id}", "does not start with a URI scheme"),
            ("notes://a b", "cannot appear"),
        ];
        for (template, expected) in cases {
            let error = parse(template).unwrap_err();
            assert!(error.contains(expected), "{template}: {error}");
        }
    }
}
