//! Parsing `#[prompt(…)] async fn …`.

use std::collections::BTreeMap;

use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::util::SpannedValue;
use proc_macro2::TokenStream;

use crate::component::{self, ComponentFn, PROMPT};

/// The keys of `#[prompt(…)]`.
#[derive(Debug, Default, FromMeta)]
pub struct PromptAttr {
    /// The prompt's name; defaults to the function's name.
    pub name: Option<SpannedValue<String>>,
    /// A human-readable title.
    pub title: Option<SpannedValue<String>>,
    /// The description; defaults to the doc comment.
    pub description: Option<SpannedValue<String>>,
    /// Completion sources for arguments: `complete(topic = topics)`.
    pub complete: Option<BTreeMap<syn::Ident, syn::Path>>,
    /// Tags, for enabling and disabling groups of components.
    pub tags: Option<Vec<syn::LitStr>>,
    /// OAuth scopes a caller needs to see and use this component: `scopes = ["notes:write"]`.
    pub scopes: Option<Vec<syn::LitStr>>,
    /// Middleware around this component only, innermost: `middleware = [a, b]`.
    pub middleware: Option<crate::common::ExprList>,
    /// The path of the runtime crate, for crates that re-export it.
    #[darling(rename = "crate")]
    pub krate: Option<syn::Path>,
}

/// A parsed `#[prompt]` function.
pub struct PromptFn {
    pub attr: PromptAttr,
    pub func: ComponentFn,
}

pub fn parse(
    attr: TokenStream,
    item: TokenStream,
    errors: &mut darling::error::Accumulator,
) -> Option<PromptFn> {
    let func = component::parse_fn(item, PROMPT, errors)?;
    let attr = match NestedMeta::parse_meta_list(attr) {
        Ok(list) => component::parse_attr::<PromptAttr>(&list, errors),
        Err(error) => {
            errors.push(darling::Error::from(error));
            PromptAttr::default()
        }
    };
    Some(PromptFn { attr, func })
}
