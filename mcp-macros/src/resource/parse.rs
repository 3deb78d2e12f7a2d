//! Parsing `#[resource("uri", …)] async fn …`.

use std::collections::BTreeMap;

use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::util::{PathList, SpannedValue};
use proc_macro2::TokenStream;
use syn::{Lit, LitStr};

use crate::component::{self, ComponentFn, RESOURCE};

/// The keys of `#[resource("…", …)]` after the URI.
#[derive(Debug, Default, FromMeta)]
pub struct ResourceAttr {
    /// The resource's name; defaults to the function's name.
    pub name: Option<SpannedValue<String>>,
    /// A human-readable title.
    pub title: Option<SpannedValue<String>>,
    /// The description; defaults to the doc comment.
    pub description: Option<SpannedValue<String>>,
    /// The MIME type of the contents.
    pub mime_type: Option<SpannedValue<String>>,
    /// `annotations(audience = ["user"], priority = 0.5)`.
    pub annotations: Option<ResourceAnnotations>,
    /// Completion sources for template variables: `complete(id = note_ids)`.
    pub complete: Option<BTreeMap<syn::Ident, syn::Path>>,
    /// Variables that opt out of the path-safety check: `unchecked(path)`.
    pub unchecked: Option<PathList>,
    /// Tags, for enabling and disabling groups of components.
    pub tags: Option<Vec<LitStr>>,
    /// OAuth scopes a caller needs to see and use this component: `scopes = ["notes:write"]`.
    pub scopes: Option<Vec<LitStr>>,
    /// Middleware around this component only, innermost: `middleware = [a, b]`.
    pub middleware: Option<crate::common::ExprList>,
    /// The path of the runtime crate, for crates that re-export it.
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// Resource annotations.
#[derive(Debug, Default, FromMeta)]
pub struct ResourceAnnotations {
    pub audience: Option<Vec<LitStr>>,
    pub priority: Option<SpannedValue<Priority>>,
}

/// `priority = 0.5` (an integer `0` or `1` works too).
#[derive(Debug, Clone, Copy)]
pub struct Priority(pub f64);

impl std::ops::Deref for Priority {
    type Target = f64;
    fn deref(&self) -> &f64 {
        &self.0
    }
}

impl FromMeta for Priority {
    fn from_value(value: &syn::Lit) -> darling::Result<Self> {
        let number = match value {
            syn::Lit::Float(float) => float.base10_parse::<f64>().ok(),
            syn::Lit::Int(int) => int.base10_parse::<f64>().ok(),
            _ => None,
        };
        number.map(Priority).ok_or_else(|| {
            darling::Error::custom("`priority` is a number from 0.0 to 1.0, like `priority = 0.5`")
                .with_span(value)
        })
    }
}

/// A parsed `#[resource]` function.
pub struct ResourceFn {
    /// The URI or template literal; `None` when missing (already reported).
    pub uri: Option<LitStr>,
    pub attr: ResourceAttr,
    pub func: ComponentFn,
}

pub fn parse(
    attr: TokenStream,
    item: TokenStream,
    errors: &mut darling::error::Accumulator,
) -> Option<ResourceFn> {
    let func = component::parse_fn(item, RESOURCE, errors)?;
    let attr_span = proc_macro2::Span::call_site();
    let mut list = match NestedMeta::parse_meta_list(attr) {
        Ok(list) => list,
        Err(error) => {
            errors.push(darling::Error::from(error));
            Vec::new()
        }
    };
    let uri = match list.first() {
        Some(NestedMeta::Lit(Lit::Str(uri))) => {
            let uri = uri.clone();
            list.remove(0);
            Some(uri)
        }
        _ => {
            errors.push(
                darling::Error::custom(
                    "`#[resource]` needs its URI first, as a string: `#[resource(\"notes://{id}\")]`",
                )
                .with_span(&attr_span),
            );
            None
        }
    };
    let attr = component::parse_attr::<ResourceAttr>(&list, errors);
    Some(ResourceFn { uri, attr, func })
}
