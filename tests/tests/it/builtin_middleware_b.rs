//! Built-in middleware, through the public API: `RateLimit`, `Cache`, `Retry` and
//! `CircuitBreaker`.
//!
//! Timing: rates are slow and cool-downs long next to an in-memory round trip, so that no
//! bucket refills or circuit closes while a test is still making its calls; waits are at
//! least twice what they wait for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_runtime::middleware::{Cache, CircuitBreaker, ClientKey, RateLimit, Request, Retry};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::{ClientError, TestClient};
use serde_json::{Value, json};

/// The code of refusals by `RateLimit` and `CircuitBreaker`.
const SERVER_ERROR: i32 = -32000;

/// How many times components ran.
#[derive(Default)]
struct Runs(AtomicUsize);

impl Runs {
    fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

fn runs(server: &Server) -> usize {
    server.state::<Runs>().unwrap().0.load(Ordering::SeqCst)
}

/// The JSON-RPC error `data` of a refusal.
fn data(error: &ClientError) -> Value {
    match error {
        ClientError::Rpc(error) => error.data.clone().unwrap_or_default(),
        other => panic!("expected a JSON-RPC error, got {other}"),
    }
}

// ---- components ----------------------------------------------------------------------------

/// Answers.
#[tool]
async fn ping(runs: State<Runs>) -> String {
    runs.bump();
    "pong".to_owned()
}

/// A read-only lookup: the answer carries the run number, so a cached answer is recognisable.
#[tool(annotations(read_only))]
async fn lookup(runs: State<Runs>, key: String, page: Option<u32>) -> String {
    let run = runs.bump();
    format!("{key}/{}#{run}", page.unwrap_or(0))
}

/// A read-only lookup that always fails.
#[tool(annotations(read_only))]
async fn lookup_broken(runs: State<Runs>) -> Result<String, ToolError> {
    runs.bump();
    Err(ToolError::new("backend unavailable"))
}

/// Changes something: neither read-only nor idempotent.
#[tool]
async fn bump(runs: State<Runs>) -> String {
    format!("#{}", runs.bump())
}

/// One document.
#[resource("docs://{id}")]
async fn doc(runs: State<Runs>, id: u32) -> String {
    format!("doc {id} #{}", runs.bump())
}

/// Fails on its first two runs, then succeeds: safe to retry.
#[tool(annotations(idempotent))]
async fn third_time_lucky(runs: State<Runs>) -> Result<String, ToolError> {
    let run = runs.bump();
    if run < 3 {
        return Err(ToolError::new(format!("flaked on run {run}")));
    }
    Ok(format!("ok on run {run}"))
}

/// Always fails, and is safe to retry.
#[tool(annotations(idempotent))]
async fn always_down(runs: State<Runs>) -> Result<String, ToolError> {
    runs.bump();
    Err(ToolError::new("down"))
}

/// Always fails, and is not safe to retry.
#[tool]
async fn charge(runs: State<Runs>) -> Result<String, ToolError> {
    runs.bump();
    Err(ToolError::new("card declined"))
}

/// Fails when told to.
#[tool]
async fn unstable(runs: State<Runs>, fail: bool) -> Result<String, ToolError> {
    let run = runs.bump();
    if fail {
        return Err(ToolError::new(format!("failed on run {run}")));
    }
    Ok(format!("ok on run {run}"))
}

fn server(
    middleware: impl FnOnce(mcp_runtime::ServerBuilder) -> mcp_runtime::ServerBuilder,
) -> Server {
    middleware(
        Server::builder("b")
            .state(Runs::default())
            .state(CurrentUser::default()),
    )
    .tools(tools![
        ping,
        lookup,
        lookup_broken,
        bump,
        third_time_lucky,
        always_down,
        charge,
        unstable
    ])
    .resources(resources![doc])
    .build()
    .unwrap()
}

// ---- RateLimit -----------------------------------------------------------------------------

#[tokio::test]
async fn rate_limit_refuses_after_the_burst_and_says_when_to_retry() {
    let server = server(|b| b.middleware(RateLimit::per_client(1.0, 2)));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..2 {
        assert_eq!(
            client.call_tool("ping", json!({})).await.unwrap().text(),
            "pong"
        );
    }
    let error = client.call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(error.code(), Some(SERVER_ERROR), "{error}");
    let message = error.message().unwrap();
    assert!(
        message.starts_with("rate limit exceeded for this client: retry in "),
        "{message}"
    );
    let data = data(&error);
    assert_eq!(data["reason"], "rate_limited");
    assert_eq!(data["scope"], "client");
    let retry_after = data["retry_after_ms"].as_u64().unwrap();
    assert!((1..=1000).contains(&retry_after), "{data}");
    assert_eq!(runs(&server), 2, "the refused call ran");

    // Lists are not limited.
    assert!(!client.list_tools().await.unwrap().is_empty());

    // Waiting as told is enough.
    tokio::time::sleep(Duration::from_millis(retry_after) * 2).await;
    assert_eq!(
        client.call_tool("ping", json!({})).await.unwrap().text(),
        "pong"
    );
}

#[tokio::test]
async fn rate_limit_covers_resource_reads_too() {
    let server = server(|b| b.middleware(RateLimit::per_client(0.1, 1)));
    let client = TestClient::new(server).await;
    client.read_text("docs://1").await.unwrap();
    let error = client.read_text("docs://2").await.unwrap_err();
    assert_eq!(error.code(), Some(SERVER_ERROR), "{error}");
    assert_eq!(data(&error)["reason"], "rate_limited");
}

#[tokio::test]
async fn per_client_buckets_are_independent() {
    let server = server(|b| b.middleware(RateLimit::per_client(0.1, 1)));
    let alice = TestClient::new(server.clone()).await;
    let bob = TestClient::new(server.clone()).await;

    alice.call_tool("ping", json!({})).await.unwrap();
    let refused = alice.call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(data(&refused)["scope"], "client");
    // Alice's empty bucket is not Bob's.
    assert_eq!(
        bob.call_tool("ping", json!({})).await.unwrap().text(),
        "pong"
    );
    assert!(bob.call_tool("ping", json!({})).await.is_err());
    assert_eq!(runs(&server), 2);
}

#[tokio::test]
async fn a_global_limit_applies_across_clients() {
    let server = server(|b| b.middleware(RateLimit::global(0.1, 2)));
    let alice = TestClient::new(server.clone()).await;
    let bob = TestClient::new(server.clone()).await;
    alice.call_tool("ping", json!({})).await.unwrap();
    bob.call_tool("ping", json!({})).await.unwrap();
    for client in [&alice, &bob] {
        let error = client.call_tool("ping", json!({})).await.unwrap_err();
        assert!(
            error
                .message()
                .unwrap()
                .starts_with("server rate limit exceeded: retry in "),
            "{error}"
        );
        assert_eq!(data(&error)["scope"], "global");
    }
    assert_eq!(runs(&server), 2);
}

#[tokio::test]
async fn per_client_and_global_limits_combine() {
    let server = server(|b| b.middleware(RateLimit::per_client(0.1, 1).and_global(0.1, 2)));
    let clients = [
        TestClient::new(server.clone()).await,
        TestClient::new(server.clone()).await,
        TestClient::new(server.clone()).await,
    ];
    clients[0].call_tool("ping", json!({})).await.unwrap();
    // The client's own bucket is empty: refused by it, without using the server's.
    let own = clients[0].call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(data(&own)["scope"], "client");
    clients[1].call_tool("ping", json!({})).await.unwrap();
    // The third client has tokens of its own, but the server has none left.
    let global = clients[2].call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(data(&global)["scope"], "global");
    assert_eq!(runs(&server), 2);
}

/// What an authentication middleware would attach.
#[derive(Clone)]
struct Identity(String);

/// Who the next requests come from, as the test sets it (stands in for credentials).
#[derive(Default)]
struct CurrentUser(std::sync::Mutex<Option<String>>);

impl CurrentUser {
    fn set(server: &Server, user: Option<&str>) {
        *server.state::<CurrentUser>().unwrap().0.lock().unwrap() = user.map(str::to_owned);
    }
}

/// Stands in for authentication: attaches the current user's identity, if any.
#[middleware]
async fn authenticate(
    mut req: ToolCall,
    user: State<CurrentUser>,
    next: Next,
) -> Result<CallToolResult, McpError> {
    let user = user.0.lock().unwrap().clone();
    if let Some(user) = user {
        req.extensions_mut().insert(Identity(user));
    }
    next.run(req).await
}

/// The documented "identity" key: the subject an authentication middleware attached.
fn by_identity() -> ClientKey {
    ClientKey::from_fn(|req: &Request| req.extensions().get::<Identity>().map(|id| id.0.clone()))
}

#[tokio::test]
async fn rate_limits_can_be_keyed_by_identity() {
    let server = server(|b| {
        b.middleware(authenticate)
            .middleware(RateLimit::per_client(0.1, 1).key(by_identity()))
    });
    // Two connections of one user share a bucket; another user has their own.
    let first = TestClient::new(server.clone()).await;
    let second = TestClient::new(server.clone()).await;
    CurrentUser::set(&server, Some("ann"));
    first.call_tool("ping", json!({})).await.unwrap();
    let refused = second.call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(data(&refused)["reason"], "rate_limited");
    CurrentUser::set(&server, Some("ben"));
    second.call_tool("ping", json!({})).await.unwrap();
    // Requests without an identity share one anonymous bucket.
    CurrentUser::set(&server, None);
    first.call_tool("ping", json!({})).await.unwrap();
    assert!(second.call_tool("ping", json!({})).await.is_err());
    assert_eq!(runs(&server), 3);
}

#[tokio::test]
async fn keyed_by_is_shorthand_for_a_custom_key() {
    // Everyone in one bucket, whatever the session: a custom key returning a constant.
    let server =
        server(|b| b.middleware(RateLimit::per_client(0.1, 1).keyed_by(|_| Some("all".into()))));
    let a = TestClient::new(server.clone()).await;
    let b = TestClient::new(server.clone()).await;
    a.call_tool("ping", json!({})).await.unwrap();
    assert_eq!(
        data(&b.call_tool("ping", json!({})).await.unwrap_err())["scope"],
        "client"
    );
}

// ---- Cache ---------------------------------------------------------------------------------

#[tokio::test]
async fn cache_serves_a_repeated_read_only_call_without_running_the_tool() {
    let cache = Cache::new(Duration::from_secs(60), 100);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;

    let first = client
        .call_tool("lookup", json!({"key": "a", "page": 1}))
        .await
        .unwrap();
    assert_eq!(first.text(), "a/1#1");
    // Same arguments, other key order: served from the cache.
    let again = client
        .call_tool("lookup", json!({"page": 1, "key": "a"}))
        .await
        .unwrap();
    assert_eq!(again.text(), "a/1#1");
    assert_eq!(runs(&server), 1, "the tool ran again");
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (1, 1), "{stats:?}");

