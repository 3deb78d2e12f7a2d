//! Built-in middleware: [`Retry`], calls to idempotent tools tried again after a failure,
//! with exponential backoff and full jitter.

use std::time::Duration;

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResult, ErrorCode};

use crate::middleware::{Middleware, Next, RequestParts, ToolCall};
use crate::util::BoxFuture;

/// Tries calls to idempotent tools again when they fail: up to `max_attempts` in all, waiting
/// between attempts.
///
/// - Only tools marked idempotent or read-only (`#[tool(annotations(idempotent))]`,
///   [`ComponentInfo::is_idempotent`](crate::middleware::ComponentInfo::is_idempotent)) are retried; any
///   other tool, and every resource read and prompt get, runs exactly once.
/// - A call is tried again after an error result (`isError: true`) or a JSON-RPC internal
///   error (`-32603`). Arguments that fail validation are not retried (they would fail again),
///   nor are other JSON-RPC errors (invalid params, refusals by [`RateLimit`](super::RateLimit)
///   or [`CircuitBreaker`](super::CircuitBreaker)).
/// - Before attempt `n + 1` it waits a random time between zero and
///   `min(max_delay, base_delay × 2ⁿ⁻¹)` ("full jitter", so clients that failed together do
///   not retry together). `max_delay` is 10 s unless set.
/// - When the client cancels the request, it stops retrying and returns the last outcome.
///
/// The caller sees the last attempt's outcome. Place `Retry` inside
/// [`Timeout`](super::Timeout) to bound all attempts together, outside it to bound each one.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::Retry;
///
/// // Up to 3 attempts; waits of up to 100 ms, then up to 200 ms.
/// let builder = Server::builder("weather").middleware(Retry::new(3, Duration::from_millis(100)));
/// ```
#[derive(Debug, Clone)]
pub struct Retry {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
}

impl Retry {
    /// Up to `max_attempts` attempts in all (`1` never retries), the first wait up to
    /// `base_delay`, each next one up to twice as long.
    pub fn new(max_attempts: u32, base_delay: Duration) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            base_delay,
            max_delay: Duration::from_secs(10),
        }
    }

    /// The longest wait between two attempts (10 s unless set).
    pub fn max_delay(mut self, max_delay: Duration) -> Self {
        self.max_delay = max_delay;
        self
    }

    /// The most to wait after the `failed`-th attempt failed.
    fn ceiling(&self, failed: u32) -> Duration {
        let factor = 1u32
            .checked_shl(failed.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.base_delay
            .checked_mul(factor)
            .unwrap_or(Duration::MAX)
            .min(self.max_delay)
    }

    /// A random wait up to [`ceiling`](Self::ceiling).
    fn delay(&self, failed: u32) -> Duration {
        let ceiling = self.ceiling(failed).as_nanos().min(u64::MAX as u128) as u64;
        Duration::from_nanos(jitter(ceiling))
    }
}

/// A number in `0..=ceiling`, spread evenly enough for jitter (not for anything secret): a
/// xorshift64* step over a seed from the clock and a process-wide counter, so two waits taken
/// in the same instant still differ.
fn jitter(ceiling: u64) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};

    static COUNTER: AtomicU64 = AtomicU64::new(0);
    if ceiling == 0 {
        return 0;
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos() as u64);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    // splitmix64 of the seed (so neighbouring seeds give unrelated states), then xorshift64*.
    let mut x = nanos ^ count.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    x |= 1; // xorshift never leaves zero
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    let random = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
    match ceiling.checked_add(1) {
        // Widening multiply: an even spread over `0..=ceiling` without a modulo bias worth
        // naming.
        Some(span) => ((u128::from(random) * u128::from(span)) >> 64) as u64,
        None => random,
    }
}

