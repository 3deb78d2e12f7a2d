//! Built-in middleware: [`Cache`], responses of read-only tools and of resource reads, kept for
//! a while.

use std::fmt;
use std::fmt::Write as _;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use rmcp::ErrorData as McpError;
use rmcp::model::{CallToolResult, ReadResourceResult, ResultType};
use serde_json::Value;

use super::client_key::ClientKey;
use crate::middleware::{Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// Caches the results of read-only tools (`#[tool(annotations(read_only))]`) and of resource
/// reads, for `ttl`, up to `max_entries` results (least useful first out, through `moka`).
///
/// A result is found again by the tool's name and its arguments (as canonical JSON: key order
/// does not matter), or by the resource's URI, and by the client's [`ClientKey`]:
///
/// - by default, per session ([`ClientKey::session`]): a client never sees a result computed
///   for another, which is the safe choice when results depend on who asks;
/// - [`keyed_by`](Self::keyed_by) a key of your choice, typically the authenticated identity,
///   so one user's sessions share entries but users do not;
/// - [`shared`](Self::shared): one entry for everyone, for results that depend on the
///   arguments alone.
///
/// A request whose key function returns `None` is not cached.
///
/// Only successful, complete results are kept: never an error result (`isError: true`), a
/// JSON-RPC error, or an `input_required` result. Tools that are not marked read-only, prompts
/// and lists always run. Identical requests that arrive while the first is running wait for
/// its result instead of running the component again.
///
/// A cached result is served as it was: the component does not run, so it sends no progress
/// or log notifications, and middleware placed inside the cache does not see the request. Put
/// the cache inside authentication and audit middleware, and keep the TTL shorter than the
/// staleness a subscribed client would accept.
///
/// Clones share their entries and counters, so keep one to read [`stats`](Self::stats) or to
/// [`clear`](Self::clear) it.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::Cache;
///
/// let cache = Cache::new(Duration::from_secs(60), 10_000);
/// let builder = Server::builder("weather").middleware(cache.clone());
/// assert_eq!(cache.stats().hits, 0);
/// ```
#[derive(Clone)]
pub struct Cache {
    store: Arc<Store>,
    key: Option<ClientKey>,
    resources: bool,
}

struct Store {
    entries: moka::future::Cache<Key, Cached>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// What identifies a cached result.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Key {
    method: &'static str,
    target: String,
    arguments: String,
    client: Option<String>,
}

#[derive(Clone)]
enum Cached {
    Tool(Arc<CallToolResult>),
    Resource(Arc<ReadResourceResult>),
}

/// A response that is not kept: handed back to the caller (and to identical requests that
/// waited for it).
enum NotCached {
    Tool(CallToolResult),
    Response(Response),
    Error(McpError),
}

/// How a [`Cache`] has done so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CacheStats {
    /// Cacheable requests answered without running the component.
    pub hits: u64,
    /// Cacheable requests that ran the component.
    pub misses: u64,
    /// Results held now (approximate while insertions are in flight).
    pub entries: u64,
}

impl Cache {
    /// Keeps each result for `ttl`, and at most `max_entries` results.
    pub fn new(ttl: Duration, max_entries: u64) -> Self {
        let entries = moka::future::Cache::builder()
            .time_to_live(ttl)
            .max_capacity(max_entries)
            .build();
        Self {
            store: Arc::new(Store {
                entries,
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
            }),
            key: Some(ClientKey::caller()),
            resources: true,
        }
    }

    /// Separates entries by `key` ([`ClientKey::caller`] unless set): requests with different keys
    /// never share a result.
    pub fn keyed_by(mut self, key: ClientKey) -> Self {
        self.key = Some(key);
        self
    }

    /// One entry per tool call or URI for every client: only for results that do not depend on
    /// who asks.
    pub fn shared(mut self) -> Self {
        self.key = None;
        self
    }

    /// Caches read-only tools only; resource reads always run.
    pub fn tools_only(mut self) -> Self {
        self.resources = false;
        self
    }

