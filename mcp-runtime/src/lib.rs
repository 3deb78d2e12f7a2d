#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
// The workspace denies unsafe code (it does not forbid it, so that one audited module may
// allow it: see the workspace Cargo.toml).
#![deny(unsafe_code)]

pub mod auth;
pub use component::{completion, prompt, resource, tool};
mod cli;
mod component;
pub mod extract;
#[cfg(feature = "fetch")]
#[cfg_attr(docsrs, doc(cfg(feature = "fetch")))]
pub mod fetch;
#[cfg(feature = "files")]
#[cfg_attr(docsrs, doc(cfg(feature = "files")))]
pub mod files;
/// The old path of [`extract`]: what travels with a request and the injected parameters.
#[doc(hidden)]
pub use extract as context;
pub mod config;
pub mod error;
pub mod logging;
pub mod middleware;
mod output;
mod rounds;
#[cfg(feature = "sandbox")]
#[cfg_attr(docsrs, doc(cfg(feature = "sandbox")))]
pub mod sandbox;
pub mod schema;
mod server;
pub mod tasks;
pub(crate) use server::lifespan;
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
pub mod telemetry;
pub mod testing;
mod transport;
mod util;

#[cfg(test)]
mod layers;

// The macros' generated paths (`::mcp_runtime::__private`) resolve in the crate's own unit tests.
#[cfg(test)]
extern crate self as mcp_runtime;

// Streamable HTTP lives in `transport/http`; its public path stays `mcp_runtime::http`.
#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use transport::http;

pub use completion::Completion;
pub use config::{ConfigError, Secret, Settings};
pub use error::{Error, ToolError};
pub use extract::{Ctx, FromRequestCx, RequestCx, State};
pub use middleware::{ComponentInfo, ComponentKind};
pub use output::{IntoContent, IntoContents, ToolOutput};
pub use prompt::{PromptDef, PromptError, PromptParam, PromptSet};
pub use resource::{ResourceDef, ResourceError, ResourceSet, UriVar};
pub use schema::SchemaProfile;
pub use server::{Mountable, Server, ServerBuilder};
pub use tool::{ToolDef, ToolParam, ToolSet};
pub use transport::StdioLimits;

/// With the `jemalloc` feature, jemalloc is the process's allocator, and serving turns on its
/// background threads ([`memory::give_back_freed_memory`]).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

pub mod memory;

/// rmcp, the official MCP SDK this crate builds on, for anything not wrapped here.
pub use rmcp;

/// A content block a tool may return: text, image, audio, embedded resource or resource link.
///
/// `Content::text("…")`, `Content::image(base64, "image/png")`,
/// `Content::audio(base64, "audio/wav")`, `Content::resource(contents)`.
pub type Content = rmcp::model::ContentBlock;

pub use rmcp::model::{CallToolResult, GetPromptResult, PromptMessage, ResourceContents, Role};

/// A JSON-RPC error: what middleware and handlers return for protocol-level failures.
pub use rmcp::ErrorData as McpError;

#[doc = include_str!("../docs/tool.md")]
pub use mcp_runtime_macros::tool;

/// Turns an `async fn(req: <request type>, [injected…], next: Next) -> Result<…, McpError>`
/// into [`Middleware`](middleware::Middleware) for the hook its request type names (`ToolCall`,
/// `ResourceRead`, `PromptGet`, the list requests, or `Request` for all of them). Add it with
/// [`ServerBuilder::middleware`]. See the [`middleware`](mod@middleware) module.
pub use mcp_runtime_macros::middleware;

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
/// Only `#[tool]` functions can be listed: a plain function gives rustc's "constant provided
/// when a type was expected" (E0747), because the list names the type `#[tool]` adds beside
/// the function.
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

#[doc = include_str!("../docs/resource.md")]
pub use mcp_runtime_macros::resource;

/// Collects `#[resource]` functions into a [`ResourceSet`] for
/// [`ServerBuilder::resources`]. Two entries with the same URI or template are a compile
/// error naming both. Only `#[resource]` functions can be listed: a plain function gives
/// rustc's "constant provided when a type was expected" (E0747).
pub use mcp_runtime_macros::resources;

#[doc = include_str!("../docs/prompt.md")]
pub use mcp_runtime_macros::prompt;

/// Collects `#[prompt]` functions into a [`PromptSet`] for [`ServerBuilder::prompts`]. Two
/// entries with the same name are a compile error naming both. Only `#[prompt]` functions can
/// be listed: a plain function gives rustc's "constant provided when a type was expected"
/// (E0747).
pub use mcp_runtime_macros::prompts;