    // Other arguments are another entry.
    let other = client
        .call_tool("lookup", json!({"key": "a", "page": 2}))
        .await
        .unwrap();
    assert_eq!(other.text(), "a/2#2");
    assert_eq!(runs(&server), 2);
}

#[tokio::test]
async fn cache_skips_tools_that_are_not_read_only() {
    let cache = Cache::new(Duration::from_secs(60), 100);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;
    assert_eq!(
        client.call_tool("bump", json!({})).await.unwrap().text(),
        "#1"
    );
    assert_eq!(
        client.call_tool("bump", json!({})).await.unwrap().text(),
        "#2"
    );
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (0, 0), "{stats:?}");
}

#[tokio::test]
async fn cache_never_keeps_errors() {
    let cache = Cache::new(Duration::from_secs(60), 100);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..2 {
        let result = client.call_tool("lookup_broken", json!({})).await.unwrap();
        assert!(result.is_error());
        assert_eq!(result.text(), "backend unavailable");
    }
    assert_eq!(
        runs(&server),
        2,
        "an error result was served from the cache"
    );
    assert_eq!(cache.stats().entries, 0);
}

#[tokio::test]
async fn cache_entries_expire_after_the_ttl() {
    let ttl = Duration::from_millis(300);
    let server = server(|b| b.middleware(Cache::new(ttl, 100)));
    let client = TestClient::new(server.clone()).await;
    let call = || client.call_tool("lookup", json!({"key": "k"}));
    assert_eq!(call().await.unwrap().text(), "k/0#1");
    assert_eq!(call().await.unwrap().text(), "k/0#1");
    tokio::time::sleep(ttl * 3).await;
    assert_eq!(
        call().await.unwrap().text(),
        "k/0#2",
        "the entry outlived its TTL"
    );
}

