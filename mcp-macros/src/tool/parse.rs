//! The keys only `#[tool(…)]` has.

use darling::FromMeta;
use darling::util::SpannedValue;
use proc_macro2::Span;
use syn::Meta;
use syn::spanned::Spanned;

use crate::component::shared::SharedAttr;

/// The keys of `#[tool(…)]`: the shared ones, and a tool's own.
#[derive(Debug, Default, FromMeta)]
pub struct ToolAttr {
    #[darling(flatten)]
    pub shared: SharedAttr,
    /// Behaviour hints.
    pub annotations: Option<SpannedValue<Annotations>>,
    /// Marks the tool sensitive: audited, arguments redacted.
    pub sensitive: Option<bool>,
    /// Runs a synchronous body on the blocking thread pool.
    pub blocking: Option<Blocking>,
    /// Runs calls as tasks (the tasks extension): `"optional"` or `"required"`.
    pub task: Option<SpannedValue<String>>,
}

/// `blocking`: a word, which takes no value. Given one, it still counts as present (so a
/// synchronous `fn` under it gets no second error), and validation reports the value.
#[derive(Debug, Clone, Copy)]
pub struct Blocking {
    /// The `blocking` key.
    pub span: Span,
    /// The value it was given, which it does not take.
    pub value: Option<Span>,
}

impl FromMeta for Blocking {
    fn from_meta(item: &Meta) -> darling::Result<Self> {
        let (span, value) = match item {
            Meta::Path(path) => (path.span(), None),
            Meta::NameValue(name_value) => (name_value.path.span(), Some(name_value.value.span())),
            Meta::List(list) => (list.path.span(), Some(list.delimiter.span().join())),
        };
        Ok(Blocking { span, value })
    }
}

/// `annotations(read_only, destructive = false, idempotent, open_world)`.
#[derive(Debug, Default, FromMeta)]
pub struct Annotations {
    pub read_only: Option<bool>,
    pub destructive: Option<bool>,
    pub idempotent: Option<bool>,
    pub open_world: Option<bool>,
}
