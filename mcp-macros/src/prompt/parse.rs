//! The keys only `#[prompt(…)]` has.

use std::collections::BTreeMap;

use darling::FromMeta;

use crate::component::shared::SharedAttr;

/// The keys of `#[prompt(…)]`: the shared ones, and a prompt's own.
#[derive(Debug, Default, FromMeta)]
pub struct PromptAttr {
    #[darling(flatten)]
    pub shared: SharedAttr,
    /// Completion sources for arguments: `complete(topic = topics)`.
    pub complete: Option<BTreeMap<syn::Ident, syn::Path>>,
}