#[tokio::test]
async fn cache_holds_at_most_max_entries() {
    let cache = Cache::new(Duration::from_secs(60), 2);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;
    let keys = ["a", "b", "c", "d", "e", "f"];
    for key in keys {
        client
            .call_tool("lookup", json!({"key": key}))
            .await
            .unwrap();
    }
    assert!(cache.stats().entries <= 2, "{:?}", cache.stats());
    for key in keys {
        client
            .call_tool("lookup", json!({"key": key}))
            .await
            .unwrap();
    }
    // At most two of the six repeats were served from the cache.
    assert!(runs(&server) >= 6 + 4, "ran {} times", runs(&server));
    assert!(cache.stats().hits <= 2, "{:?}", cache.stats());
}

#[tokio::test]
async fn cache_is_per_session_by_default_and_shared_on_request() {
    let server_per_session = server(|b| b.middleware(Cache::new(Duration::from_secs(60), 100)));
    let a = TestClient::new(server_per_session.clone()).await;
    let b = TestClient::new(server_per_session.clone()).await;
    assert_eq!(
        a.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#1"
    );
    assert_eq!(
        b.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#2"
    );
    assert_eq!(
        a.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#1"
    );

    let shared = server(|b| b.middleware(Cache::new(Duration::from_secs(60), 100).shared()));
    let a = TestClient::new(shared.clone()).await;
    let b = TestClient::new(shared.clone()).await;
    assert_eq!(
        a.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#1"
    );
    assert_eq!(
        b.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#1"
    );
    assert_eq!(runs(&shared), 1);
}

