//! Built-in middleware: [`RateLimit`], token buckets per client and for the whole server, each
//! client known by its [`ClientKey`].

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use rmcp::ErrorData as McpError;
use rmcp::model::ErrorCode;
use serde_json::json;

use super::circuit::{millis, retry_hint};
use super::client_key::ClientKey;
use crate::middleware::{Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// Rate limits on tool calls, resource reads and prompt gets: a token bucket per client
/// ([`per_client`](Self::per_client), keyed by a [`ClientKey`]), one for the whole server
/// ([`global`](Self::global)), or both.
///
/// Each bucket holds up to `burst` tokens and refills at `per_second` tokens a second (GCRA,
/// through `governor`); a request takes one token. Lists are not limited: they are served
/// from memory.
///
/// A refused request, whatever its kind, gets a JSON-RPC error (not a tool error result: the
/// call did not run, and the caller should wait rather than change its arguments) with code
/// [`RateLimit::ERROR_CODE`] (`-32000`, the JSON-RPC range for server-defined errors), a
/// message that says when to retry (`rate limit exceeded for this client: retry in 0.4s`) and
/// `data` `{"reason": "rate_limited", "scope": "client" | "global", "retry_after_ms": 400}`.
///
/// The per-client bucket is checked first, so a client refused by its own limit does not use
/// up the server's. Buckets of clients that have gone quiet are dropped as new requests come
/// in, so memory stays bounded by the clients active within one refill period.
///
/// Clones share their buckets. The buckets live in memory, per process: behind a load
/// balancer, divide the limits by the number of replicas.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::RateLimit;
///
/// // Per connection: 5 requests a second, bursts of 10; the server: 100 a second.
/// let limit = RateLimit::per_client(5.0, 10).and_global(100.0, 100);
/// let builder = Server::builder("notes").middleware(limit);
/// ```
#[derive(Clone)]
pub struct RateLimit {
    key: ClientKey,
    per_client: Option<Arc<DefaultKeyedRateLimiter<String>>>,
    global: Option<Arc<DefaultDirectRateLimiter>>,
    upkeep: Arc<Upkeep>,
}

/// When to drop the buckets of quiet clients next.
#[derive(Default)]
struct Upkeep {
    checks: AtomicU64,
    next: AtomicU64,
}

/// Drop quiet clients' buckets every this many requests at least (more when there are more
/// clients, so the work stays constant per request).
const UPKEEP_EVERY: u64 = 1024;

impl RateLimit {
    /// The JSON-RPC error code of a refused request: `-32000`, a server-defined error.
    /// `data.reason` is `"rate_limited"`.
    pub const ERROR_CODE: i32 = crate::error::codes::UNAVAILABLE;

    /// A bucket per client (by default per caller, see [`key`](Self::key)): `per_second`
    /// requests a second on average, up to `burst` at once.
    ///
    /// # Panics
    /// If `per_second` is not a positive finite number or `burst` is zero.
    pub fn per_client(per_second: f64, burst: u32) -> Self {
        Self {
            key: ClientKey::caller(),
            per_client: Some(Arc::new(RateLimiter::keyed(quota(per_second, burst)))),
            global: None,
            upkeep: Arc::default(),
        }
    }

    /// One bucket for the whole server: `per_second` requests a second on average, up to
    /// `burst` at once, whoever sends them.
    ///
    /// # Panics
    /// If `per_second` is not a positive finite number or `burst` is zero.
    pub fn global(per_second: f64, burst: u32) -> Self {
        Self {
            key: ClientKey::caller(),
            per_client: None,
            global: Some(Arc::new(RateLimiter::direct(quota(per_second, burst)))),
            upkeep: Arc::default(),
        }
    }

    /// Adds a server-wide bucket to a per-client limit (or replaces the global bucket).
    ///
    /// # Panics
    /// As [`global`](Self::global).
    pub fn and_global(mut self, per_second: f64, burst: u32) -> Self {
        self.global = Some(Arc::new(RateLimiter::direct(quota(per_second, burst))));
        self
    }

    /// Adds a per-client bucket to a global limit (or replaces the per-client buckets).
    ///
    /// # Panics
    /// As [`per_client`](Self::per_client).
    pub fn and_per_client(mut self, per_second: f64, burst: u32) -> Self {
        self.per_client = Some(Arc::new(RateLimiter::keyed(quota(per_second, burst))));
        self
    }

    /// Who a client is: [`ClientKey::caller`] unless set. Requests whose key is `None` share
    /// one anonymous bucket.
    pub fn key(mut self, key: ClientKey) -> Self {
        self.key = key;
        self
    }

    /// Keys clients by `f`: shorthand for `.key(ClientKey::from_fn(f))`.
    pub fn keyed_by<F>(self, f: F) -> Self
    where
        F: Fn(&Request) -> Option<String> + Send + Sync + 'static,
    {
        self.key(ClientKey::from_fn(f))
    }

    /// Takes a token, or says how long to wait for one.
    fn check(&self, request: &Request) -> Result<(), Refused> {
        if let Some(limiter) = &self.per_client {
            self.upkeep(limiter);
            let key = self.key.key_of(request).unwrap_or_default();
            if let Err(not_until) = limiter.check_key(&key) {
                return Err(Refused {
                    scope: Scope::Client,
                    wait: not_until.wait_time_from(limiter.clock().now()),
                });
            }
        }
        if let Some(limiter) = &self.global
            && let Err(not_until) = limiter.check()
        {
            return Err(Refused {
                scope: Scope::Global,
                wait: not_until.wait_time_from(limiter.clock().now()),
            });
        }
        Ok(())
    }

    /// Now and then, drops the buckets of clients that are back to full (governor's
    /// `retain_recent`): amortized, a constant amount of work per request.
    fn upkeep(&self, limiter: &DefaultKeyedRateLimiter<String>) {
        let checks = self.upkeep.checks.fetch_add(1, Ordering::Relaxed) + 1;
        let next = self.upkeep.next.load(Ordering::Relaxed);
        if checks < next.max(UPKEEP_EVERY) {
            return;
        }
        let after = checks + UPKEEP_EVERY.max(limiter.len() as u64);
        // One caller wins the slot; the others carry on.
        if self
            .upkeep
            .next
            .compare_exchange(next, after, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

impl fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimit")
            .field("key", &self.key)
            .field("per_client", &self.per_client.is_some())
            .field("global", &self.global.is_some())
            .finish()
    }
}

impl Middleware for RateLimit {
    fn on_request(
        &self,
        request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        if request.target().is_none() {
            return next.run_request(request);
        }
        match self.check(&request) {
            Ok(()) => next.run_request(request),
            Err(refused) => {
                tracing::debug!(
                    target: "mcp_runtime::rate_limit",
                    method = request.method(),
                    component = request.target(),
                    scope = refused.scope.as_str(),
                    retry_after_ms = millis(refused.wait),
                    "request refused by the rate limit"
                );
                Box::pin(std::future::ready(Err(refused.into_error())))
            }
        }
    }
}

/// Which bucket was empty.
#[derive(Debug, Clone, Copy)]
enum Scope {
    Client,
    Global,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Client => "client",
            Scope::Global => "global",
        }
    }
}

