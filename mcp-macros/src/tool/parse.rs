//! The keys only `#[tool(…)]` has.

use darling::FromMeta;
use darling::util::SpannedValue;

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
}

/// `annotations(read_only, destructive = false, idempotent, open_world)`.
#[derive(Debug, Default, FromMeta)]
pub struct Annotations {
    pub read_only: Option<bool>,
    pub destructive: Option<bool>,
    pub idempotent: Option<bool>,
    pub open_world: Option<bool>,
}
