//! Built-in middleware: [`CircuitBreaker`], a component that keeps failing is rested for a
//! while instead of being called again and again.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp::ErrorData as McpError;
use rmcp::model::ErrorCode;
use serde_json::json;
use tokio::time::Instant;

use super::retry::is_invalid_arguments;
use crate::middleware::{ComponentKind, Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// A circuit breaker per component (tool, resource or resource template, prompt).
///
/// - **Closed** (the normal state): requests run. Each failure counts; a success resets the
///   count. After `failure_threshold` failures in a row, the circuit opens.
/// - **Open**: requests are refused at once, without running the component, with a JSON-RPC
///   error, code [`CircuitBreaker::ERROR_CODE`] (`-32000`), a message that says when it will be
///   tried again ("the tool `fetch` is unavailable after 5 failures in a row: retry in 28.4s")
///   and `data` `{"reason": "circuit_open", "kind", "component", "retry_after_ms"}`.
/// - **Half-open**, once `cool_down` has passed: one trial request runs (others are still
///   refused while it does). If it succeeds the circuit closes; if it fails it opens again for
///   another `cool_down`.
///
/// A failure is an error result (`isError: true`), or a JSON-RPC error other than the caller's
/// mistakes (invalid params, unknown method or resource) and refusals by other built-ins
/// ([`RateLimit`](super::RateLimit), another breaker). Arguments that fail validation are the
/// caller's mistake too. Those, and requests the client cancels, neither count as failures nor
/// reset the count.
///
/// A resource template is one component: all its URIs share a circuit. Requests for unknown
/// components and lists pass through.
///
/// Clones share their circuits.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::CircuitBreaker;
///
/// // Five failures in a row rest a component for 30 seconds.
/// let builder =
///     Server::builder("gateway").middleware(CircuitBreaker::new(5, Duration::from_secs(30)));
/// ```
#[derive(Clone)]
pub struct CircuitBreaker {
    failure_threshold: u32,
    cool_down: Duration,
    circuits: Arc<Mutex<HashMap<(ComponentKind, String), Circuit>>>,
}

/// One component's circuit.
#[derive(Debug, Default)]
struct Circuit {
    /// Failures in a row.
    failures: u32,
    /// While open: when a trial request may run.
    open_until: Option<Instant>,
    /// A trial request is running.
    probing: bool,
}

/// How a request ended, for its circuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Failure,
    /// Neither: the caller's mistake, or the request was cancelled.
    Neutral,
}

impl CircuitBreaker {
    /// The JSON-RPC error code of a refused request: `-32000`, a server-defined error.
    /// `data.reason` is `"circuit_open"`.
    pub const ERROR_CODE: i32 = crate::error::codes::UNAVAILABLE;

    /// Opens a component's circuit after `failure_threshold` failures in a row (at least 1),
    /// and tries it again after `cool_down`.
    pub fn new(failure_threshold: u32, cool_down: Duration) -> Self {
        Self {
            failure_threshold: failure_threshold.max(1),
            cool_down,
            circuits: Arc::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(ComponentKind, String), Circuit>> {
        self.circuits.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets a request through (`Ok(is_trial)`), or says how long until one may run.
    fn admit(&self, key: &(ComponentKind, String)) -> Result<bool, Duration> {
        let mut circuits = self.lock();
        let Some(circuit) = circuits.get_mut(key) else {
            return Ok(false);
        };
        let Some(open_until) = circuit.open_until else {
            return Ok(false);
        };
        let now = Instant::now();
        if now < open_until {
            return Err(open_until - now);
        }
        if circuit.probing {
            // A trial is running: it will close the circuit or rest it another cool-down.
            return Err(self.cool_down);
        }
        circuit.probing = true;
        Ok(true)
    }

    fn record(&self, key: &(ComponentKind, String), trial: bool, outcome: Outcome) {
        let mut circuits = self.lock();
        if outcome == Outcome::Success {
            // Closed circuits with no failures are the default: keep the map small.
            circuits.remove(key);
            return;
        }
        let circuit = circuits.entry(key.clone()).or_default();
        if trial {
            circuit.probing = false;
        }
        if outcome == Outcome::Failure {
            circuit.failures = circuit.failures.saturating_add(1);
            if trial || circuit.failures >= self.failure_threshold {
                if circuit.open_until.is_none() || trial {
                    tracing::warn!(
                        target: "mcp_runtime::circuit",
                        component = %key.1,
                        failures = circuit.failures,
                        cool_down_ms = self.cool_down.as_millis() as u64,
                        "circuit opened"
                    );
                }
                circuit.open_until = Some(Instant::now() + self.cool_down);
            }
        }
    }
}

impl fmt::Debug for CircuitBreaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreaker")
            .field("failure_threshold", &self.failure_threshold)
            .field("cool_down", &self.cool_down)
            .field("tracked", &self.lock().len())
            .finish()
    }
}

impl Middleware for CircuitBreaker {
    fn on_request(
        &self,
        request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        let Some(info) = request.component() else {
            return next.run_request(request);
        };
        let key = (info.kind, info.name.clone());
        let trial = match self.admit(&key) {
            Ok(trial) => trial,
            Err(wait) => {
                let failures = self.lock().get(&key).map_or(0, |c| c.failures);
                return Box::pin(std::future::ready(Err(refusal(&key, failures, wait))));
            }
        };
        let run = next.run_request(request);
        Box::pin(async move {
            // Records a cancelled request as neutral, so a cancelled trial frees the slot.
            let mut pending = Pending {
                breaker: self,
                key,
                trial,
                done: false,
            };
            let response = run.await;
            pending.done = true;
            self.record(&pending.key, trial, outcome(&response));
            response
        })
    }
}

/// A request under way; dropped before it is done, it counts as neutral.
struct Pending<'a> {
    breaker: &'a CircuitBreaker,
    key: (ComponentKind, String),
    trial: bool,
    done: bool,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.breaker.record(&self.key, self.trial, Outcome::Neutral);
        }
    }
}

