//! `meta(key = <literal>, "io.example/key" = <literal>, …)`: the component's MCP `_meta`
//! object, with string, number and boolean values.

use darling::error::Accumulator;
use darling::{Error, FromMeta, Result};
use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Lit, LitStr, Meta, Token, UnOp};

/// How to write `meta`, for the messages.
const FORM: &str = "`meta` takes `key = value` pairs: `meta(key = \"value\", count = 3, beta = true)`; a key that is not a Rust name is a string: `meta(\"io.example/key\" = 1)`";

/// `meta(…)`: the entries, in the order written.
#[derive(Debug, Default)]
pub struct MetaMap(pub Vec<Entry>);

/// One `key = value`.
#[derive(Debug)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Value,
}

/// A literal `_meta` value.
#[derive(Debug)]
pub enum Value {
    Str(LitStr),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
}

impl FromMeta for MetaMap {
    fn from_meta(item: &Meta) -> Result<Self> {
        match item {
            Meta::List(list) => {
                let entries = syn::parse::Parser::parse2(
                    Punctuated::<RawEntry, Token![,]>::parse_terminated,
                    list.tokens.clone(),
                )?;
                let mut errors = Error::accumulator();
                let entries = entries
                    .into_iter()
                    .filter_map(|raw| errors.handle(raw.entry()))
                    .collect();
                errors.finish_with(MetaMap(entries))
            }
            other => Err(Error::custom(FORM).with_span(other)),
        }
    }
}

/// `key = expr` as written, before the value is checked.
struct RawEntry {
    key: String,
    key_span: Span,
    value: Expr,
}

impl Parse for RawEntry {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let (key, key_span) = if input.peek(LitStr) {
            let key: LitStr = input.parse()?;
            (key.value(), key.span())
        } else {
            let key: syn::Ident = input
                .call(syn::ext::IdentExt::parse_any)
                .map_err(|error| syn::Error::new(error.span(), FORM))?;
            let text = key.to_string();
            let text = text.strip_prefix("r#").unwrap_or(&text).to_owned();
            (text, key.span())
        };
        input
            .parse::<Token![=]>()
            .map_err(|error| syn::Error::new(error.span(), FORM))?;
        let value = input.parse()?;
        Ok(RawEntry {
            key,
            key_span,
            value,
        })
    }
}

impl RawEntry {
    fn entry(self) -> Result<Entry> {
        let value = literal(&self.value).ok_or_else(|| {
            Error::custom("a `meta` value is a literal: a string, a number, `true` or `false`")
                .with_span(&self.value)
        })??;
        Ok(Entry {
            key: self.key,
            key_span: self.key_span,
            value,
        })
    }
}

/// The literal `expr` is, if it is one; an error when it is a number JSON cannot hold.
fn literal(expr: &Expr) -> Option<Result<Value>> {
    let (negative, lit) = match expr {
        Expr::Lit(lit) => (false, &lit.lit),
        Expr::Unary(unary) if matches!(unary.op, UnOp::Neg(_)) => match &*unary.expr {
            Expr::Lit(lit) if matches!(lit.lit, Lit::Int(_) | Lit::Float(_)) => (true, &lit.lit),
            _ => return None,
        },
        Expr::Group(group) => return literal(&group.expr),
        _ => return None,
    };
    let out_of_range = || {
        Error::custom(
            "this number is out of range for a `meta` value (a 64-bit integer or a finite float)",
        )
        .with_span(expr)
    };
    Some(match lit {
        Lit::Str(text) => Ok(Value::Str(text.clone())),
        Lit::Bool(flag) => Ok(Value::Bool(flag.value)),
        Lit::Int(int) => {
            let digits = int.base10_digits();
            let text = if negative {
                format!("-{digits}")
            } else {
                digits.to_owned()
            };
            match (text.parse::<i64>(), text.parse::<u64>()) {
                (Ok(n), _) => Ok(Value::Int(n)),
                (_, Ok(n)) => Ok(Value::UInt(n)),
                _ => Err(out_of_range()),
            }
        }
        Lit::Float(float) => match float.base10_parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Value::Float(if negative { -n } else { n })),
            _ => Err(out_of_range()),
        },
        _ => return None,
    })
}

/// Keys are non-empty and given once.
pub fn validate(meta: &MetaMap, errors: &mut Accumulator) {
    for (i, entry) in meta.0.iter().enumerate() {
        if entry.key.trim().is_empty() {
            errors.push(Error::custom("a `meta` key cannot be empty").with_span(&entry.key_span));
        } else if meta.0[..i].iter().any(|earlier| earlier.key == entry.key) {
            errors.push(
                Error::custom(format!(
                    "the `meta` key `{}` is given twice: give each key once",
                    entry.key
                ))
                .with_span(&entry.key_span),
            );
        }
    }
}

/// `__mcp_d.meta().meta_entry("key", JsonValue::from(value));` for each entry.
pub fn expand(meta: &MetaMap, private: &TokenStream) -> TokenStream {
    let statements = meta.0.iter().map(|entry| {
        let key = &entry.key;
        let value = match &entry.value {
            Value::Str(text) => quote!(#text),
            Value::Int(n) => Literal::i64_suffixed(*n).into_token_stream(),
            Value::UInt(n) => Literal::u64_suffixed(*n).into_token_stream(),
            Value::Float(n) => Literal::f64_suffixed(*n).into_token_stream(),
            Value::Bool(flag) => quote!(#flag),
        };
        quote!(__mcp_d.meta().meta_entry(#key, #private::JsonValue::from(#value));)
    });
    quote!(#(#statements)*)
}