impl Middleware for Retry {
    fn call_tool(
        &self,
        request: ToolCall,
        next: Next,
    ) -> BoxFuture<'_, Result<CallToolResult, McpError>> {
        let retries =
            self.max_attempts > 1 && request.component().is_some_and(|info| info.is_idempotent());
        if !retries {
            return Box::pin(next.run(request));
        }
        Box::pin(async move {
            let cancelled = request.context().ct.clone();
            for attempt in 1..self.max_attempts {
                let outcome = fork(&next).run(copy(&request)).await;
                if !should_retry(&outcome) || cancelled.is_cancelled() {
                    return outcome;
                }
                let delay = self.delay(attempt);
                tracing::debug!(
                    target: "mcp_runtime::retry",
                    tool = %request.name,
                    attempt,
                    delay_ms = delay.as_millis() as u64,
                    "tool call failed; trying again"
                );
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = cancelled.cancelled() => return outcome,
                }
            }
            next.run(request).await
        })
    }
}

/// Whether an attempt's outcome is a failure worth another attempt.
fn should_retry(outcome: &Result<CallToolResult, McpError>) -> bool {
    match outcome {
        Ok(result) => result.is_error == Some(true) && !is_invalid_arguments(result),
        Err(error) => error.code == ErrorCode::INTERNAL_ERROR,
    }
}

/// Whether an error result reports arguments that failed validation: the caller's mistake,
/// not the tool's failure. (The text `ToolError::invalid_arguments` produces.)
pub(super) fn is_invalid_arguments(result: &CallToolResult) -> bool {
    result
        .content
        .first()
        .and_then(|content| content.as_text())
        .is_some_and(|text| text.text.starts_with("invalid arguments: "))
}

/// Another handle on the rest of the pipeline, for one more attempt.
fn fork(next: &Next) -> Next {
    Next {
        chain: next.chain.clone(),
        index: next.index,
        endpoint: next.endpoint.clone(),
    }
}

/// A copy of the call (its extensions and context included), for one more attempt.
fn copy(call: &ToolCall) -> ToolCall {
    ToolCall {
        name: call.name.clone(),
        arguments: call.arguments.clone(),
        parts: RequestParts::new(call.parts.context.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ContentBlock;

    #[test]
    fn ceilings_double_up_to_the_cap() {
        let retry = Retry::new(10, Duration::from_millis(100)).max_delay(Duration::from_secs(1));
        let ceilings: Vec<_> = (1..=6).map(|n| retry.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(retry.ceiling(200), Duration::from_secs(1), "no overflow");
        for n in 1..=6 {
            for _ in 0..100 {
                assert!(retry.delay(n) <= retry.ceiling(n));
            }
        }
    }

    #[test]
    fn delays_are_jittered() {
        let retry = Retry::new(3, Duration::from_secs(1));
        let delays: std::collections::HashSet<_> = (0..20).map(|_| retry.delay(1)).collect();
        assert!(delays.len() > 1, "{delays:?}");
    }

    #[test]
    fn jitter_covers_its_range() {
        assert_eq!(jitter(0), 0);
        let mut buckets = [0u32; 10];
        for _ in 0..10_000 {
            let value = jitter(999);
            assert!(value <= 999);
            buckets[(value / 100) as usize] += 1;
        }
        // Each tenth of the range gets about 1000; a broken generator piles them up.
        assert!(
            buckets.iter().all(|&n| (700..1300).contains(&n)),
            "{buckets:?}"
        );
        assert!(jitter(u64::MAX) > 0 || jitter(u64::MAX) > 0);
    }

    #[test]
    fn what_is_retried() {
        assert!(should_retry(&Ok(CallToolResult::error(vec![
            ContentBlock::text("upstream unavailable")
        ]))));
        assert!(!should_retry(&Ok(CallToolResult::error(vec![
            ContentBlock::text("invalid arguments: `id` is a required property")
        ]))));
        assert!(!should_retry(&Ok(CallToolResult::success(vec![]))));
        assert!(should_retry(&Err(McpError::internal_error("boom", None))));
        assert!(!should_retry(&Err(McpError::invalid_params("bad", None))));
    }
}
