//! Built-in middleware: [`Timing`], how long each request takes.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rmcp::ErrorData as McpError;

use super::logging::{Outcome, millis};
use crate::middleware::{Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// A callback given every measured duration: method, component, duration.
type Recorder = Arc<dyn Fn(&str, Option<&str>, Duration) + Send + Sync>;

/// Measures how long each request takes, from this middleware inwards (so add it first to time
/// the whole pipeline).
///
/// Each duration is
/// - emitted as a `tracing` event with target [`Timing::TARGET`] (`mcp_runtime::timing`) at
///   `INFO`, with the fields `method`, `component` (empty for lists), `duration_ms` and
///   `outcome`; or at `WARN` when it exceeds the [`slow`](Self::slow) threshold;
/// - passed to the [`on_record`](Self::on_record) callback, if any, to feed a histogram.
///
/// The duration is not added to the response: MCP has no standard `_meta` key for it.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::Timing;
///
/// let builder = Server::builder("notes").middleware(
///     Timing::new()
///         .slow(Duration::from_secs(2))
///         .on_record(|method, component, duration| {
///             // metrics::histogram!("mcp_request_seconds", …).record(duration.as_secs_f64());
///             let _ = (method, component, duration);
///         }),
/// );
/// ```
#[derive(Clone, Default)]
pub struct Timing {
    record: Option<Recorder>,
    slow: Option<Duration>,
}

impl Timing {
    /// The `tracing` target of the events.
    pub const TARGET: &'static str = "mcp_runtime::timing";

    /// Times every request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls `record(method, component, duration)` after every request (component: the tool
    /// or prompt name, or the resource URI; `None` for lists). It runs on the request's task:
    /// keep it quick.
    pub fn on_record<F>(mut self, record: F) -> Self
    where
        F: Fn(&str, Option<&str>, Duration) + Send + Sync + 'static,
    {
        self.record = Some(Arc::new(record));
        self
    }

    /// Requests slower than `threshold` are logged at `WARN` rather than `INFO`.
    pub fn slow(mut self, threshold: Duration) -> Self {
        self.slow = Some(threshold);
        self
    }
}

impl fmt::Debug for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timing")
            .field("on_record", &self.record.is_some())
            .field("slow", &self.slow)
            .finish()
    }
}

impl Middleware for Timing {
    fn on_request(
        &self,
        request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        Box::pin(async move {
            let method = request.method();
            let component = request.target().map(str::to_owned);
            let started = Instant::now();
            let result = next.run_request(request).await;
            let duration = started.elapsed();

            if let Some(record) = &self.record {
                record(method, component.as_deref(), duration);
            }
            let component = component.as_deref().unwrap_or_default();
            let duration_ms = millis(duration);
            let outcome = Outcome::of(&result).as_str();
            if self.slow.is_some_and(|slow| duration > slow) {
                tracing::warn!(target: Timing::TARGET, method, component, duration_ms, outcome, "slow request");
            } else {
                // DEBUG: at `info`, Logging's line already says how long each request took.
                tracing::debug!(target: Timing::TARGET, method, component, duration_ms, outcome, "request timed");
            }
            result
        })
    }
}
