#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod cli;
pub mod context;
pub mod error;
mod output;
pub mod schema;
mod server;
pub mod testing;
pub mod tool;
mod transport;

pub use context::{Ctx, FromRequestCx, RequestCx, State};
pub use error::{Error, ToolError};
pub use output::{IntoContent, IntoContents, ToolOutput};
pub use schema::SchemaProfile;
pub use server::{Server, ServerBuilder};
pub use tool::{ToolDef, ToolParam, ToolSet};

/// rmcp, the official MCP SDK this crate builds on, for anything not wrapped here.
pub use rmcp;

/// A content block a tool may return: text, image, audio, embedded resource or resource link.
///
/// `Content::text("…")`, `Content::image(base64, "image/png")`,
/// `Content::audio(base64, "audio/wav")`, `Content::resource(contents)`.
pub type Content = rmcp::model::ContentBlock;

pub use rmcp::model::CallToolResult;

#[doc = include_str!("../docs/tool.md")]
pub use mcp_runtime_macros::tool;

/// Collects `#[tool]` functions into a [`ToolSet`] for [`ServerBuilder::tools`].
///
/// ```
/// use mcp_runtime::prelude::*;
///
/// /// Add two integers.
/// #[tool]
/// async fn add(a: i64, b: i64) -> i64 { a + b }
///
/// /// Echo the text back.
/// #[tool]
/// async fn echo(text: String) -> String { text }
///
/// let set = tools![add, echo];
/// assert_eq!(set.names().collect::<Vec<_>>(), ["add", "echo"]);
/// ```
///
/// Two entries with the same tool name (after `name = "…"` overrides) are a compile error
/// naming both:
///
/// ```compile_fail
/// use mcp_runtime::prelude::*;
///
/// /// One.
/// #[tool(name = "same")]
/// async fn one() -> i64 { 1 }
///
/// /// Two.
/// #[tool(name = "same")]
/// async fn two() -> i64 { 2 }
///
/// let set = tools![one, two];
/// ```
pub use mcp_runtime_macros::tools;

// The workspace README's examples compile as doc tests too.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct WorkspaceReadme;

/// The names most servers need: `use mcp_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::{
        CallToolResult, Content, Ctx, Error, FromRequestCx, SchemaProfile, Server, State,
        ToolError, ToolSet, tool, tools,
    };
}

/// What generated code needs. Not public API: no stability guarantees.
#[doc(hidden)]
pub mod __private {
    pub use crate::context::RequestCx;
    pub use crate::error::ToolError;
    pub use crate::output::{
        OutputViaCallResult, OutputViaContent, OutputViaUnit, OutputViaValue, Probe, SplitViaPlain,
        SplitViaResult,
    };
    pub use crate::tool::{
        BoxFuture, ToolArgs, ToolDef, ToolDescriptor, ToolEntry, ToolParam, ToolSet,
    };
    pub use rmcp::ErrorData as McpError;
    pub use rmcp::model::CallToolResult;
    pub use std::boxed::Box;
    pub use std::option::Option::{self, None, Some};
    pub use std::result::Result::{self, Err, Ok};
    pub use std::vec::Vec;

    /// Extracts one parameter for a call.
    #[inline]
    pub fn extract_param<T: ToolParam<M>, M>(
        cx: &RequestCx,
        args: &mut ToolArgs,
        name: &'static str,
    ) -> Result<T, ToolError> {
        T::extract(cx, args, name)
    }

    /// The error result of a failed call.
    pub fn error_result(cx: &RequestCx, error: ToolError) -> CallToolResult {
        error.into_call_result(cx.component(), cx.mask_internal_errors())
    }

    /// Byte equality of two names, usable in constants (for `tools![…]` duplicate checks).
    pub const fn str_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
}
