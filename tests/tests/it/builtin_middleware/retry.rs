//! `Retry`: idempotent tools rerun with backoff until they succeed or the attempts run out;
//! others, and invalid arguments, never rerun.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mcp_runtime::middleware::Retry;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

use super::{runs, server};

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