struct Refused {
    scope: Scope,
    wait: Duration,
}

impl Refused {
    fn into_error(self) -> McpError {
        let whose = match self.scope {
            Scope::Client => "rate limit exceeded for this client",
            Scope::Global => "server rate limit exceeded",
        };
        McpError::new(
            ErrorCode(RateLimit::ERROR_CODE),
            format!("{whose}: retry in {}", retry_hint(self.wait)),
            Some(json!({
                "reason": "rate_limited",
                "scope": self.scope.as_str(),
                "retry_after_ms": millis(self.wait),
            })),
        )
    }
}

/// A quota of `per_second` tokens a second, `burst` at most.
fn quota(per_second: f64, burst: u32) -> Quota {
    assert!(
        per_second.is_finite() && per_second > 0.0,
        "a rate limit needs a positive, finite number of requests per second, not {per_second}"
    );
    let burst = NonZeroU32::new(burst).expect("a rate limit needs a burst of at least 1");
    // Between a nanosecond and a year per token: governor counts in u64 nanoseconds.
    const YEAR: f64 = 365.0 * 24.0 * 3600.0;
    let period = Duration::from_secs_f64((1.0 / per_second).clamp(1e-9, YEAR));
    Quota::with_period(period)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
        .allow_burst(burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_hints_round_up_to_tenths() {
        assert_eq!(retry_hint(Duration::from_millis(1)), "0.1s");
        assert_eq!(retry_hint(Duration::from_millis(351)), "0.4s");
        assert_eq!(retry_hint(Duration::from_millis(2000)), "2s");
        assert_eq!(retry_hint(Duration::from_millis(12_450)), "12.5s");
        assert_eq!(millis(Duration::from_micros(400_001)), 401);
        assert_eq!(millis(Duration::ZERO), 1);
    }

    #[test]
    fn quotas_follow_the_rate_and_burst() {
        let q = quota(4.0, 8);
        assert_eq!(q.replenish_interval(), Duration::from_millis(250));
        assert_eq!(q.burst_size().get(), 8);
        // A very slow rate is clamped rather than overflowing.
        assert!(quota(1e-12, 1).replenish_interval() <= Duration::from_secs(366 * 24 * 3600));
    }

    #[test]
    #[should_panic(expected = "positive, finite")]
    fn a_zero_rate_is_refused() {
        let _ = quota(0.0, 1);
    }

    #[test]
    fn upkeep_drops_quiet_clients() {
        let limit = RateLimit::per_client(1000.0, 1);
        let limiter = limit.per_client.clone().unwrap();
        for i in 0..10 {
            limiter.check_key(&i.to_string()).unwrap();
        }
        assert_eq!(limiter.len(), 10);
        std::thread::sleep(Duration::from_millis(20));
        for _ in 0..UPKEEP_EVERY {
            limit.upkeep(&limiter);
        }
        assert_eq!(limiter.len(), 0, "refilled buckets should be dropped");
    }
}
