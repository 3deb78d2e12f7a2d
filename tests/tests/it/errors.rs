//! Failures: tool errors, internal errors and masking, unknown tools, panics.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::connect;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

/// Finds a note.
#[tool]
async fn find_note(id: u64) -> Result<String, ToolError> {
    if id == 7 {
        Ok("note 7".into())
    } else {
        Err(ToolError::new(format!("no note with id {id}")))
    }
}

/// Reads a file that is not there.
#[tool]
async fn read_disk() -> Result<i64, std::io::Error> {
    Err(std::io::Error::other("disk on fire"))
}

/// Uses `?` on a std error inside a `ToolError` function.
#[tool]
async fn parse_number(text: String) -> Result<i64, ToolError> {
    let number: i64 = text.parse()?;
    Ok(number)
}

/// A string turned into an internal error.
#[tool]
async fn internal_string() -> Result<(), ToolError> {
    Err(ToolError::internal("the cache is corrupt"))
}

/// An rmcp error: its message is meant for the caller.
#[tool]
async fn rmcp_error() -> Result<i64, mcp_runtime::rmcp::ErrorData> {
    Err(mcp_runtime::rmcp::ErrorData::invalid_params("bad id", None))
}

/// Counts its calls.
#[tool]
async fn count(calls: State<Arc<AtomicUsize>>) -> usize {
    calls.fetch_add(1, Ordering::SeqCst) + 1
}

/// Panics with a static message.
#[tool]
async fn boom() -> i64 {
    panic!("boom")
}

/// Panics with a formatted message, after an await.
#[tool]
async fn boom_later(n: u32) -> String {
    tokio::task::yield_now().await;
    panic!("failed at step {n}")
}

fn server(mask: bool) -> Server {
    Server::builder("errors")
        .state(Arc::new(AtomicUsize::new(0)))
        .mask_internal_errors(mask)
        .tools(tools![
            find_note,
            read_disk,
            parse_number,
            internal_string,
            rmcp_error,
            count,
            boom,
            boom_later,
        ])
        .build()
        .unwrap()
}

async fn masked() -> TestClient {
    connect(server(true)).await
}

async fn unmasked() -> TestClient {
    connect(server(false)).await
}

#[tokio::test]
async fn tool_error_new_reaches_the_caller_verbatim() {
    let client = masked().await;
    let result = client
        .call_tool("find_note", json!({"id": 3}))
        .await
        .unwrap();
    assert!(result.is_error(), "{result:?}");
    assert_eq!(result.text(), "no note with id 3");
    assert_eq!(result.structured(), None);
    assert_eq!(result.0.content.len(), 1);
    let result = client
        .call_tool("find_note", json!({"id": 7}))
        .await
        .unwrap();
    assert!(!result.is_error());
    assert_eq!(result.text(), "note 7");
}

#[tokio::test]
async fn std_errors_are_masked_as_internal_error_by_default() {
    let client = masked().await;
    let result = client.call_tool("read_disk", json!({})).await.unwrap();
    assert!(result.is_error(), "{result:?}");
    assert_eq!(result.text(), "internal error");
    assert_eq!(result.structured(), None);

    let result = client
        .call_tool("parse_number", json!({"text": "x1"}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "internal error");
    let result = client
        .call_tool("parse_number", json!({"text": "41"}))
        .await
        .unwrap();
    assert_eq!(result.json::<i64>().unwrap(), 41);

    let result = client
        .call_tool("internal_string", json!({}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "internal error");
}

#[tokio::test]
async fn unmasked_servers_show_the_real_message() {
    let client = unmasked().await;
    let result = client.call_tool("read_disk", json!({})).await.unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "disk on fire");
    let result = client
        .call_tool("parse_number", json!({"text": "x1"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "invalid digit found in string");
    let result = client
        .call_tool("internal_string", json!({}))
        .await
        .unwrap();
    assert_eq!(result.text(), "the cache is corrupt");
    // Caller-visible errors look the same either way.
    let result = client
        .call_tool("find_note", json!({"id": 1}))
        .await
        .unwrap();
    assert_eq!(result.text(), "no note with id 1");
}

#[tokio::test]
async fn rmcp_errors_stay_visible_when_masked() {
    let client = masked().await;
    let result = client.call_tool("rmcp_error", json!({})).await.unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "bad id");
}

#[tokio::test]
async fn unknown_tools_are_a_jsonrpc_invalid_params_error() {
    let client = masked().await;
    let error = client
        .call_tool("no_such_tool", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(-32602), "{error}");
    let message = error.message().expect("an RPC error has a message");
    assert!(message.contains("no_such_tool"), "{message}");
    // The session is still usable.
    let result = client
        .call_tool("find_note", json!({"id": 7}))
        .await
        .unwrap();
    assert_eq!(result.text(), "note 7");
}

#[tokio::test]
async fn a_panicking_tool_is_an_error_result_and_the_server_keeps_serving() {
    let client = masked().await;
    let result = client.call_tool("boom", json!({})).await.unwrap();
    assert!(result.is_error(), "{result:?}");
    assert_eq!(result.text(), "internal error");
    // The same client, the next call.
    let result = client.call_tool("count", json!({})).await.unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.json::<usize>().unwrap(), 1);
    let result = client
        .call_tool("boom_later", json!({"n": 4}))
        .await
        .unwrap();
    assert!(result.is_error());
    let result = client.call_tool("count", json!({})).await.unwrap();
    assert_eq!(result.json::<usize>().unwrap(), 2);
    assert_eq!(client.list_tools().await.unwrap().len(), 8);
}

#[tokio::test]
async fn unmasked_panics_show_their_message() {
    let client = unmasked().await;
    let result = client.call_tool("boom", json!({})).await.unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "the tool panicked: boom");
    let result = client
        .call_tool("boom_later", json!({"n": 4}))
        .await
        .unwrap();
    assert_eq!(result.text(), "the tool panicked: failed at step 4");
}

#[tokio::test]
async fn validation_errors_are_not_masked() {
    let client = masked().await;
    let result = client
        .call_tool("find_note", json!({"id": "seven"}))
        .await
        .unwrap();
    assert!(result.is_error());
    let text = result.text();
    assert!(text.starts_with("invalid arguments: "), "{text}");
    assert!(text.contains("`id`"), "{text}");
}

#[tokio::test]
async fn a_closed_client_reports_a_clean_shutdown() {
    let client = masked().await;
    let result = client
        .call_tool("find_note", json!({"id": 7}))
        .await
        .unwrap();
    assert!(!result.is_error());
    client.close().await.expect("the server stops cleanly");
}
