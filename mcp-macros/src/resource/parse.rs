//! The arguments only `#[resource("uri", …)]` has: the URI first, then its own keys.

use std::collections::BTreeMap;

use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::error::Accumulator;
use darling::util::{PathList, SpannedValue};
use proc_macro2::Span;
use syn::{Lit, LitStr};

use crate::component::{self, shared::SharedAttr};

/// The arguments of `#[resource("…", …)]`: the URI, the shared keys, and a resource's own.
#[derive(Debug, Default, FromMeta)]
pub struct ResourceAttr {
    /// The URI or template literal, positional and first; `None` when missing (already
    /// reported).
    #[darling(skip)]
    pub uri: Option<LitStr>,
    #[darling(flatten)]
    pub shared: SharedAttr,
    /// The MIME type of the contents.
    pub mime_type: Option<SpannedValue<String>>,
    /// `annotations(audience = ["user"], priority = 0.5)`.
    pub annotations: Option<ResourceAnnotations>,
    /// Completion sources for template variables: `complete(id = note_ids)`.
    pub complete: Option<BTreeMap<syn::Ident, syn::Path>>,
    /// Variables that opt out of the path-safety check: `unchecked(path)`.
    pub unchecked: Option<PathList>,
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

/// Takes the URI, which comes first, then parses the keys.
pub fn parse_attr(mut list: Vec<NestedMeta>, errors: &mut Accumulator) -> ResourceAttr {
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
                .with_span(&Span::call_site()),
            );
            None
        }
    };
    ResourceAttr {
        uri,
        ..component::parse_attr(&list, errors)
    }
}
