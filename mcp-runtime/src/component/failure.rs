//! What resource and prompt errors share: the kinds of failure and how each becomes a
//! JSON-RPC error.

use std::borrow::Cow;
use std::fmt;

/// One failure of a resource read or a prompt.
pub(crate) enum Failure {
    NotFound(String),
    InvalidParams(String),
    Message(Cow<'static, str>),
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

/// A `ToolError` (what `Ctx`'s methods return) met with `?` in a resource or a prompt.
impl From<crate::ToolError> for Failure {
    fn from(error: crate::ToolError) -> Self {
        match error.into_plain() {
            crate::error::Plain::Message(message) => Failure::Message(message),
            crate::error::Plain::InvalidArguments(message) => Failure::InvalidParams(message),
            crate::error::Plain::Internal(error) => Failure::Internal(error),
        }
    }
}

impl Failure {
    /// Any error met with `?` (or returned boxed) in a resource or a prompt, split as a tool's
    /// would be: a refusal a caller can act on (a `FileError`, `FetchError` or `SandboxError`
    /// that says what to change, an `rmcp::ErrorData`) keeps its message; anything else is
    /// internal.
    pub(crate) fn from_error(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        crate::ToolError::from_boxed(error).into()
    }

    /// The JSON-RPC error; `target` names what was asked for (`("uri", …)`, `("prompt", …)`).
    pub(crate) fn into_mcp(self, target: (&str, &str), mask_internal: bool) -> rmcp::ErrorData {
        let (key, uri) = target;
        let mut data = serde_json::Map::new();
        data.insert(key.to_owned(), uri.into());
        let data = Some(serde_json::Value::Object(data));
        match self {
            Failure::NotFound(uri) => {
                rmcp::ErrorData::resource_not_found(format!("resource not found: `{uri}`"), data)
            }
            Failure::InvalidParams(message) => rmcp::ErrorData::invalid_params(message, data),
            Failure::Message(message) => rmcp::ErrorData::internal_error(message, data),
            Failure::Internal(error) => {
                // The whole chain (`context: cause: root cause`), as tools log it.
                let chain = crate::error::error_chain(error.as_ref());
                tracing::error!(target = uri, error = %chain, "request failed with an internal error");
                let message = if mask_internal {
                    "internal error".to_owned()
                } else {
                    chain
                };
                rmcp::ErrorData::internal_error(message, data)
            }
        }
    }

    /// `Type::Kind(…)`, for the public error types' `Debug`.
    pub(crate) fn debug(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::NotFound(uri) => write!(f, "{name}::NotFound({uri:?})"),
            Failure::InvalidParams(m) => write!(f, "{name}::InvalidParams({m:?})"),
            Failure::Message(m) => write!(f, "{name}::Message({m:?})"),
            Failure::Internal(e) => write!(f, "{name}::Internal({e})"),
        }
    }
}
