//! Parsing `#[tool(…)] async fn …` into a model.

use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::util::SpannedValue;
use proc_macro2::{Span, TokenStream};
use syn::{FnArg, ItemFn, Pat, Type};

use crate::common::doc_text;

/// The keys of `#[tool(…)]`.
#[derive(Debug, Default, FromMeta)]
pub struct ToolAttr {
    /// The tool's name; defaults to the function's name.
    pub name: Option<SpannedValue<String>>,
    /// A human-readable title.
    pub title: Option<SpannedValue<String>>,
    /// The description; defaults to the function's doc comment.
    pub description: Option<SpannedValue<String>>,
    /// Behaviour hints.
    pub annotations: Option<SpannedValue<Annotations>>,
    /// The path of the runtime crate, for crates that re-export it.
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// `annotations(read_only, destructive = false, idempotent, open_world)`.
#[derive(Debug, Default, FromMeta)]
pub struct Annotations {
    pub read_only: Option<bool>,
    pub destructive: Option<bool>,
    pub idempotent: Option<bool>,
    pub open_world: Option<bool>,
}

/// A parsed `#[tool]` function.
pub struct ToolFn {
    pub attr: ToolAttr,
    /// The function as written, minus parameter doc comments (which rustc rejects).
    pub item: ItemFn,
    pub params: Vec<Param>,
    pub doc: Option<String>,
}

/// One typed parameter.
pub struct Param {
    /// The parameter's pattern, as written.
    pub pat: Pat,
    /// The JSON name: the identifier without `r#`, or `None` when the pattern is not a name.
    pub name: Option<String>,
    pub name_span: Span,
    pub ty: Type,
    pub doc: Option<String>,
}

/// Parses the attribute and the item. Errors go to `errors`; `None` when the item is not a
/// function, so there is nothing to expand.
pub fn parse(
    attr: TokenStream,
    item: TokenStream,
    errors: &mut darling::error::Accumulator,
) -> Option<ToolFn> {
    let mut item: ItemFn = match syn::parse2(item) {
        Ok(item) => item,
        Err(error) => {
            errors.push(
                darling::Error::custom(
                    "`#[tool]` goes on an `async fn`: the function becomes an MCP tool",
                )
                .with_span(&error.span()),
            );
            return None;
        }
    };
    let attr = match NestedMeta::parse_meta_list(attr) {
        Ok(list) => errors
            .handle(ToolAttr::from_list(&list))
            .unwrap_or_default(),
        Err(error) => {
            errors.push(darling::Error::from(error));
            ToolAttr::default()
        }
    };
    let mut params = Vec::new();
    for input in item.sig.inputs.iter_mut() {
        let FnArg::Typed(typed) = input else {
            continue;
        };
        let doc = doc_text(&typed.attrs);
        typed.attrs.retain(|attr| !attr.path().is_ident("doc"));
        let (name, name_span) = match &*typed.pat {
            Pat::Ident(ident) if ident.by_ref.is_none() && ident.subpat.is_none() => {
                let name = ident.ident.to_string();
                let name = name.strip_prefix("r#").unwrap_or(&name).to_owned();
                (Some(name), ident.ident.span())
            }
            other => (None, syn::spanned::Spanned::span(other)),
        };
        params.push(Param {
            pat: (*typed.pat).clone(),
            name,
            name_span,
            ty: (*typed.ty).clone(),
            doc,
        });
    }
    let doc = doc_text(&item.attrs);
    Some(ToolFn {
        attr,
        item,
        params,
        doc,
    })
}
