//! `ErrorHandling`: unexpected internal errors masked behind a logged correlation id, visible
//! errors and codes kept, middleware panics turned into errors.

use std::time::Duration;

use mcp_runtime::middleware::ErrorHandling;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;
use tracing::Level;

use super::{basic_tools, capture::Capture, note, rpc_error};

/// Fails with an internal error that carries a secret, as a `?` in middleware would.
#[middleware]
async fn leaky(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    if req.name == "login" {
        return Err(McpError::internal_error(
            "pool exhausted: postgres://admin:s3cret@db",
            None,
        ));
    }
    next.run(req).await
}

/// Panics on `refuse`.
#[middleware]
async fn panicky(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    if req.name == "refuse" {
        panic!("the middleware fell over");
    }
    next.run(req).await
}

fn error_server(handling: ErrorHandling) -> Server {
    Server::builder("t")
        .middleware(handling)
        .middleware(leaky)
        .middleware(panicky)
        .tools(basic_tools())
        .resources(resources![note])
        .build()
        .unwrap()
}

#[tokio::test]
async fn error_handling_masks_unexpected_internal_errors_with_a_logged_correlation_id() {
    let (capture, _guard) = Capture::install();
    let client = TestClient::new(error_server(ErrorHandling::new())).await;
    let error = rpc_error(
        client
            .call_tool("login", json!({"user": "a", "password": "b"}))
            .await
            .unwrap_err(),
    );
    assert_eq!(error.code.0, -32603);
    assert!(!error.message.contains("s3cret"), "{}", error.message);
    let id = error.data.as_ref().unwrap()["correlation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(error.message, format!("internal error (ref {id})"));
    assert_eq!(
        error.data,
        Some(json!({"correlation_id": id})),
        "nothing else"
    );

    // The log has the whole error, under the same id.
    let logged = capture.events(ErrorHandling::TARGET);
    assert_eq!(logged.len(), 1, "{logged:#?}");
    assert_eq!(logged[0].level, Level::ERROR);
    assert_eq!(logged[0].field("correlation_id"), Some(id.as_str()));
    assert!(
        logged[0].field("error").unwrap().contains("s3cret"),
        "{logged:?}"
    );
}

#[tokio::test]
async fn error_handling_can_show_internal_errors() {
    let client = TestClient::new(error_server(ErrorHandling::new().show_internal(true))).await;
    let error = rpc_error(
        client
            .call_tool("login", json!({"user": "a", "password": "b"}))
            .await
            .unwrap_err(),
    );
    assert_eq!(error.code.0, -32603);
    assert_eq!(error.message, "pool exhausted: postgres://admin:s3cret@db");
    assert!(error.data.unwrap()["correlation_id"].is_string());

    // By default it follows the server's own setting.
    let server = Server::builder("t")
        .mask_internal_errors(false)
        .middleware(ErrorHandling::new())
        .middleware(leaky)
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let error = client
        .call_tool("login", json!({"user": "a", "password": "b"}))
        .await
        .unwrap_err();
    assert_eq!(
        error.message(),
        Some("pool exhausted: postgres://admin:s3cret@db")
    );
}

#[tokio::test]
async fn error_handling_keeps_codes_and_visible_messages() {
    let client = TestClient::new(error_server(ErrorHandling::new())).await;

    let unknown = rpc_error(client.call_tool("nope", json!({})).await.unwrap_err());
    assert_eq!(unknown.code.0, -32602);
    assert_eq!(unknown.message, "unknown tool `nope`");
    assert_eq!(unknown.data, Some(json!({"tool": "nope"})));

    let missing = rpc_error(client.read_resource("files://x").await.unwrap_err());
    assert_eq!(missing.code.0, -32002);
    assert_eq!(missing.message, "resource not found: `files://x`");

    let invalid = rpc_error(client.read_resource("notes://abc").await.unwrap_err());
    assert_eq!(invalid.code.0, -32602, "{invalid:?}");

    // A resource's own visible -32603 message stays, and gains the correlation id.
    let locked = rpc_error(client.read_resource("notes://7").await.unwrap_err());
    assert_eq!(locked.code.0, -32603);
    assert_eq!(locked.message, "note 7 is locked");
    let data = locked.data.unwrap();
    assert_eq!(data["uri"], "notes://7");
    assert!(data["correlation_id"].is_string(), "{data}");

    // Tool errors stay tool errors, with their message (without the panicking middleware).
    let server = Server::builder("t")
        .middleware(ErrorHandling::new())
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let refused = client.call_tool("refuse", json!({})).await.unwrap();
    assert!(refused.is_error());
    assert_eq!(refused.text(), "not today");
    let invalid = client
        .call_tool("nap", json!({"ms": "soon"}))
        .await
        .unwrap();
    assert!(invalid.is_error());
    assert!(
        invalid.text().starts_with("invalid arguments:"),
        "{}",
        invalid.text()
    );
}

#[tokio::test]
async fn error_handling_turns_a_middleware_panic_into_an_error_instead_of_silence() {
    let client = TestClient::new(error_server(ErrorHandling::new())).await;
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        client.call_tool("refuse", json!({})),
    )
    .await
    .expect("no answer: the panic was not caught");
    let error = rpc_error(answer.unwrap_err());
    assert_eq!(error.code.0, -32603);
    assert!(
        error.message.starts_with("internal error (ref "),
        "{}",
        error.message
    );
    assert!(!error.message.contains("fell over"));
    // The session is still usable.
    let ok = client.call_tool("nap", json!({"ms": 1})).await.unwrap();
    assert_eq!(ok.text(), "rested");

    let client = TestClient::new(error_server(ErrorHandling::new().show_internal(true))).await;
    let error = client.call_tool("refuse", json!({})).await.unwrap_err();
    assert!(
        error
            .message()
            .unwrap()
            .starts_with("a middleware panicked: the middleware fell over"),
        "{error}"
    );
}

#[tokio::test]
async fn error_handling_ties_masked_tool_errors_and_server_logs_to_one_id() {
    let (capture, _guard) = Capture::install();
    let server = Server::builder("t")
        .middleware(ErrorHandling::new())
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let result = client.call_tool("broken", json!({})).await.unwrap();
    assert!(result.is_error());
    let text = result.text();
    let id = text
        .strip_prefix("internal error (ref ")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!text.contains("10.0.0.7"));
    // The server's own log line of the failure is inside the request's span.
    let logged = capture
        .all()
        .into_iter()
        .find(|event| event.message() == "tool call failed with an internal error")
        .expect("the server logged the failure");
    assert_eq!(
        logged.spans.get("correlation_id").map(String::as_str),
        Some(id)
    );
    assert!(logged.field("error").unwrap().contains("10.0.0.7"));

    // Tools can read the id; each request has its own.
    let first = client
        .call_tool("my_correlation_id", json!({}))
        .await
        .unwrap();
    let second = client
        .call_tool("my_correlation_id", json!({}))
        .await
        .unwrap();
    assert_eq!(first.text().len(), 16, "{}", first.text());
    assert_ne!(first.text(), second.text());
}
