//! Built-in middleware: [`Timeout`], a time limit on every component request.

use std::time::Duration;

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResult, ContentBlock};
use serde_json::json;

use crate::error::format_duration;
use crate::middleware::{Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// A time limit on tool calls, resource reads and prompt gets: a tool's own
/// `#[tool(timeout = "…")]` when it has one, the default given to [`Timeout::new`] otherwise.
///
/// Tools have a limit without this middleware: the server's default tool timeout
/// ([`ServerBuilder::default_timeout`](crate::ServerBuilder::default_timeout), the
/// `timeout.default` setting, 60 seconds when nothing sets it), enforced by the server around
/// the tool alone. Add this middleware to limit resource reads and prompt gets too, or to make
/// the limit cover the middleware inside it. A tool call that passes through it takes its
/// default instead of the server's, longer or shorter.
///
/// The limit covers everything from this middleware inwards (the middleware after it, the
/// component's own middleware, the component). When it passes:
///
/// A component's own timeout (`timeout = "…"` on `#[tool]`, `#[resource]` or `#[prompt]`) is
/// enforced by the server around the component alone, with or without this middleware, with
/// the same errors.
///
/// 1. the rest of the pipeline is dropped, and the request's cancellation token cancelled, so
///    whatever holds on to it (work the tool handed its [`Ctx`](crate::Ctx)'s
///    [`CancellationToken`](tokio_util::sync::CancellationToken) to) sees the call was
///    abandoned, before the client gets the answer;
/// 2. a warning is logged (target `mcp_runtime::timeout`);
/// 3. a tool call gets an error result (`isError: true`) such as "the tool `slow` timed out
///    after 5s", the same text as the tool's own timeout gives; a resource read or prompt
///    get gets a JSON-RPC internal error (`-32603`) "reading `notes://7` timed out after 5s",
///    with `data` `{"reason": "timeout", "timeout_ms", "uri" | "prompt"}`.
///
/// Lists are not limited: they are served from memory.
///
/// Placed outside a middleware that retries, the limit bounds all attempts together; inside
/// it, each attempt.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::Timeout;
///
/// let builder = Server::builder("notes").middleware(Timeout::new(Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone)]
pub struct Timeout {
    default: Duration,
    tools_only: bool,
}

impl Timeout {
    /// Limits every tool call, resource read and prompt get without a timeout of its own to
    /// `default`.
    pub fn new(default: Duration) -> Self {
        Self {
            default,
            tools_only: false,
        }
    }

    /// Limits tool calls only; resource reads and prompt gets pass through.
    pub fn tools_only(mut self) -> Self {
        self.tools_only = true;
        self
    }

    /// The default of the `Timeout` a request passed through, if any: the server uses it
    /// for the tool instead of its own default.
    pub(crate) fn default_of(extensions: &rmcp::model::Extensions) -> Option<Duration> {
        extensions.get::<PassedThrough>().map(|passed| passed.0)
    }
}

/// Attached to a tool call by [`Timeout`]: its default, which the server then applies around
/// the tool in place of the server's default.
#[derive(Clone, Copy)]
struct PassedThrough(Duration);

impl Middleware for Timeout {
    fn on_request(
        &self,
        mut request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        if let Request::CallTool(call) = &mut request {
            call.extensions_mut().insert(PassedThrough(self.default));
        }
        let timed_out = match &request {
            Request::CallTool(call) => TimedOut::Tool(call.name.clone()),
            Request::ReadResource(read) if !self.tools_only => TimedOut::Resource(read.uri.clone()),
            Request::GetPrompt(get) if !self.tools_only => TimedOut::Prompt(get.name.clone()),
            _ => return next.run_request(request),
        };
        let limit = request
            .component()
            .and_then(|info| info.timeout)
            .unwrap_or(self.default);
        let cancel = request.context().ct.clone();
        let method = request.method();
        let run = next.run_request(request);
        Box::pin(async move {
            match tokio::time::timeout(limit, run).await {
                Ok(result) => result,
                Err(_) => {
                    cancel.cancel();
                    let limit_text = format_duration(limit);
                    tracing::warn!(
                        target: "mcp_runtime::timeout",
                        method,
                        component = timed_out.name(),
                        timeout_ms = limit.as_millis() as u64,
                        "request timed out"
                    );
                    timed_out.into_result(&limit_text, limit)
                }
            }
        })
    }
}

/// What timed out.
enum TimedOut {
    Tool(String),
    Resource(String),
    Prompt(String),
}

impl TimedOut {
    fn name(&self) -> &str {
        match self {
            TimedOut::Tool(name) | TimedOut::Resource(name) | TimedOut::Prompt(name) => name,
        }
    }

    fn into_result(self, limit_text: &str, limit: Duration) -> Result<Response, McpError> {
        match self {
            TimedOut::Tool(name) => Ok(Response::CallTool(CallToolResult::error(vec![
                ContentBlock::text(format!("the tool `{name}` timed out after {limit_text}")),
            ]))),
            TimedOut::Resource(uri) => Err(resource_timed_out(&uri, limit)),
            TimedOut::Prompt(name) => Err(prompt_timed_out(&name, limit)),
        }
    }
}

/// The error of a resource read that ran past `limit` (this middleware's, or the resource's
/// own `timeout`, which the server enforces).
pub(crate) fn resource_timed_out(uri: &str, limit: Duration) -> McpError {
    McpError::internal_error(
        format!("reading `{uri}` timed out after {}", format_duration(limit)),
        Some(json!({ "reason": "timeout", "timeout_ms": limit.as_millis() as u64, "uri": uri })),
    )
}

/// The error of a prompt get that ran past `limit`.
pub(crate) fn prompt_timed_out(name: &str, limit: Duration) -> McpError {
    McpError::internal_error(
        format!(
            "the prompt `{name}` timed out after {}",
            format_duration(limit)
        ),
        Some(
            json!({ "reason": "timeout", "timeout_ms": limit.as_millis() as u64, "prompt": name }),
        ),
    )
}
