//! Logs that reach the client: `Ctx` helpers, `tracing` events inside a request, and the level
//! the client sets with `logging/setLevel`.
#![allow(deprecated)] // MCP logging is deprecated (SEP-2577); 2026-07-28 asks for it per request.

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
    tracing::debug!(rows, "a detail");
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

/// Sends `lines` to a server over the stdio codec and returns every line it writes until the
/// answers to all of them and `notifications` log messages arrived (or a second passed after
/// the last answer: log messages are sent from a task of their own, so they may trail).
async fn exchange(lines: &[serde_json::Value], notifications: usize) -> Vec<serde_json::Value> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (client, io) = tokio::io::duplex(1 << 16);
    let serving = tokio::spawn(server().serve(io));
    let (read, mut write) = tokio::io::split(client);
    for line in lines {
        write
            .write_all(format!("{line}\n").as_bytes())
            .await
            .expect("writes");
    }
    let mut answers = BufReader::new(read).lines();
    let mut seen: Vec<serde_json::Value> = Vec::new();
    let count = |seen: &[serde_json::Value], answers: bool| {
        seen.iter()
            .filter(|m| m.get("id").is_some() == answers)
            .count()
    };
    while count(&seen, true) < lines.len() || count(&seen, false) < notifications {
        let wait = if count(&seen, true) < lines.len() {
            10_000
        } else {
            1_000
        };
        let Ok(line) = tokio::time::timeout(Duration::from_millis(wait), answers.next_line()).await
        else {
            break;
        };
        let line = line.expect("readable").expect("a line");
        seen.push(serde_json::from_str(&line).expect("JSON"));
    }
    drop(write);
    drop(answers);
    serving.await.expect("no panic").expect("ends cleanly");
    seen
}

/// A 2026-07-28 `tools/call` of `traced` with `rows`, with `log_level` in its `_meta` when
/// given.
fn modern_call(id: i64, rows: u32, log_level: Option<&str>) -> serde_json::Value {
    let mut meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    if let Some(level) = log_level {
        meta["io.modelcontextprotocol/logLevel"] = json!(level);
    }
    json!({
        "jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": { "name": "traced", "arguments": { "rows": rows }, "_meta": meta }
    })
}

#[tokio::test]
async fn on_2026_07_28_the_requests_own_log_level_asks_for_its_messages() {
    let _guard = crate::support::set_thread_default(
        tracing_subscriber::registry().with(mcp_runtime::logging::client_layer()),
    );
    let seen = exchange(
        &[
            modern_call(1, 10, Some("info")),
            modern_call(2, 20, None),
            modern_call(3, 30, Some("debug")),
        ],
        3,
    )
    .await;
    // Each call logs with its own `rows`: whose messages arrived, at which levels.
    let levels = |rows: u32| -> Vec<String> {
        let mut levels: Vec<String> = seen
            .iter()
            .filter(|m| m["method"] == "notifications/message")
            .filter(|m| m["params"]["data"]["rows"] == rows)
            .map(|m| m["params"]["level"].as_str().unwrap_or_default().to_owned())
            .collect();
        levels.sort();
        levels
    };
    assert_eq!(levels(10), ["info"], "{seen:#?}");
    assert!(levels(20).is_empty(), "no logLevel, no messages: {seen:#?}");
    assert_eq!(levels(30), ["debug", "info"], "{seen:#?}");
}
