//! Logs that reach the client: `Ctx` helpers, `tracing` events inside a request, and the level
//! the client sets with `logging/setLevel`.
#![allow(deprecated)] // MCP logging is gone from 2026-07-28 on; older versions still have it.

use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::LoggingLevel;
use mcp_runtime::testing::{Notification, TestClient};
use serde_json::json;
use tracing_subscriber::prelude::*;

/// Reports progress in words.
#[tool]
async fn chatty(ctx: Ctx) -> (bool, bool) {
    let info = ctx.info("starting").await;
    let warning = ctx.warning("almost out of coffee").await;
    (info, warning)
}

/// Logs with `tracing`, as any library code inside a tool would.
#[tool]
async fn traced(rows: u32) -> u32 {
    tracing::info!(rows, "loaded the rows");
    tracing::debug!("a detail");
    rows
}

/// Logs with `tracing` from the blocking thread pool.
#[tool(blocking)]
fn traced_blocking(rows: u32) -> u32 {
    tracing::warn!(rows, "scanned the rows on a blocking thread");
    rows
}

fn server() -> Server {
    Server::builder("logs")
        .tools(tools![chatty, traced, traced_blocking])
        .build()
        .unwrap()
}

fn logs(client: &TestClient) -> Vec<(LoggingLevel, serde_json::Value)> {
    client
        .notifications()
        .into_iter()
        .filter_map(|n| match n {
            Notification::Log(param) => Some((param.level, param.data)),
            _ => None,
        })
        .collect()
}

async fn wait_for_logs(
    client: &TestClient,
    count: usize,
) -> Vec<(LoggingLevel, serde_json::Value)> {
    for _ in 0..200 {
        let logs = logs(client);
        if logs.len() >= count {
            return logs;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    logs(client)
}

#[tokio::test]
async fn ctx_helpers_send_log_messages_to_the_client() {
    let client = TestClient::new(server()).await;
    let sent = client.call_tool("chatty", json!({})).await.unwrap();
    assert_eq!(sent.json::<(bool, bool)>().unwrap(), (true, true));
    let logs = wait_for_logs(&client, 2).await;
    assert_eq!(
        logs,
        [
            (LoggingLevel::Info, json!("starting")),
            (LoggingLevel::Warning, json!("almost out of coffee")),
        ]
    );
}

#[tokio::test]
async fn the_level_the_client_sets_filters_ctx_messages() {
    let client = TestClient::new(server()).await;
    client.set_log_level(LoggingLevel::Warning).await.unwrap();
    let sent = client.call_tool("chatty", json!({})).await.unwrap();
    // `info` is below the client's level and is not sent; `warning` is.
    assert_eq!(sent.json::<(bool, bool)>().unwrap(), (false, true));
    let logs = wait_for_logs(&client, 1).await;
    assert_eq!(
        logs,
        [(LoggingLevel::Warning, json!("almost out of coffee"))]
    );
}

#[tokio::test]
async fn tracing_events_inside_a_request_reach_a_client_that_set_a_level() {
    // The server's tasks run on this (current-thread) runtime, so a thread default applies.
    let _guard = crate::support::set_thread_default(
        tracing_subscriber::registry().with(mcp_runtime::logging::client_layer()),
    );
    let client = TestClient::new(server()).await;

    // No level set: events stay in the server's logs.
    client
        .call_tool("traced", json!({"rows": 3}))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(logs(&client).is_empty(), "{:?}", logs(&client));

    client.set_log_level(LoggingLevel::Info).await.unwrap();
    client
        .call_tool("traced", json!({"rows": 7}))
        .await
        .unwrap();
    let logs = wait_for_logs(&client, 1).await;
    // `info` passes with its fields; `debug` is below the level.
    assert_eq!(
        logs,
        [(
            LoggingLevel::Info,
            json!({"message": "loaded the rows", "rows": 7})
        )]
    );
}

#[tokio::test]
async fn tracing_events_of_a_blocking_tool_reach_the_client_from_its_thread() {
    // A thread default, which the blocking pool's threads do not share on their own.
    let _guard = crate::support::set_thread_default(
        tracing_subscriber::registry().with(mcp_runtime::logging::client_layer()),
    );
    let client = TestClient::new(server()).await;
    client.set_log_level(LoggingLevel::Info).await.unwrap();
    let result = client
        .call_tool("traced_blocking", json!({"rows": 9}))
        .await
        .unwrap();
    assert_eq!(result.json::<u32>().unwrap(), 9);
    let logs = wait_for_logs(&client, 1).await;
    assert_eq!(
        logs,
        [(
            LoggingLevel::Warning,
            json!({"message": "scanned the rows on a blocking thread", "rows": 9})
        )]
    );
}
