//! Built-in middleware: [`RateLimit`], token buckets per client and for the whole server, and
//! [`ClientKey`], which says who "a client" is (also used by [`Cache`](super::Cache)).

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use rmcp::ErrorData as McpError;
use rmcp::model::{ErrorCode, InitializeRequestParams};
use serde_json::json;

use crate::middleware::{Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// Who "a client" is, for [`RateLimit`] and [`Cache`](super::Cache): a function from a request
/// to a key. Requests with the same key share a bucket (or cache entries).
///
/// - [`ClientKey::caller`] (the default): the authenticated subject when the request carries
///   an identity (see [`crate::auth`]), else the session.
/// - [`ClientKey::session`]: one key per MCP session (a connection over stdio, the
///   `Mcp-Session-Id` over HTTP). Stateless HTTP has no sessions: no key.
/// - [`ClientKey::subject`]: the authenticated subject only.
/// - [`ClientKey::client_name`]: the name the client gave in `initialize`
///   (`clientInfo.name`); every connection of the same client program shares it.
/// - [`ClientKey::from_fn`]: anything else, such as the caller's identity, which an
///   authentication middleware placed earlier in the pipeline attaches to the request:
///
/// ```
/// use mcp_runtime::middleware::{ClientKey, RateLimit, Request};
///
/// /// What an authentication middleware attached to the request.
/// #[derive(Clone)]
/// struct Identity {
///     subject: String,
/// }
///
/// // Ten calls a second per authenticated subject, in bursts of up to twenty.
/// let by_identity =
///     ClientKey::from_fn(|req: &Request| req.extensions().get::<Identity>().map(|id| id.subject.clone()));
/// let limit = RateLimit::per_client(10.0, 20).key(by_identity);
/// ```
///
/// A key function returning `None` means "no key": [`RateLimit`] puts such requests in one
/// shared anonymous bucket, and [`Cache`](super::Cache) does not cache them.
#[derive(Clone)]
pub struct ClientKey {
    name: &'static str,
    key: Arc<KeyFn>,
}

/// What a [`ClientKey`] runs.
type KeyFn = dyn Fn(&Request) -> Option<String> + Send + Sync;

impl ClientKey {
    /// One key per MCP session, stable for the life of the session and never reused by a
    /// later one: the connection over stdio or a byte stream, the `Mcp-Session-Id` over HTTP.
    ///
    /// Stateless HTTP has no sessions (every request stands alone), so its requests have no
    /// key: key by [`subject`](Self::subject) there, which [`caller`](Self::caller) does.
    pub fn session() -> Self {
        Self {
            name: "session",
            key: Arc::new(session_key),
        }
    }

    /// The authenticated subject when the request carries an identity, else the session: the
    /// default, right on every transport.
    pub fn caller() -> Self {
        Self {
            name: "caller",
            key: Arc::new(|request| subject_key(request).or_else(|| session_key(request))),
        }
    }

    /// The client's self-declared name (`clientInfo.name` from `initialize`). Clients choose
    /// it, so it is a convenience for trusted deployments, not a security boundary.
    pub fn client_name() -> Self {
        Self {
            name: "client_name",
            key: Arc::new(|request| {
                let info = request.context().peer.peer_info()?;
                Some(format!("client:{}", info.client_info.name))
            }),
        }
    }

    /// The authenticated subject (the verified token's `sub`, see [`crate::auth`]): one
    /// bucket per caller across sessions and replicas' sessions, which is what stateless HTTP
    /// needs. Requests without an identity have no key.
    pub fn subject() -> Self {
        Self {
            name: "subject",
            key: Arc::new(subject_key),
        }
    }

    /// A key computed by `f`, such as the authenticated subject read from an extension a
    /// previous middleware attached. `None` means the request has no key.
    pub fn from_fn<F>(f: F) -> Self
    where
        F: Fn(&Request) -> Option<String> + Send + Sync + 'static,
    {
        Self {
            name: "custom",
            key: Arc::new(f),
        }
    }

    /// The key of `request`, if it has one.
    pub fn key_of(&self, request: &Request) -> Option<String> {
        (self.key)(request)
    }
}

impl Default for ClientKey {
    fn default() -> Self {
        Self::caller()
    }
}

/// The key of [`ClientKey::subject`].
fn subject_key(request: &Request) -> Option<String> {
    request
        .identity()
        .map(|identity| format!("subject:{}", identity.subject()))
}

/// The session key of [`ClientKey::session`].
fn session_key(request: &Request) -> Option<String> {
    if let Some(parts) = request.extensions().get::<http::request::Parts>() {
        // Over HTTP, a request's peer lives only as long as the request in stateless mode;
        // the session is what the client names.
        return parts
            .headers
            .get("mcp-session-id")
            .and_then(|id| id.to_str().ok())
            .map(|id| format!("session:{id}"));
    }
    session_id(request).map(|id| format!("session:{id}"))
}

impl fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientKey").field(&self.name).finish()
    }
}

/// Session ids: one per `initialize` (the `Arc` rmcp keeps the client's handshake in).
///
/// The address of that `Arc` identifies the session while it lives, but a later session could
/// be allocated at the same address. Holding a `Weak` to it keeps the allocation, so the
/// address cannot be reused while it is in the table; dead entries are pruned as it grows.
struct Sessions {
    ids: HashMap<usize, (Weak<InitializeRequestParams>, u64)>,
    next_id: u64,
    prune_at: usize,
}

fn session_id(request: &Request) -> Option<u64> {
    static SESSIONS: OnceLock<Mutex<Sessions>> = OnceLock::new();
    let info = request.context().peer.peer_info()?;
    let address = Arc::as_ptr(&info) as usize;
    let mut sessions = SESSIONS
        .get_or_init(|| {
            Mutex::new(Sessions {
                ids: HashMap::new(),
                next_id: 0,
                prune_at: 64,
            })
        })
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some((_, id)) = sessions.ids.get(&address) {
        return Some(*id);
    }
    if sessions.ids.len() >= sessions.prune_at {
        sessions.ids.retain(|_, (info, _)| info.strong_count() > 0);
        sessions.prune_at = (sessions.ids.len() * 2).max(64);
    }
    sessions.next_id += 1;
    let id = sessions.next_id;
    sessions.ids.insert(address, (Arc::downgrade(&info), id));
    Some(id)
}

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
