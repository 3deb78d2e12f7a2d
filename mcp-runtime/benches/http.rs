//! `tools/call` over streamable HTTP: this runtime with its default middleware stack against a
//! bare rmcp server, both stateless with JSON responses, loaded by 64 concurrent connections.
//!
//! * **ours**: `#[tool] async fn add(a: i64, b: i64) -> i64` in a `Server` built with
//!   `.settings(settings)` (the default stack: `ErrorHandling`, `Logging`, `Timing` and a
//!   `RateLimit` that never refuses), served by `Server::bind_http` with
//!   `HttpOptions::new().stateless(true)`: Host and Origin checks, the readiness and
//!   draining guard, and Prometheus metrics on every request, as in production. Logs are
//!   formatted at `info` and discarded.
//! * **rmcp**: a hand-written rmcp server (`#[tool_router]`, router stored in a field) served by
//!   rmcp's `StreamableHttpService` (stateless, JSON responses) on a bare axum router.
//!
//! The load: one `reqwest` client per server with 64 tasks, each POSTing `tools/call
//! add(2, 3)` in a loop, so 64 keep-alive connections. After a warm-up, rounds alternate
//! between the servers (AB, BA, …); reported: µs per call (inverse throughput) of each, and
//! the median and quartiles of the per-round ratios. Target: ours at least 0.9× the bare
//! server's throughput, that is a paired time ratio of at most 1.11.
//!
//! Then, on one keep-alive connection and one call at a time, ours stateful (every answer an
//! SSE stream) against ours stateless with JSON answers: the per-request cost of sessions and
//! streaming, and a guard against the ~40 ms stall of a streamed response without
//! `TCP_NODELAY`. Target: a paired time ratio of at most 1.2.
//!
//! ```text
//! cargo bench -p mcp-runtime --bench http
//! BENCH_CALLS=4000 BENCH_ROUNDS=31 cargo bench -p mcp-runtime --bench http
//! ```
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_runtime::http::HttpOptions;
use mcp_runtime::rmcp;
use mcp_runtime::{Server, tools};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::{Value, json};

mod harness;
use harness::servers::{add, hand};
use harness::stack::{install_subscriber, stack_settings};
use harness::{IN_FLIGHT, print_rows, scenario, setting};

/// Sequential calls per round on one connection, stateful against stateless.
const SEQUENTIAL_CALLS: usize = 200;

/// A server under load: its URL, a client with a connection pool of its own, and the session
/// it opened (stateful servers).
#[derive(Clone)]
struct Target {
    url: Arc<str>,
    http: reqwest::Client,
    session: Option<Arc<str>>,
}

