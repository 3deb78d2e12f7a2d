//! Parsing `#[tool(…)] async fn …`.

use darling::FromMeta;
use darling::ast::NestedMeta;
use darling::util::SpannedValue;
use proc_macro2::TokenStream;

use crate::component::{self, ComponentFn, TOOL};

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
    /// Tags, for enabling and disabling groups of components.
    pub tags: Option<Vec<syn::LitStr>>,
    /// OAuth scopes a caller needs to see and use this component: `scopes = ["notes:write"]`.
    pub scopes: Option<Vec<syn::LitStr>>,
    /// A timeout for this tool: `timeout = "5s"` (`ms`, `s`, `m`, `h`).
    pub timeout: Option<SpannedValue<String>>,
    /// Marks the tool sensitive: audited, arguments redacted.
    pub sensitive: Option<bool>,
    /// Middleware around this component only, innermost: `middleware = [a, b]`.
    pub middleware: Option<crate::common::ExprList>,
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
    pub func: ComponentFn,
}

/// Parses the attribute and the item; `None` when the item is not a function.
pub fn parse(
    attr: TokenStream,
    item: TokenStream,
    errors: &mut darling::error::Accumulator,
) -> Option<ToolFn> {
    let func = component::parse_fn(item, TOOL, errors)?;
    let attr = match NestedMeta::parse_meta_list(attr) {
        Ok(list) => component::parse_attr::<ToolAttr>(&list, errors),
        Err(error) => {
            errors.push(darling::Error::from(error));
            ToolAttr::default()
        }
    };
    Some(ToolFn { attr, func })
}
