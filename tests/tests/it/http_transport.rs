//! Streamable HTTP on real loopback sockets: sessions, stateless mode, Host and Origin
//! checks, the body limit, health, readiness, metrics and graceful shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::support::http::{self, Mcp, serve, serve_ready, text};
use mcp_runtime::http::HttpOptions;
use mcp_runtime::prelude::*;
use serde_json::json;

/// Adds two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Sleeps, then answers.
#[tool]
async fn slow(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    format!("slept {ms}ms")
}

/// Always fails.
#[tool]
async fn broken() -> Result<String, ToolError> {
    Err(ToolError::new("it broke"))
}

fn server() -> Server {
    Server::builder("http-test")
        .tools(tools![add, slow, broken])
        .build()
        .expect("the server builds")
}

#[tokio::test]
async fn a_stateful_session_is_created_and_required() {
    let running = serve_ready(server(), HttpOptions::new()).await;
    let mut mcp = Mcp::new(running.url());
    let init = mcp.initialize().await;
    assert_eq!(init.status, 200, "{}", init.body);
    assert_eq!(init.result()["serverInfo"]["name"], "http-test");
    let session = mcp
        .session
        .clone()
        .expect("a stateful server issues a session id");
    assert!(!session.is_empty());

    let answer = mcp.call("add", json!({ "a": 2, "b": 3 })).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.result()["structuredContent"]["result"], 5);

    // Without the session header, and with an unknown one, a request is refused.
    let mut stranger = Mcp::new(running.url());
    let no_session = stranger.call("add", json!({ "a": 1, "b": 1 })).await;
    assert!(
        (400..500).contains(&no_session.status),
        "no session: HTTP {}",
        no_session.status
    );
    stranger.session = Some("not-a-session".to_owned());
    let unknown = stranger.call("add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(unknown.status, 404, "unknown session: {}", unknown.body);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn stateless_mode_needs_no_session_and_answers_json() {
    let running = serve_ready(server(), HttpOptions::new().stateless(true)).await;
    let mut mcp = Mcp::new(running.url());
    let init = mcp.initialize().await;
    assert_eq!(init.status, 200);
    assert_eq!(mcp.session, None, "stateless mode issues no session id");

    // A fresh client, no initialize, no session: any replica could serve this.
    let mut other = Mcp::new(running.url());
    let answer = other.call("add", json!({ "a": 20, "b": 22 })).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(answer.result()["structuredContent"]["result"], 42);

    // Validation errors keep their message over HTTP.
    let bad = other.call("add", json!({ "a": "x", "b": 1 })).await;
    assert_eq!(bad.result()["isError"], true);
    assert!(text(&bad).contains("`a`"), "{}", text(&bad));
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_foreign_host_or_origin_is_refused() {
    let running = serve_ready(server(), HttpOptions::new()).await;
    let mcp = Mcp::new(running.url());
    let init = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": { "name": "t", "version": "1" } }
    });
    let evil_host = mcp.post(&init, &[("host", "evil.example.com")]).await;
    assert_eq!(evil_host.status, 403, "{}", evil_host.body);

    let evil_origin = mcp
        .post(&init, &[("origin", "http://evil.example.com")])
        .await;
    assert_eq!(evil_origin.status, 403, "{}", evil_origin.body);

    let plain = mcp.post(&init, &[]).await;
    assert_eq!(plain.status, 200, "{}", plain.body);
    running.shutdown().await.expect("clean shutdown");

    // Configured hosts and origins are accepted; others still are not.
    let running = serve_ready(
        server(),
        HttpOptions::new()
            .allowed_hosts(["mcp.example.com"])
            .allowed_origins(["https://app.example.com"]),
    )
    .await;
    let mcp = Mcp::new(running.url());
    let allowed = mcp
        .post(
            &init,
            &[
                ("host", "mcp.example.com"),
                ("origin", "https://app.example.com"),
            ],
        )
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let loopback_now_foreign = mcp.post(&init, &[]).await;
    assert_eq!(loopback_now_foreign.status, 403);
    let other_origin = mcp
        .post(
            &init,
            &[
                ("host", "mcp.example.com"),
                ("origin", "https://other.example.com"),
            ],
        )
        .await;
    assert_eq!(other_origin.status, 403);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413() {
    let running = serve_ready(server(), HttpOptions::new().stateless(true).max_body(1024)).await;
    let mcp = Mcp::new(running.url());
    let big = json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": { "name": "add", "arguments": { "a": 1, "b": 2, "pad": "x".repeat(4096) } }
    });
    let answer = mcp.post(&big, &[]).await;
    assert_eq!(answer.status, 413, "{}", answer.body);
    // The server keeps serving.
    let mut mcp = Mcp::new(running.url());
    let fine = mcp.call("add", json!({ "a": 1, "b": 2 })).await;
    assert_eq!(fine.result()["structuredContent"]["result"], 3);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn readyz_waits_for_startup_hooks_and_healthz_does_not() {
    struct Pool;
    let release = Arc::new(tokio::sync::Notify::new());
    let gate = release.clone();
    let server = Server::builder("starting")
        .tools(tools![add])
        .on_startup(move || {
            let gate = gate.clone();
            async move {
                gate.notified().await;
                Ok::<_, std::io::Error>(Pool)
            }
        })
        .build()
        .expect("builds");
    let running = serve(server, HttpOptions::new().stateless(true)).await;
    let base = format!("http://{}", running.local_addr());
    let health = reqwest::get(format!("{base}/healthz"))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let ready = reqwest::get(format!("{base}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    // MCP requests wait for startup too: refused with a retry hint.
    let mut mcp = Mcp::new(running.url());
    let early = mcp.call("add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(early.status, 503);
    assert_eq!(early.header("retry-after").as_deref(), Some("1"));

    release.notify_one();
    // Ready once the startup hook finished.
    http::wait_ready(&format!("{base}/readyz")).await;
    let later = mcp.call("add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(later.result()["structuredContent"]["result"], 2);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn metrics_count_calls_errors_and_durations_by_component() {
    let running = serve_ready(server(), HttpOptions::new().stateless(true)).await;
    let mut mcp = Mcp::new(running.url());
    for _ in 0..3 {
        mcp.call("add", json!({ "a": 1, "b": 1 })).await;
    }
    mcp.call("broken", json!({})).await;
    mcp.call("no_such_tool_xyz", json!({})).await;
    let metrics = reqwest::get(format!("http://{}/metrics", running.local_addr()))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let line = |prefix: &str| {
        metrics
            .lines()
            .find(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in:\n{metrics}"))
            .to_owned()
    };
    let value = |line: String| -> f64 {
        line.rsplit(' ')
            .next()
            .and_then(|v| v.parse().ok())
            .expect("a number")
    };
    // The registry is process-wide (other tests in this binary also call `add`): at least ours.
    assert!(
        value(line(
            r#"mcp_requests_total{method="tools/call",component="add"}"#
        )) >= 3.0
    );
    assert!(
        value(line(
            r#"mcp_request_errors_total{method="tools/call",component="broken",kind="tool_error"}"#
        )) >= 1.0
    );
    // An unknown tool is counted, under `unknown`: never the name the client made up.
    assert!(
        value(line(
            r#"mcp_request_errors_total{method="tools/call",component="unknown",kind="invalid_params"}"#
        )) >= 1.0
    );
    assert!(!metrics.contains("no_such_tool_xyz"));
    assert!(
        value(line(
            r#"mcp_request_duration_seconds_count{method="tools/call",component="add"}"#
        )) >= 3.0
    );
    assert!(metrics.contains(
        r#"mcp_request_duration_seconds_bucket{method="tools/call",component="add",le="0.005"}"#
    ));
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn shutdown_drains_a_request_in_flight_then_stops() {
    let hook_ran = Arc::new(AtomicBool::new(false));
    let flag = hook_ran.clone();
    let server = Server::builder("draining")
        .tools(tools![slow, add])
        .on_shutdown(move |_| {
            let flag = flag.clone();
            async move { flag.store(true, Ordering::SeqCst) }
        })
        .build()
        .expect("builds");
    let running = serve_ready(server, HttpOptions::new().stateless(true)).await;
    let url = running.url();
    let base = format!("http://{}", running.local_addr());
    let in_flight = tokio::spawn({
        let url = url.clone();
        async move { Mcp::new(url).call("slow", json!({ "ms": 400 })).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::spawn(running.shutdown());
    tokio::time::sleep(Duration::from_millis(50)).await;

    // While draining: not ready, and new MCP requests are refused.
    let ready = reqwest::get(format!("{base}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 503);
    let refused = Mcp::new(url.clone())
        .call("add", json!({ "a": 1, "b": 1 }))
        .await;
    assert_eq!(refused.status, 503);

    // The request in flight finishes with its real result.
    let answer = in_flight.await.expect("the call task");
    assert_eq!(text(&answer), "slept 400ms");
    stopping
        .await
        .expect("the shutdown task")
        .expect("a clean shutdown");
    assert!(hook_ran.load(Ordering::SeqCst), "the shutdown hook ran");
    // The listener is gone.
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
}

#[tokio::test]
async fn shutdown_closes_open_session_streams_instead_of_waiting_forever() {
    let running = serve_ready(server(), HttpOptions::new()).await;
    let mut mcp = Mcp::new(running.url());
    mcp.initialize().await;
    let session = mcp.session.clone().expect("a session");
    // The session's standalone SSE stream (GET), held open.
    let stream = reqwest::Client::new()
        .get(running.url())
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-06-18")
        .send()
        .await
        .expect("the GET stream opens");
    assert_eq!(stream.status(), 200);
    let started = std::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(8), running.shutdown())
        .await
        .expect("shutdown does not hang on an open stream")
        .expect("a clean shutdown");
    assert!(started.elapsed() < Duration::from_secs(8));
    drop(stream);
}

#[tokio::test]
async fn a_failed_startup_hook_stops_the_server_with_its_error() {
    struct Pool;
    let server = Server::builder("failing")
        .tools(tools![add])
        .on_startup(|| async { Err::<Pool, _>(std::io::Error::other("the database is down")) })
        .on_shutdown(|_| async { panic!("no shutdown hooks after a failed start") })
        .build()
        .expect("builds");
    let running = serve(server, HttpOptions::new()).await;
    let base = format!("http://{}", running.local_addr());
    let error = tokio::time::timeout(Duration::from_secs(10), running.wait())
        .await
        .expect("the server stops by itself")
        .expect_err("with the hook's error");
    assert!(
        error.to_string().contains("the database is down"),
        "{error}"
    );
    assert!(reqwest::get(format!("{base}/healthz")).await.is_err());
}