impl Target {
    fn new(url: String) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(IN_FLIGHT)
            .build()
            .expect("an HTTP client");
        Self {
            url: url.into(),
            http,
            session: None,
        }
    }

    /// A target that opens a session first (`initialize`, then `notifications/initialized`).
    async fn with_session(url: String) -> Self {
        let mut target = Self::new(url);
        let response = target
            .post(r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}"#)
            .await;
        let session = response
            .headers()
            .get("mcp-session-id")
            .and_then(|value| value.to_str().ok())
            .expect("a session id")
            .to_owned();
        response.bytes().await.expect("the initialize answer");
        target.session = Some(session.into());
        let response = target
            .post(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        target
    }

    async fn post(&self, body: &'static str) -> reqwest::Response {
        let mut request = self
            .http
            .post(&*self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18");
        if let Some(session) = &self.session {
            request = request.header("mcp-session-id", &**session);
        }
        request
            .body(body)
            .send()
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", self.url))
    }

    /// One `tools/call add(2, 3)`; panics unless it answers 5.
    async fn call(&self) {
        let response = self
            .post(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}"#)
            .await;
        let status = response.status();
        let body = response.bytes().await.expect("a body");
        assert!(status.is_success(), "HTTP {status}: {body:?}");
        let message = answer(&body);
        assert_eq!(
            message["result"]["structuredContent"],
            json!({"result": 5}),
            "{message}"
        );
    }
}

/// The JSON-RPC answer in a body: plain JSON, or the SSE event that carries an `id`.
fn answer(body: &[u8]) -> Value {
    if let Ok(message) = serde_json::from_slice(body) {
        return message;
    }
    let text = std::str::from_utf8(body).expect("a UTF-8 body");
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .find(|message| message.get("id").is_some())
        .unwrap_or_else(|| panic!("no JSON-RPC answer in {text:?}"))
}

/// `calls` calls, one at a time, on one connection.
async fn one_by_one(target: Target, calls: usize) -> Duration {
    let start = Instant::now();
    for _ in 0..calls {
        target.call().await;
    }
    start.elapsed()
}

/// `calls` calls by `IN_FLIGHT` tasks, each on its own connection of the pool.
async fn load(target: Target, calls: usize) -> Duration {
    let per_task = calls / IN_FLIGHT;
    let start = Instant::now();
    let tasks: Vec<_> = (0..IN_FLIGHT)
        .map(|_| {
            let target = target.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    target.call().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a caller panicked");
    }
    start.elapsed()
}

async fn serve_rmcp() -> String {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true);
    let service = StreamableHttpService::new(
        || Ok(hand::HandServer::new()),
        Arc::new(NeverSessionManager::default()),
        config,
    );
    let app = axum::Router::new().route_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/mcp")
}

fn main() {
    let calls = setting(0, "BENCH_CALLS", 2048).div_ceil(IN_FLIGHT) * IN_FLIGHT;
    let rounds = setting(1, "BENCH_ROUNDS", 21);
    install_subscriber();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let started = Instant::now();
    let row = runtime.block_on(async {
        let server = Server::builder("bench-http")
            .settings(stack_settings())
            .tools(tools![add])
            .build()
            .expect("our server builds");
        let ours = server
            .bind_http(HttpOptions::new().port(0).stateless(true))
            .await
            .expect("our server binds");
        // Ready once the (empty) startup hooks ran.
        let ready = format!("http://{}/readyz", ours.local_addr());
        while !reqwest::get(&ready)
            .await
            .is_ok_and(|r| r.status() == reqwest::StatusCode::OK)
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let ours_target = Target::new(ours.url());
        let rmcp_target = Target::new(serve_rmcp().await);
        ours_target.call().await;
        rmcp_target.call().await;
        let row = scenario("http64", &ours_target, &rmcp_target, calls, rounds, load).await;

        let stateful = Server::builder("bench-http-stateful")
            .settings(stack_settings())
            .tools(tools![add])
            .build()
            .expect("our stateful server builds")
            .bind_http(HttpOptions::new().port(0))
            .await
            .expect("our stateful server binds");
        let stateful_target = Target::with_session(stateful.url()).await;
        stateful_target.call().await;
        let sse = scenario(
            "seq-sse/json",
            &stateful_target,
            &Target::new(ours.url()),
            SEQUENTIAL_CALLS,
            rounds,
            one_by_one,
        )
        .await;
        stateful.shutdown().await.expect("a clean shutdown");
        ours.shutdown().await.expect("a clean shutdown");
        (row, sse)
    });
    let (row, sse) = row;
    println!(
        "tools/call add(2, 3) over streamable HTTP (stateless, JSON responses) on loopback; \
         {IN_FLIGHT} connections; {} worker threads; {rounds} rounds per server, alternating; \
         {calls} calls per round",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
    );
    println!();
    print_rows(std::slice::from_ref(&row), "ours", "rmcp");
    println!();
    println!(
        "throughput ours/rmcp = 1 / paired ratio = {:.3} (target ≥ 0.9)",
        1.0 / row.paired(),
    );
    println!();
    println!(
        "the same call, one at a time on one connection: ours stateful (SSE answers) against \
         ours stateless (JSON answers); {SEQUENTIAL_CALLS} calls per round"
    );
    println!();
    print_rows(std::slice::from_ref(&sse), "sse", "json");
    println!();
    println!(
        "stateful/stateless = paired ratio = {:.3} (target ≤ 1.2); {:.1} s",
        sse.paired(),
        started.elapsed().as_secs_f64()
    );
}