fn outcome(response: &Result<Response, McpError>) -> Outcome {
    match response {
        Ok(Response::CallTool(result)) if result.is_error == Some(true) => {
            if is_invalid_arguments(result) {
                Outcome::Neutral
            } else {
                Outcome::Failure
            }
        }
        Ok(_) => Outcome::Success,
        Err(error) => {
            let callers_mistake = [
                ErrorCode::INVALID_PARAMS,
                ErrorCode::INVALID_REQUEST,
                ErrorCode::METHOD_NOT_FOUND,
                ErrorCode::RESOURCE_NOT_FOUND,
            ]
            .contains(&error.code);
            let refusal = error
                .data
                .as_ref()
                .and_then(|data| data.get("reason"))
                .and_then(|reason| reason.as_str())
                .is_some_and(|reason| matches!(reason, "rate_limited" | "circuit_open"));
            if callers_mistake || refusal {
                Outcome::Neutral
            } else {
                Outcome::Failure
            }
        }
    }
}

fn refusal((kind, name): &(ComponentKind, String), failures: u32, wait: Duration) -> McpError {
    let kind = kind.noun();
    tracing::debug!(
        target: "mcp_runtime::circuit",
        component = %name,
        retry_after_ms = millis(wait),
        "request refused: circuit open"
    );
    McpError::new(
        ErrorCode(CircuitBreaker::ERROR_CODE),
        format!(
            "the {kind} `{name}` is unavailable after {failures} failures in a row: retry in {}",
            retry_hint(wait)
        ),
        Some(json!({
            "reason": "circuit_open",
            "kind": kind,
            "component": name,
            "retry_after_ms": millis(wait),
        })),
    )
}

/// Whole milliseconds, rounded up (waiting that long is enough), at least 1.
pub(super) fn millis(wait: Duration) -> u64 {
    (wait.as_nanos().div_ceil(1_000_000) as u64).max(1)
}

/// `0.4s`, `2s`, `12.5s`: a wait in tenths of a second, rounded up.
pub(super) fn retry_hint(wait: Duration) -> String {
    let tenths = wait.as_nanos().div_ceil(100_000_000).max(1);
    if tenths.is_multiple_of(10) {
        format!("{}s", tenths / 10)
    } else {
        format!("{}.{}s", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> (ComponentKind, String) {
        (ComponentKind::Tool, "t".to_owned())
    }

    #[test]
    fn opens_half_opens_and_closes() {
        let cool_down = Duration::from_millis(30);
        let breaker = CircuitBreaker::new(2, cool_down);
        assert_eq!(breaker.admit(&key()), Ok(false));
        breaker.record(&key(), false, Outcome::Failure);
        assert_eq!(
            breaker.admit(&key()),
            Ok(false),
            "one failure is not enough"
        );
        breaker.record(&key(), false, Outcome::Neutral);
        assert_eq!(
            breaker.admit(&key()),
            Ok(false),
            "neutral outcomes do not count"
        );
        breaker.record(&key(), false, Outcome::Failure);
        assert!(breaker.admit(&key()).is_err(), "two failures open it");

        std::thread::sleep(cool_down * 2);
        assert_eq!(
            breaker.admit(&key()),
            Ok(true),
            "a trial after the cool-down"
        );
        assert!(breaker.admit(&key()).is_err(), "one trial at a time");
        breaker.record(&key(), true, Outcome::Failure);
        assert!(breaker.admit(&key()).is_err(), "a failed trial reopens it");

        std::thread::sleep(cool_down * 2);
        assert_eq!(breaker.admit(&key()), Ok(true));
        breaker.record(&key(), true, Outcome::Neutral);
        assert_eq!(
            breaker.admit(&key()),
            Ok(true),
            "a cancelled trial frees the slot"
        );
        breaker.record(&key(), true, Outcome::Success);
        assert_eq!(
            breaker.admit(&key()),
            Ok(false),
            "a successful trial closes it"
        );
        assert!(breaker.lock().is_empty());
    }
}
