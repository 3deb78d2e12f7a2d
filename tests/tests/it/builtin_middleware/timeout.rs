//! `Timeout`: a default limit and a tool's own, the slow tool's context cancelled, resources
//! covered unless limited to tools.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mcp_runtime::middleware::Timeout;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

use super::{nap, rpc_error};

/// Sleeps; has its own 50ms limit.
#[tool(timeout = "50ms")]
async fn quick_limit(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "done".to_owned()
}

/// Sleeps; has its own 400ms limit, longer than the default.
#[tool(timeout = "400ms")]
async fn long_limit(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "done".to_owned()
}

/// Whether the slow tool's `Ctx` saw the cancellation.
#[derive(Default)]
struct Observed {
    cancelled: AtomicBool,
    notify: tokio::sync::Notify,
}

/// Hands its cancellation token to background work, then takes forever.
#[tool]
async fn slow(ctx: Ctx, observed: State<Arc<Observed>>) -> String {
    let token = ctx.cancellation_token().clone();
    let observed = Arc::clone(&observed);
    tokio::spawn(async move {
        token.cancelled().await;
        observed.cancelled.store(true, Ordering::SeqCst);
        observed.notify.notify_one();
    });
    tokio::time::sleep(Duration::from_secs(30)).await;
    "finished".to_owned()
}

/// A slow resource.
#[resource("slow://{ms}")]
async fn slow_resource(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "read".to_owned()
}

fn timeout_server(timeout: Timeout, observed: Arc<Observed>) -> Server {
    Server::builder("t")
        .state(observed)
        .middleware(timeout)
        .tools(tools![quick_limit, long_limit, slow, nap])
        .resources(resources![slow_resource])
        .build()
        .unwrap()
}

#[tokio::test]
async fn timeout_applies_the_default_and_a_tools_own_limit() {
    let observed = Arc::new(Observed::default());
    let client = TestClient::new(timeout_server(
        Timeout::new(Duration::from_millis(100)),
        observed,
    ))
    .await;

    // No limit of its own: the default.
    let started = Instant::now();
    let result = client.call_tool("nap", json!({"ms": 5000})).await.unwrap();
    let took = started.elapsed();
    assert!(result.is_error());
    assert_eq!(result.text(), "the tool `nap` timed out after 100ms");
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");

    // Its own, shorter limit.
    let started = Instant::now();
    let result = client
        .call_tool("quick_limit", json!({"ms": 5000}))
        .await
        .unwrap();
    assert_eq!(result.text(), "the tool `quick_limit` timed out after 50ms");
    assert!(started.elapsed() < Duration::from_millis(100) + Duration::from_millis(500));

    // Its own, longer limit overrides the default: 200ms is fine for it.
    let result = client
        .call_tool("long_limit", json!({"ms": 200}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
    assert_eq!(result.text(), "done");
    let result = client
        .call_tool("long_limit", json!({"ms": 5000}))
        .await
        .unwrap();
    assert_eq!(result.text(), "the tool `long_limit` timed out after 400ms");

    // Fast enough: untouched.
    let result = client.call_tool("nap", json!({"ms": 1})).await.unwrap();
    assert_eq!(result.text(), "rested");
}

/// Runs outside `Timeout`: once the rest of the pipeline answered, and before the answer goes
/// back to rmcp (which cancels every request's token once it responds), records whether the
/// slow tool's background work saw the cancellation.
struct Probe {
    observed: Arc<Observed>,
    before_response: Arc<AtomicBool>,
}

impl mcp_runtime::middleware::Middleware for Probe {
    fn on_request(
        &self,
        request: mcp_runtime::middleware::Request,
        next: Next,
    ) -> mcp_runtime::tool::BoxFuture<'_, Result<mcp_runtime::middleware::Response, McpError>> {
        Box::pin(async move {
            let response = next.run_request(request).await;
            // Let the tool's background task run (the runtime has one thread).
            for _ in 0..100 {
                if self.observed.cancelled.load(Ordering::SeqCst) {
                    break;
                }
                tokio::task::yield_now().await;
            }
            self.before_response.store(
                self.observed.cancelled.load(Ordering::SeqCst),
                Ordering::SeqCst,
            );
            response
        })
    }
}

#[tokio::test]
async fn timeout_cancels_the_slow_tools_context() {
    let observed = Arc::new(Observed::default());
    let before_response = Arc::new(AtomicBool::new(false));
    let server = Server::builder("t")
        .state(observed.clone())
        .middleware(Probe {
            observed: observed.clone(),
            before_response: before_response.clone(),
        })
        .middleware(Timeout::new(Duration::from_millis(100)))
        .tools(tools![slow])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let started = Instant::now();
    let result = client.call_tool("slow", json!({})).await.unwrap();
    assert_eq!(result.text(), "the tool `slow` timed out after 100ms");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        before_response.load(Ordering::SeqCst),
        "the tool's cancellation token was not cancelled when the timeout answered"
    );
}

#[tokio::test]
async fn timeout_covers_resources_unless_limited_to_tools() {
    let observed = Arc::new(Observed::default());
    let client = TestClient::new(timeout_server(
        Timeout::new(Duration::from_millis(100)),
        observed.clone(),
    ))
    .await;
    let error = rpc_error(client.read_resource("slow://5000").await.unwrap_err());
    assert_eq!(error.code.0, -32603);
    assert_eq!(error.message, "reading `slow://5000` timed out after 100ms");
    assert_eq!(error.data.unwrap()["reason"], "timeout");
    assert_eq!(client.read_text("slow://1").await.unwrap(), "read");

    let client = TestClient::new(timeout_server(
        Timeout::new(Duration::from_millis(100)).tools_only(),
        observed,
    ))
    .await;
    assert_eq!(client.read_text("slow://300").await.unwrap(), "read");
}

/// A slow resource with its own limit.
#[resource("limited://{ms}", timeout = "50ms")]
async fn limited_resource(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "read".to_owned()
}

/// A slow prompt with its own limit.
#[prompt(timeout = "50ms")]
async fn limited_prompt(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "said".to_owned()
}

#[tokio::test]
async fn a_resources_and_a_prompts_own_timeout_hold_without_the_middleware() {
    let server = Server::builder("t")
        .resources(resources![limited_resource])
        .prompts(prompts![limited_prompt])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;

    let started = Instant::now();
    let error = rpc_error(client.read_resource("limited://5000").await.unwrap_err());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(error.code.0, -32603);
    assert_eq!(
        error.message,
        "reading `limited://5000` timed out after 50ms"
    );
    let data = error.data.unwrap();
    assert_eq!(data["reason"], "timeout");
    assert_eq!(data["timeout_ms"], 50);
    assert_eq!(client.read_text("limited://1").await.unwrap(), "read");

    let started = Instant::now();
    let error = rpc_error(
        client
            .get_prompt("limited_prompt", json!({"ms": "5000"}))
            .await
            .unwrap_err(),
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        error.message,
        "the prompt `limited_prompt` timed out after 50ms"
    );
    assert_eq!(error.data.unwrap()["prompt"], "limited_prompt");
    let fine = client
        .get_prompt("limited_prompt", json!({"ms": "1"}))
        .await
        .unwrap();
    assert_eq!(fine.messages.len(), 1);
}
