//! Built-in middleware: [`ErrorHandling`], consistent errors with a correlation id.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use futures::FutureExt;
use rmcp::ErrorData as McpError;
use rmcp::model::{ContentBlock, ErrorCode};
use serde_json::{Value, json};
use tracing::Instrument;

use crate::middleware::{Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// What the server and the built-in middleware show for an internal failure.
const MASKED: &str = "internal error";

/// Keys of `data` that mark an internal error (`-32603`) as deliberate: the server's resource
/// and prompt errors (`uri`, `prompt`) and the built-in middleware's (`tool`, `reason`).
const DELIBERATE_KEYS: &[&str] = &["uri", "prompt", "tool", "reason"];

/// Consistent, safe errors, each tied to the server's logs by a correlation id.
///
/// Add it first (outermost), so it sees what every other middleware does. For every request it
///
/// - gives the request a [`CorrelationId`]: attached as a typed extension (tools may take
///   `Extension<CorrelationId>`), and recorded as the `correlation_id` field of a `tracing`
///   span (`mcp_request`, target [`ErrorHandling::TARGET`]) around the rest of the pipeline, so
///   every log line of the request, the server's own included, carries it;
/// - catches a panic anywhere after it (another middleware, routing; components' panics are
///   already caught by the server). Without this, a panicking middleware leaves the client
///   waiting for an answer that never comes; with it, the client gets `-32603 internal error
///   (ref …)` and the panic is logged;
/// - masks *unexpected* internal errors: a `-32603` error raised by a middleware (its `?`, a
///   bug, an injected parameter that failed) is logged in full at `ERROR` and reaches the client
///   as `internal error (ref 5f2c81a09d3e4b71)`, with `data` `{"correlation_id": …}` and
///   nothing else, unless internal errors are shown;
/// - leaves *deliberate* errors as they are: every code other than `-32603` (`-32602` invalid
///   params, `-32002` resource not found, …) with its message and data, and `-32603` errors
///   whose `data` names what failed (`uri`, `prompt`, `tool` or `reason`): those are the
///   server's resource and prompt errors, which already follow the server's masking setting,
///   and the built-in middleware's timeouts and size limits. Their `data` gains the
///   `correlation_id`;
/// - appends the reference to what the server already masked: a `-32603` "internal error",
///   and a tool's error result whose only text is "internal error" (a tool's internal error or
///   panic), become "internal error (ref …)".
///
/// Whether internal errors are shown follows the server's
/// [`mask_internal_errors`](crate::ServerBuilder::mask_internal_errors) (masked by default)
/// unless [`show_internal`](Self::show_internal) says otherwise.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::{ErrorHandling, Logging};
///
/// let builder = Server::builder("notes")
///     .middleware(ErrorHandling::new())
///     .middleware(Logging::new());
/// ```
#[derive(Debug, Clone, Default)]
pub struct ErrorHandling {
    show_internal: Option<bool>,
}

impl ErrorHandling {
    /// The `tracing` target of the span and of the error events.
    pub const TARGET: &'static str = "mcp_runtime::errors";

    /// Masks unexpected internal errors as the server masks its own.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether unexpected internal errors and panics reach the client with their message
    /// (`true`, for development) or as `internal error (ref …)` (`false`). By default, as the
    /// server's [`mask_internal_errors`](crate::ServerBuilder::mask_internal_errors) says.
    pub fn show_internal(mut self, show: bool) -> Self {
        self.show_internal = Some(show);
        self
    }
}

/// The id that ties a request's error, as the client sees it, to the server's logs. Attached
/// to each request by [`ErrorHandling`]; tools can take `Extension<CorrelationId>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CorrelationId(Arc<str>);

impl CorrelationId {
    /// A new id: 16 hexadecimal digits, unique in practice across processes.
    pub fn new() -> Self {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        static KEYS: OnceLock<RandomState> = OnceLock::new();
        let mut hasher = KEYS.get_or_init(RandomState::new).build_hasher();
        hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        // `format!("{:016x}")` without the formatting machinery (one id per request).
        let mut value = hasher.finish();
        let mut text = [b'0'; 16];
        for digit in text.iter_mut().rev() {
            *digit = b"0123456789abcdef"[(value & 0xf) as usize];
            value >>= 4;
        }
        // Hexadecimal digits only: the check cannot fail.
        Self(Arc::from(std::str::from_utf8(&text).unwrap_or_default()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CorrelationId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for CorrelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Middleware for ErrorHandling {
    fn on_request(
        &self,
        mut request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        let id = match request.extensions().get::<CorrelationId>() {
            Some(id) => id.clone(),
            None => {
                let id = CorrelationId::new();
                request.extensions_mut().insert(id.clone());
                id
            }
        };
        let show = self
            .show_internal
            .or_else(|| request.masks_internal_errors().map(|mask| !mask))
            .unwrap_or(false);
        let method = request.method();
        let component = request.target().unwrap_or_default().to_owned();
        // A DEBUG span: the request's own log line (Logging) already carries the correlation
        // id, method and component; at `info` this span costs nothing, at `debug` every event
        // inside the request (the tool's too) carries the id.
        let span = tracing::debug_span!(
            target: ErrorHandling::TARGET,
            "mcp_request",
            correlation_id = %id,
        );
        // Built inside the guarded future, so a panic while routing is caught too.
        let run = AssertUnwindSafe(async move { next.run_request(request).await });
        Box::pin(
            async move {
                let reference = Reference {
                    id: &id,
                    show,
                    method,
                    component: &component,
                };
                match run.catch_unwind().await {
                    Ok(Ok(response)) => Ok(reference.tag_result(response)),
                    Ok(Err(error)) => Err(reference.error(error)),
                    Err(payload) => Err(reference.panic(panic_message(payload.as_ref()))),
                }
            }
            .instrument(span),
        )
    }
}

/// What the error of one request is tied to.
struct Reference<'a> {
    id: &'a CorrelationId,
    show: bool,
    method: &'static str,
    component: &'a str,
}

impl Reference<'_> {
    fn masked(&self) -> String {
        format!("{MASKED} (ref {})", self.id)
    }

    /// Appends the reference to a tool's masked error result.
    fn tag_result(&self, mut response: Response) -> Response {
        if let Response::CallTool(result) = &mut response
            && result.is_error == Some(true)
            && let [only] = result.content.as_mut_slice()
            && let ContentBlock::Text(text) = only
            && text.text == MASKED
        {
            text.text = self.masked();
        }
        response
    }

    fn error(&self, mut error: McpError) -> McpError {
        if error.code != ErrorCode::INTERNAL_ERROR {
            return error;
        }
        let deliberate = error
            .data
            .as_ref()
            .and_then(Value::as_object)
            .is_some_and(|data| DELIBERATE_KEYS.iter().any(|key| data.contains_key(*key)));
        if deliberate {
            if error.message == MASKED {
                error.message = self.masked().into();
            }
            if let Some(Value::Object(data)) = &mut error.data {
                data.insert("correlation_id".to_owned(), json!(self.id.as_str()));
            }
            return error;
        }
        tracing::error!(
            target: ErrorHandling::TARGET,
            correlation_id = %self.id,
            method = self.method,
            component = self.component,
            error = %error.message,
            data = ?error.data,
            "unexpected internal error"
        );
        if !self.show {
            return McpError::internal_error(
                self.masked(),
                Some(json!({ "correlation_id": self.id.as_str() })),
            );
        }
        error.data = Some(match error.data.take() {
            None => json!({ "correlation_id": self.id.as_str() }),
            Some(Value::Object(mut data)) => {
                data.insert("correlation_id".to_owned(), json!(self.id.as_str()));
                Value::Object(data)
            }
            Some(other) => json!({ "correlation_id": self.id.as_str(), "data": other }),
        });
        error
    }

    fn panic(&self, message: String) -> McpError {
        tracing::error!(
            target: ErrorHandling::TARGET,
            correlation_id = %self.id,
            method = self.method,
            component = self.component,
            panic = %message,
            "a middleware panicked"
        );
        let text = if self.show {
            format!("a middleware panicked: {message} (ref {})", self.id)
        } else {
            self.masked()
        };
        McpError::internal_error(text, Some(json!({ "correlation_id": self.id.as_str() })))
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlation_ids_are_distinct_hex() {
        let a = CorrelationId::new();
        let b = CorrelationId::new();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 16);
        assert!(a.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        // Lower-case, and every digit used across a few ids (no digit stuck at one value).
        let ids: Vec<CorrelationId> = (0..64).map(|_| CorrelationId::new()).collect();
        for id in &ids {
            assert!(!id.as_str().chars().any(|c| c.is_ascii_uppercase()), "{id}");
        }
        for position in 0..16 {
            let seen: std::collections::HashSet<u8> = ids
                .iter()
                .map(|id| id.as_str().as_bytes()[position])
                .collect();
            assert!(seen.len() > 4, "digit {position} barely varies: {seen:?}");
        }
    }
}
