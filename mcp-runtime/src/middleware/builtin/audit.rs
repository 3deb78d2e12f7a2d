//! Built-in middleware: [`Audit`], a record of every call to a sensitive tool.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResult, Implementation, JsonObject, RequestId};
use serde_json::Value;

use super::errors::CorrelationId;
use super::logging::{Outcome, REDACTED, millis};
use crate::middleware::{Middleware, Next, ToolCall};
use crate::util::BoxFuture;

/// Where audit records go, besides `tracing`.
type Sink = Arc<dyn Fn(&AuditRecord) + Send + Sync>;

/// An audit trail of the tools marked `#[tool(sensitive)]`, with their arguments redacted.
///
/// After each call to a sensitive tool it emits an [`AuditRecord`]: as a `tracing` event
/// (target [`Audit::TARGET`], `mcp_runtime::audit`, level `INFO`, with the fields `tool`,
/// `request_id`, `client`, `outcome`, `duration_ms`, `arguments` and `correlation_id`), and to
/// the [sink](Self::with_sink), if any. Calls to other tools, and other requests, pass through
/// untouched and unrecorded.
///
/// Every argument value is replaced by `"[redacted]"` except under the keys
/// [allowed](Self::allow), at any depth: with `.allow(["id"])`, `{"id": 7, "card":
/// {"id": 9, "number": "4111…"}}` is recorded as `{"id": 7, "card": {"id": 9, "number":
/// "[redacted]"}}`. The keys themselves, and so the shape of the call, are kept.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::Audit;
///
/// /// Refund an order.
/// #[tool(sensitive)]
/// async fn refund(order_id: u64, reason: String) -> String {
///     format!("refunded {order_id}: {reason}")
/// }
///
/// let builder = Server::builder("shop")
///     .middleware(Audit::new().allow(["order_id"]).with_sink(|record| {
///         // append to the audit log store
///         let _ = record;
///     }))
///     .tools(tools![refund]);
/// ```
#[derive(Clone, Default)]
pub struct Audit {
    allow: HashSet<String>,
    sink: Option<Sink>,
}

impl Audit {
    /// The `tracing` target of the audit events.
    pub const TARGET: &'static str = "mcp_runtime::audit";

    /// Audits sensitive tools, with every argument redacted.
    pub fn new() -> Self {
        Self::default()
    }

    /// Argument keys whose values are recorded as they are (exact, case-sensitive match, at
    /// any depth).
    pub fn allow<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allow.extend(keys.into_iter().map(Into::into));
        self
    }

    /// Also hands every record to `sink` (a database, a file, a queue). It runs on the
    /// request's task, after the call and before the response is sent: keep it quick, or hand
    /// the record to a channel.
    pub fn with_sink<F>(mut self, sink: F) -> Self
    where
        F: Fn(&AuditRecord) + Send + Sync + 'static,
    {
        self.sink = Some(Arc::new(sink));
        self
    }

    fn redact(&self, arguments: &JsonObject) -> Value {
        let mut value = Value::Object(arguments.clone());
        redact_except(&mut value, &self.allow);
        value
    }
}

impl fmt::Debug for Audit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Audit")
            .field("allow", &self.allow)
            .field("sink", &self.sink.is_some())
            .finish()
    }
}

/// One call to a sensitive tool, as [`Audit`] records it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuditRecord {
    /// The tool's name.
    pub tool: String,
    /// The JSON-RPC request id.
    pub request_id: RequestId,
    /// The client's name and version, when it sent them.
    pub client: Option<Implementation>,
    /// The request's correlation id, when [`ErrorHandling`](super::ErrorHandling) runs before
    /// the audit.
    pub correlation_id: Option<CorrelationId>,
    /// When the call started.
    pub started_at: SystemTime,
    /// How long it took.
    pub duration: Duration,
    /// How it ended.
    pub outcome: Outcome,
    /// The arguments, every value redacted except under the allowed keys.
    pub arguments: Value,
}

impl Middleware for Audit {
    fn call_tool(
        &self,
        request: ToolCall,
        next: Next,
    ) -> BoxFuture<'_, Result<CallToolResult, McpError>> {
        let sensitive = request.component().is_some_and(|info| info.sensitive);
        if !sensitive {
            return Box::pin(next.run(request));
        }
        Box::pin(async move {
            let tool = request.name.clone();
            let request_id = request.request_id().clone();
            let client = request.context().client_info();
            let correlation_id = request.extensions().get::<CorrelationId>().cloned();
            let arguments = self.redact(&request.arguments);
            let started_at = SystemTime::now();
            let started = Instant::now();

            let result = next.run(request).await;

            let outcome = match &result {
                Ok(result) if result.is_error == Some(true) => Outcome::ToolError,
                Ok(_) => Outcome::Ok,
                Err(_) => Outcome::Error,
            };
            let record = AuditRecord {
                tool,
                request_id,
                client,
                correlation_id,
                started_at,
                duration: started.elapsed(),
                outcome,
                arguments,
            };
            tracing::info!(
                target: Audit::TARGET,
                tool = %record.tool,
                request_id = %record.request_id,
                client = record
                    .client
                    .as_ref()
                    .map(|client| format!("{}/{}", client.name, client.version)),
                outcome = record.outcome.as_str(),
                duration_ms = millis(record.duration),
                arguments = %record.arguments,
                correlation_id = record.correlation_id.as_ref().map(CorrelationId::as_str),
                "sensitive tool called"
            );
            if let Some(sink) = &self.sink {
                sink(&record);
            }
            result
        })
    }
}

/// Replaces every scalar in `value` with `"[redacted]"`, except under the keys in `allow`;
/// objects and arrays keep their shape.
fn redact_except(value: &mut Value, allow: &HashSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if !allow.contains(key) {
                    redact_except(value, allow);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                redact_except(item, allow);
            }
        }
        scalar => *scalar = Value::String(REDACTED.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn everything_but_allowed_keys_is_redacted() {
        let audit = Audit::new().allow(["id"]);
        let arguments = json!({
            "id": 7,
            "card": {"id": 9, "number": "4111"},
            "tags": ["a", {"id": 1, "x": true}],
        });
        let Value::Object(arguments) = arguments else {
            unreachable!()
        };
        assert_eq!(
            audit.redact(&arguments),
            json!({
                "id": 7,
                "card": {"id": 9, "number": REDACTED},
                "tags": [REDACTED, {"id": 1, "x": REDACTED}],
            })
        );
    }
}
