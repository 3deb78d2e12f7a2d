//! Pieces shared by the macros: doc comments, names, the runtime crate path.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Expr, Lit, Meta};

/// The path generated code reaches the runtime through: `::mcp_runtime`, or `crate = path`.
pub fn runtime_path(krate: Option<&syn::Path>) -> TokenStream {
    match krate {
        Some(path) => quote!(#path),
        None => quote!(::mcp_runtime),
    }
}

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

/// Tags are non-empty and free of whitespace.
pub fn check_tags(tags: Option<&[syn::LitStr]>, errors: &mut darling::error::Accumulator) {
    for tag in tags.unwrap_or_default() {
        let value = tag.value();
        if value.is_empty() || value.chars().any(char::is_whitespace) {
            errors.push(
                darling::Error::custom("a tag is a non-empty word without spaces, like \"admin\"")
                    .with_span(tag),
            );
        }
    }
}

/// Scopes are non-empty and free of whitespace (OAuth's `scope` is space-separated).
pub fn check_scopes(scopes: Option<&[syn::LitStr]>, errors: &mut darling::error::Accumulator) {
    for scope in scopes.unwrap_or_default() {
        let value = scope.value();
        if value.is_empty() || value.chars().any(char::is_whitespace) {
            errors.push(
                darling::Error::custom(
                    "a scope is a non-empty word without spaces, like \"notes:write\"",
                )
                .with_span(scope),
            );
        }
    }
}

/// `&["a", "b"]` for a list of string literals.
pub fn str_slice(items: &[String]) -> TokenStream {
    quote!(&[#(#items),*])
}

/// `[a, b(1)]`: a list of expressions, for `middleware = […]`.
#[derive(Debug, Default, Clone)]
pub struct ExprList(pub Vec<syn::Expr>);

impl darling::FromMeta for ExprList {
    fn from_expr(expr: &syn::Expr) -> darling::Result<Self> {
        match expr {
            syn::Expr::Array(array) => Ok(ExprList(array.elems.iter().cloned().collect())),
            syn::Expr::Group(group) => Self::from_expr(&group.expr),
            other => Err(darling::Error::custom(
                "expected a list of middleware, like `middleware = [audit, RateLimit::new(5)]`",
            )
            .with_span(other)),
        }
    }
}

/// `__mcp_d.meta().middleware(…)` for each listed middleware, spanned on its expression.
pub fn middleware_stmts(list: Option<&ExprList>, private: &TokenStream) -> Vec<TokenStream> {
    list.map(|list| list.0.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|expr| {
            quote::quote_spanned! {syn::spanned::Spanned::span(expr)=>
                __mcp_d.meta().middleware(#private::middleware_arc(#expr));
            }
        })
        .collect()
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
            "a timeout of `{text}` would fail every call: {fix}"
        )),
        Some(ms) => Ok(ms),
        None => Err(format!("`{text}` is too long: {fix}")),
    }
}
