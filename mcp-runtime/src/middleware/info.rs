//! What middleware and telemetry know about a component: its [`ComponentKind`] and
//! [`ComponentInfo`].

/// The kind of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentKind {
    /// A tool.
    Tool,
    /// A resource or resource template.
    Resource,
    /// A prompt.
    Prompt,
}

impl ComponentKind {
    /// `tool`, `resource` or `prompt`, as messages name the kind.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Tool => "tool",
            Self::Resource => "resource",
            Self::Prompt => "prompt",
        }
    }
}

/// What middleware can know about a component: its kind, name, behaviour hints, tags, and the
/// `timeout` and `sensitive` keys of `#[tool]`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ComponentInfo {
    /// Tool, resource or prompt.
    pub kind: ComponentKind,
    /// Its registered name (for a resource, its name, not its URI).
    pub name: String,
    /// A tool's behaviour hints (`read_only`, `idempotent`, …).
    pub annotations: Option<rmcp::model::ToolAnnotations>,
    /// Its tags.
    pub tags: &'static [&'static str],
    /// The OAuth scopes a caller needs to see and use it.
    pub scopes: &'static [&'static str],
    /// Its own timeout, if it declared one.
    pub timeout: Option<std::time::Duration>,
    /// Whether it is marked sensitive (audited, arguments redacted).
    pub sensitive: bool,
}

impl ComponentInfo {
    /// Whether a tool declared itself read-only.
    pub fn is_read_only(&self) -> bool {
        self.annotations
            .as_ref()
            .and_then(|a| a.read_only_hint)
            .unwrap_or(false)
    }

    /// Whether a tool declared itself idempotent (safe to retry).
    pub fn is_idempotent(&self) -> bool {
        self.annotations
            .as_ref()
            .is_some_and(|a| a.read_only_hint == Some(true) || a.idempotent_hint == Some(true))
    }
}