/// The names most servers need: `use mcp_runtime::prelude::*;`.
pub mod prelude {
    pub use crate::middleware::{Extension, Next, ToolCall};
    pub use crate::{
        CallToolResult, Completion, Content, Ctx, Error, FromRequestCx, GetPromptResult, McpError,
        PromptError, PromptMessage, PromptSet, ResourceContents, ResourceError, ResourceSet, Role,
        SchemaProfile, Server, State, ToolError, ToolSet, middleware, prompt, prompts, resource,
        resources, tool, tools,
    };
}

/// What generated code needs. Not public API: no stability guarantees.
#[doc(hidden)]
pub mod __private {
    pub use crate::component::ComponentMeta;
    pub use crate::component::duplicates::{UNIQUE, concat, first_occurrences, str_eq};
    pub use crate::component::uri::{Op as UriOp, UriPart};
    pub use crate::error::ToolError;
    pub use crate::extract::FromRequestCx;
    pub use crate::extract::RequestCx;
    pub use crate::middleware::{
        HookRequest, Middleware, MiddlewareReturn, Next, Request as MiddlewareRequest,
        Response as MiddlewareResponse, intercept,
    };
    pub use crate::output::{
        OutputViaCallResult, OutputViaContent, OutputViaUnit, OutputViaValue, Probe, SplitViaPlain,
        SplitViaResult,
    };
    pub use crate::prompt::{
        PromptArgs, PromptDef, PromptDescriptor, PromptEntry, PromptError, PromptParam, PromptSet,
        finish_prompt,
    };
    pub use crate::resource::{
        ResourceDef, ResourceDescriptor, ResourceEntry, ResourceError, ResourceSet, ResourceVars,
        ResourceViaJson, ResourceViaKnown, UriVar,
    };
    pub use crate::tasks::TaskSupport;
    pub use crate::tool::{
        BoxFuture, Requirements, ToolArgs, ToolDef, ToolDescriptor, ToolEntry, ToolParam, ToolSet,
    };
    pub use rmcp::ErrorData as McpError;
    pub use rmcp::model::{CacheScope, CallToolResult, GetPromptResult, ResourceContents};
    pub use serde_json::Value as JsonValue;
    pub use std::borrow::Cow;
    pub use std::boxed::Box;
    pub use std::marker::Sized;
    pub use std::option::Option::{self, None, Some};
    pub use std::result::Result::{self, Err, Ok};
    pub use std::vec::Vec;

    /// The functions of a tool parameter type: the one place its bound is checked.
    #[inline]
    pub fn tool_param<T: ToolParam<M>, M>() -> crate::tool::ParamFns<T> {
        crate::tool::ParamFns::of::<M>()
    }

    /// Parses one URI template variable.
    #[inline]
    pub fn extract_var<T: UriVar<M>, M>(
        vars: &ResourceVars,
        name: &'static str,
    ) -> Result<T, ResourceError> {
        T::from_vars(vars, name)
    }

    /// The functions of a prompt parameter type: the one place its bound is checked.
    #[inline]
    pub fn prompt_param<T: PromptParam<M>, M>() -> crate::prompt::PromptParamFns<T> {
        crate::prompt::PromptParamFns::of::<M>()
    }

    /// An injected parameter's failure, as a resource error.
    pub fn resource_error_from_tool(error: ToolError) -> ResourceError {
        ResourceError::new(error.to_string())
    }

    /// The error result of a failed call.
    pub fn error_result(cx: &RequestCx, error: ToolError) -> CallToolResult {
        error.into_call_result(cx.component(), cx.mask_internal_errors())
    }

    /// Runs a `#[tool(blocking)]` body on tokio's blocking thread pool, its `tracing` events
    /// still reaching the request's client. A panic in it resumes here, where the server
    /// catches it as it catches an async tool's.
    pub async fn run_blocking<T: Send + 'static>(
        body: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ToolError> {
        let body = crate::logging::carry_to_thread(body);
        match tokio::task::spawn_blocking(body).await {
            Ok(value) => Ok(value),
            Err(error) => match error.try_into_panic() {
                Ok(payload) => std::panic::resume_unwind(payload),
                Err(_) => Err(ToolError::new(
                    "the tool did not run: the server is shutting down",
                )),
            },
        }
    }

    /// Boxes a component's middleware.
    #[inline]
    pub fn middleware_arc<M>(
        middleware: impl crate::middleware::IntoMiddleware<M>,
    ) -> std::sync::Arc<dyn Middleware> {
        middleware.into_middleware()
    }

    /// Checks a middleware's request type.
    pub fn check_request<R: HookRequest>() {}

    /// Checks a parameter injected into a middleware.
    pub fn check_middleware_param<T: crate::middleware::MiddlewareParam>() {}

    /// Checks the last parameter of a middleware.
    pub fn check_next<T: crate::middleware::IsNext>() {}

    /// Checks a middleware's return type against its request type.
    pub fn check_middleware_return<R: HookRequest, T: MiddlewareReturn<R>>() {}
}