/// `lookup` of the key `k`.
async fn lookup_k(client: &TestClient) -> String {
    client
        .call_tool("lookup", json!({"key": "k"}))
        .await
        .unwrap()
        .text()
}

#[tokio::test]
async fn cache_can_be_keyed_by_identity() {
    let cache = Cache::new(Duration::from_secs(60), 100).keyed_by(by_identity());
    let server = server(|b| b.middleware(authenticate).middleware(cache.clone()));
    let first = TestClient::new(server.clone()).await;
    let second = TestClient::new(server.clone()).await;

    // Two sessions of one user share entries.
    CurrentUser::set(&server, Some("ann"));
    assert_eq!(lookup_k(&first).await, "k/0#1");
    assert_eq!(lookup_k(&second).await, "k/0#1");
    // Another user, same arguments: not ann's entry.
    CurrentUser::set(&server, Some("ben"));
    assert_eq!(lookup_k(&first).await, "k/0#2");
    // No identity: not cached at all.
    CurrentUser::set(&server, None);
    assert_eq!(lookup_k(&first).await, "k/0#3");
    assert_eq!(lookup_k(&first).await, "k/0#4");
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (1, 2), "{stats:?}");
}

#[tokio::test]
async fn cache_serves_resource_reads() {
    let cache = Cache::new(Duration::from_secs(60), 100);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;
    assert_eq!(client.read_text("docs://7").await.unwrap(), "doc 7 #1");
    assert_eq!(client.read_text("docs://7").await.unwrap(), "doc 7 #1");
    assert_eq!(client.read_text("docs://8").await.unwrap(), "doc 8 #2");
    assert_eq!(runs(&server), 2);

    let tools_only = server_with_cache(Cache::new(Duration::from_secs(60), 100).tools_only());
    let client = TestClient::new(tools_only.clone()).await;
    client.read_text("docs://7").await.unwrap();
    client.read_text("docs://7").await.unwrap();
    assert_eq!(runs(&tools_only), 2);
}