    /// Hits, misses and entries so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.store.hits.load(Ordering::Relaxed),
            misses: self.store.misses.load(Ordering::Relaxed),
            entries: self.store.entries.entry_count(),
        }
    }

    /// Drops every entry (after a write that makes them stale, say).
    pub fn clear(&self) {
        self.store.entries.invalidate_all();
    }

    /// The key of a cacheable request, or `None` to let it through.
    fn key_of(&self, request: &Request) -> Option<Key> {
        let (target, arguments) = match request {
            Request::CallTool(call) => {
                if !request.component()?.is_read_only() {
                    return None;
                }
                let mut arguments = String::new();
                canonical_object(&call.arguments, &mut arguments);
                (call.name.clone(), arguments)
            }
            Request::ReadResource(read) if self.resources => {
                request.component()?;
                (read.uri.clone(), String::new())
            }
            _ => return None,
        };
        let client = match &self.key {
            Some(key) => Some(key.key_of(request)?),
            None => None,
        };
        Some(Key {
            method: request.method(),
            target,
            arguments,
            client,
        })
    }
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cache")
            .field("key", &self.key)
            .field("resources", &self.resources)
            .field("stats", &self.stats())
            .finish()
    }
}

impl Middleware for Cache {
    fn on_request(
        &self,
        request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        let Some(key) = self.key_of(&request) else {
            return next.run_request(request);
        };
        let store = self.store.clone();
        Box::pin(async move {
            let mut ran = false;
            let found = store
                .entries
                .try_get_with(key, async {
                    ran = true;
                    match next.run_request(request).await {
                        Ok(Response::CallTool(result)) if keeps(&result) => {
                            Ok(Cached::Tool(Arc::new(result)))
                        }
                        Ok(Response::CallTool(result)) => Err(NotCached::Tool(result)),
                        Ok(Response::ReadResource(result))
                            if is_complete(result.result_type.as_ref()) =>
                        {
                            Ok(Cached::Resource(Arc::new(result)))
                        }
                        Ok(other) => Err(NotCached::Response(other)),
                        Err(error) => Err(NotCached::Error(error)),
                    }
                })
                .await;
            let counter = if ran { &store.misses } else { &store.hits };
            counter.fetch_add(1, Ordering::Relaxed);
            match found {
                Ok(cached) => {
                    if ran {
                        // Apply the size cap now rather than at moka's next housekeeping.
                        store.entries.run_pending_tasks().await;
                    }
                    Ok(match cached {
                        Cached::Tool(result) => Response::CallTool((*result).clone()),
                        Cached::Resource(result) => Response::ReadResource((*result).clone()),
                    })
                }
                Err(not_cached) => match Arc::try_unwrap(not_cached) {
                    Ok(NotCached::Tool(result)) => Ok(Response::CallTool(result)),
                    Ok(NotCached::Response(response)) => Ok(response),
                    Ok(NotCached::Error(error)) => Err(error),
                    // Identical requests waited for this one: each gets a copy.
                    Err(shared) => match &*shared {
                        NotCached::Tool(result) => Ok(Response::CallTool(result.clone())),
                        NotCached::Error(error) => Err(error.clone()),
                        NotCached::Response(response) => Err(McpError::internal_error(
                            format!("unexpected response to a cached request: {response:?}"),
                            None,
                        )),
                    },
                },
            }
        })
    }
}

/// Whether a tool result may be kept: a complete success.
fn keeps(result: &CallToolResult) -> bool {
    result.is_error != Some(true) && is_complete(result.result_type.as_ref())
}

fn is_complete(result_type: Option<&ResultType>) -> bool {
    result_type.is_none_or(ResultType::is_complete)
}

/// JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are one key.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => canonical_object(map, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => {
            let _ = write!(out, "{scalar}");
        }
    }
}

fn canonical_object(map: &serde_json::Map<String, Value>, out: &mut String) {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    for (i, (name, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{}:", Value::String(name.clone()));
        canonical(value, out);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(value: Value) -> String {
        let mut out = String::new();
        canonical(&value, &mut out);
        out
    }

    #[test]
    fn canonical_json_ignores_key_order_only() {
        assert_eq!(
            key(json!({"b": [1, {"y": 2, "x": "s"}], "a": null})),
            r#"{"a":null,"b":[1,{"x":"s","y":2}]}"#
        );
        assert_eq!(key(json!({"a": 1, "b": 2})), key(json!({"b": 2, "a": 1})));
        assert_ne!(key(json!({"a": "1"})), key(json!({"a": 1})));
        assert_ne!(key(json!({"a": [1, 2]})), key(json!({"a": [2, 1]})));
    }

    #[test]
    fn error_and_incomplete_results_are_not_kept() {
        assert!(keeps(&CallToolResult::success(vec![])));
        assert!(!keeps(&CallToolResult::error(vec![])));
        let mut pending = CallToolResult::success(vec![]);
        pending.result_type = Some(ResultType::INPUT_REQUIRED);
        assert!(!keeps(&pending));
    }
}
