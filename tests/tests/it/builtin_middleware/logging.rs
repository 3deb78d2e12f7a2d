//! `Logging`: one event per request (method, component, outcome, duration, sizes), payloads
//! only when asked for, with secrets redacted.

use mcp_runtime::middleware::Logging;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::{Value, json};
use tracing::Level;

use super::{basic_tools, capture::Capture};

#[tokio::test]
async fn logging_records_method_component_outcome_duration_and_sizes_without_payloads() {
    let (capture, _guard) = Capture::install();
    let server = Server::builder("t")
        .middleware(Logging::new())
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let arguments = json!({"user": "ada", "password": "hunter2"});
    let result = client.call_tool("login", arguments.clone()).await.unwrap();
    assert!(!result.is_error(), "{}", result.text());
    client.call_tool("refuse", json!({})).await.unwrap();
    let unknown = client.call_tool("nope", json!({})).await.unwrap_err();
    assert_eq!(unknown.code(), Some(-32602));
    client.list_tools().await.unwrap();

    let events = capture.events(Logging::TARGET);
    assert_eq!(events.len(), 4, "{events:#?}");
    let [ok, tool_error, error, list] = &events[..] else {
        unreachable!()
    };

    assert_eq!(ok.level, Level::INFO);
    assert_eq!(ok.field("method"), Some("tools/call"));
    assert_eq!(ok.field("component"), Some("login"));
    assert_eq!(ok.field("outcome"), Some("ok"));
    let duration: f64 = ok.field("duration_ms").unwrap().parse().unwrap();
    assert!(duration >= 0.0);
    assert!(ok.field("request_id").is_some());
    let request_bytes = serde_json::to_vec(&arguments).unwrap().len().to_string();
    assert_eq!(ok.field("request_bytes"), Some(request_bytes.as_str()));
    // The answer as the transport wrote it (counted by that one serialization): the
    // JSON-RPC message around the result the client received.
    let response_bytes: usize = ok.field("response_bytes").unwrap().parse().unwrap();
    let id = ok.field("request_id").unwrap();
    let written = format!(
        r#"{{"jsonrpc":"2.0","id":{id},"result":{}}}"#,
        serde_json::to_string(&result.0).unwrap()
    );
    assert_eq!(response_bytes, written.len(), "{written}");
    // No payloads by default, so no secret either.
    assert_eq!(ok.field("request"), None);
    assert_eq!(ok.field("response"), None);
    for event in &events {
        assert!(
            !event.fields.values().any(|value| value.contains("hunter2")),
            "{event:?}"
        );
    }

    assert_eq!(tool_error.field("component"), Some("refuse"));
    assert_eq!(tool_error.field("outcome"), Some("tool_error"));

    assert_eq!(error.level, Level::WARN);
    assert_eq!(error.field("outcome"), Some("error"));
    assert_eq!(error.field("component"), Some("nope"));
    assert_eq!(error.field("error_code"), Some("-32602"));
    assert_eq!(error.field("error"), Some("unknown tool `nope`"));
    // An error's answer is measured too: the JSON-RPC error message.
    let error_bytes: usize = error.field("response_bytes").unwrap().parse().unwrap();
    let mcp_runtime::testing::ClientError::Rpc(received) = &unknown else {
        panic!("not a JSON-RPC error: {unknown:?}")
    };
    let written = format!(
        r#"{{"jsonrpc":"2.0","id":{},"error":{}}}"#,
        error.field("request_id").unwrap(),
        serde_json::to_string(received).unwrap()
    );
    assert_eq!(error_bytes, written.len(), "{written}");

    assert_eq!(list.field("method"), Some("tools/list"));
    assert_eq!(list.field("component"), Some(""));
    assert_eq!(list.field("request_bytes"), Some("0"));
    let tools = client.list_tools().await.unwrap();
    let list_bytes: usize = list.field("response_bytes").unwrap().parse().unwrap();
    let mut listed = mcp_runtime::rmcp::model::ListToolsResult::with_all_items(tools);
    // Not on the protocol version this client speaks.
    listed.result_type = None;
    let listed = serde_json::to_string(&listed).unwrap();
    assert_eq!(
        list_bytes,
        format!(
            r#"{{"jsonrpc":"2.0","id":{},"result":{listed}}}"#,
            list.field("request_id").unwrap()
        )
        .len()
    );
}

#[tokio::test]
async fn logging_payloads_are_logged_when_enabled_with_secrets_redacted() {
    let (capture, _guard) = Capture::install();
    let server = Server::builder("t")
        .middleware(Logging::new().with_payloads(true).redact(["user"]))
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    client
        .call_tool("login", json!({"user": "ada", "password": "hunter2"}))
        .await
        .unwrap();
    let session = client
        .call_tool("open_session", json!({"user": "bob"}))
        .await
        .unwrap();
    // The client itself gets the real token.
    assert!(
        session.text().contains("tok-very-secret"),
        "{}",
        session.text()
    );

    let events = capture.events(Logging::TARGET);
    assert_eq!(events.len(), 2, "{events:#?}");
    let request: Value = serde_json::from_str(events[0].field("request").unwrap()).unwrap();
    assert_eq!(
        request,
        json!({"user": "[redacted]", "password": "[redacted]"}),
        "default keys and added keys are redacted"
    );
    let response = events[0].field("response").unwrap();
    assert!(response.contains("welcome ada"), "{response}");

    let response = events[1].field("response").unwrap();
    assert!(
        !response.contains("tok-very-secret"),
        "the token leaked, in the structured result or its text copy: {response}"
    );
    let response: Value = serde_json::from_str(response).unwrap();
    assert_eq!(
        response["structuredContent"],
        json!({"user": "[redacted]", "token": "[redacted]"})
    );
}

#[tokio::test]
async fn over_http_response_bytes_is_the_response_body_as_sent() {
    use crate::support::http::{Mcp, serve_ready};
    use mcp_runtime::http::HttpOptions;

    let (capture, _guard) = Capture::install();
    for stateless in [true, false] {
        let server = Server::builder("t")
            .middleware(Logging::new())
            .tools(basic_tools())
            .build()
            .unwrap();
        let running = serve_ready(server, HttpOptions::new().stateless(stateless)).await;
        let mut mcp = Mcp::new(running.url());
        mcp.initialize().await;
        // Stateless: a JSON body. Stateful: an event stream, counted with its framing.
        let answer = mcp
            .call("login", json!({"user": "ada", "password": "hunter2"}))
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        running.shutdown().await.expect("clean shutdown");

        let events = capture.events(Logging::TARGET);
        let call = events
            .iter()
            .rfind(|event| event.field("method") == Some("tools/call"))
            .unwrap_or_else(|| panic!("no tools/call event: {events:#?}"));
        let logged: usize = call.field("response_bytes").unwrap().parse().unwrap();
        assert_eq!(
            logged,
            answer.body.len(),
            "stateless: {stateless}; body: {}",
            answer.body
        );
    }
}