fn server_with_cache(cache: Cache) -> Server {
    server(|b| b.middleware(cache))
}

// ---- Retry ---------------------------------------------------------------------------------

#[tokio::test]
async fn retry_reruns_an_idempotent_tool_until_it_succeeds() {
    let server = server(|b| b.middleware(Retry::new(5, Duration::from_millis(20))));
    let client = TestClient::new(server.clone()).await;
    let started = Instant::now();
    let result = client
        .call_tool("third_time_lucky", json!({}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
    assert_eq!(result.text(), "ok on run 3");
    assert_eq!(runs(&server), 3);
    // Two waits, of at most 20 ms and 40 ms: nowhere near the 10 s cap.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn retry_gives_up_after_max_attempts_with_the_last_failure() {
    let server = server(|b| b.middleware(Retry::new(3, Duration::from_millis(5))));
    let client = TestClient::new(server.clone()).await;
    let result = client.call_tool("always_down", json!({})).await.unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "down");
    assert_eq!(runs(&server), 3);
}

#[tokio::test]
async fn retry_never_reruns_a_tool_that_is_not_idempotent() {
    let server = server(|b| b.middleware(Retry::new(5, Duration::from_millis(5))));
    let client = TestClient::new(server.clone()).await;
    let result = client.call_tool("charge", json!({})).await.unwrap();
    assert!(result.is_error());
    assert_eq!(runs(&server), 1, "a non-idempotent tool was retried");
}

/// Attempts that reached the inside of the pipeline (validation happens after middleware).
#[derive(Default)]
struct Attempts(AtomicUsize);

/// Counts the attempts that pass it.
#[middleware]
async fn count_attempts(
    req: ToolCall,
    attempts: State<Attempts>,
    next: Next,
) -> Result<CallToolResult, McpError> {
    attempts.0.fetch_add(1, Ordering::SeqCst);
    next.run(req).await
}

#[tokio::test]
async fn retry_does_not_rerun_invalid_arguments() {
    let server = server(|b| {
        b.state(Attempts::default())
            .middleware(Retry::new(5, Duration::from_millis(5)))
            .middleware(count_attempts)
    });
    let client = TestClient::new(server.clone()).await;
    // `lookup` is read-only, hence idempotent; `key` must be a string.
    let result = client.call_tool("lookup", json!({"key": 7})).await.unwrap();
    assert!(result.is_error());
    assert!(
        result.text().starts_with("invalid arguments: "),
        "{}",
        result.text()
    );
    let attempts = server.state::<Attempts>().unwrap().0.load(Ordering::SeqCst);
    assert_eq!(attempts, 1, "arguments that fail validation were retried");
    assert_eq!(runs(&server), 0);
}

// ---- CircuitBreaker ------------------------------------------------------------------------

/// Long enough that the circuit stays open while a test makes its calls.
const COOL_DOWN: Duration = Duration::from_millis(500);

#[tokio::test]
async fn circuit_opens_after_consecutive_failures_and_refuses_without_running() {
    let server = server(|b| b.middleware(CircuitBreaker::new(3, COOL_DOWN)));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..3 {
        let result = client
            .call_tool("unstable", json!({"fail": true}))
            .await
            .unwrap();
        assert!(result.is_error());
    }
    assert_eq!(runs(&server), 3);

    let error = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(SERVER_ERROR), "{error}");
    let message = error.message().unwrap();
    assert!(
        message
            .starts_with("the tool `unstable` is unavailable after 3 failures in a row: retry in "),
        "{message}"
    );
    let data = data(&error);
    assert_eq!(data["reason"], "circuit_open");
    assert_eq!(data["component"], "unstable");
    assert!(data["retry_after_ms"].as_u64().unwrap() <= COOL_DOWN.as_millis() as u64);
    assert_eq!(runs(&server), 3, "the tool ran while its circuit was open");

    // Other components have circuits of their own.
    assert_eq!(
        client.call_tool("ping", json!({})).await.unwrap().text(),
        "pong"
    );
}

#[tokio::test]
async fn circuit_half_opens_after_the_cool_down_and_closes_on_success() {
    let server = server(|b| b.middleware(CircuitBreaker::new(2, COOL_DOWN)));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..2 {
        client
            .call_tool("unstable", json!({"fail": true}))
            .await
            .unwrap();
    }
    assert!(
        client
            .call_tool("unstable", json!({"fail": false}))
            .await
            .is_err()
    );

    tokio::time::sleep(COOL_DOWN * 2).await;
    // The trial runs and succeeds: closed again.
    let trial = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(trial.text(), "ok on run 3");
    // Closed: one failure no longer opens it (the count started over).
    assert!(
        client
            .call_tool("unstable", json!({"fail": true}))
            .await
            .unwrap()
            .is_error()
    );
    let after = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(after.text(), "ok on run 5");
}

#[tokio::test]
async fn a_failed_trial_opens_the_circuit_again() {
    let server = server(|b| b.middleware(CircuitBreaker::new(2, COOL_DOWN)));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..2 {
        client
            .call_tool("unstable", json!({"fail": true}))
            .await
            .unwrap();
    }
    tokio::time::sleep(COOL_DOWN * 2).await;
    let trial = client
        .call_tool("unstable", json!({"fail": true}))
        .await
        .unwrap();
    assert!(trial.is_error());
    let error = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap_err();
    assert_eq!(data(&error)["reason"], "circuit_open");
    assert_eq!(runs(&server), 3);
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let server = server(|b| b.middleware(CircuitBreaker::new(3, COOL_DOWN)));
    let client = TestClient::new(server.clone()).await;
    for fail in [true, true, false, true, true] {
        client
            .call_tool("unstable", json!({"fail": fail}))
            .await
            .unwrap();
    }
    // Two failures since the last success: still closed.
    let result = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(result.text(), "ok on run 6");
}

#[tokio::test]
async fn retry_inside_a_circuit_breaker_counts_as_one_failure() {
    // The breaker sees one outcome per call, however many attempts the retry made.
    let server = server(|b| {
        b.middleware(CircuitBreaker::new(2, COOL_DOWN))
            .middleware(Retry::new(3, Duration::from_millis(1)))
    });
    let client = TestClient::new(server.clone()).await;
    assert!(
        client
            .call_tool("always_down", json!({}))
            .await
            .unwrap()
            .is_error()
    );
    assert_eq!(runs(&server), 3);
    assert!(
        client
            .call_tool("always_down", json!({}))
            .await
            .unwrap()
            .is_error()
    );
    assert_eq!(runs(&server), 6);
    let error = client
        .call_tool("always_down", json!({}))
        .await
        .unwrap_err();
    assert_eq!(data(&error)["reason"], "circuit_open");
    assert_eq!(runs(&server), 6);
}
