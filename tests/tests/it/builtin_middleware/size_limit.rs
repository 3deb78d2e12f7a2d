//! `SizeLimit`: oversized results become errors; oversized arguments are refused before the
//! tool runs.

use std::sync::atomic::{AtomicBool, Ordering};

use mcp_runtime::middleware::SizeLimit;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

use super::rpc_error;

/// Returns `n` bytes of text.
#[tool]
async fn blob(n: usize) -> String {
    "x".repeat(n)
}

/// Whether `upload` ran.
static UPLOAD_RAN: AtomicBool = AtomicBool::new(false);

/// Records that it ran.
#[tool]
async fn upload(data: String) -> usize {
    UPLOAD_RAN.store(true, Ordering::SeqCst);
    data.len()
}

/// A big resource.
#[resource("big://{n}")]
async fn big(n: usize) -> String {
    "y".repeat(n)
}

#[tokio::test]
async fn size_limit_turns_an_oversized_result_into_an_error() {
    let server = Server::builder("t")
        .middleware(SizeLimit::new().max_response(2048).max_request(1024))
        .tools(tools![blob, upload])
        .resources(resources![big])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;

    let small = client.call_tool("blob", json!({"n": 100})).await.unwrap();
    assert!(!small.is_error());
    assert_eq!(small.text(), "x".repeat(100));

    let large = client.call_tool("blob", json!({"n": 5000})).await.unwrap();
    assert!(large.is_error());
    let text = large.text();
    assert!(
        text.starts_with("the result of the tool `blob` is 5.0 KiB ("),
        "{text}"
    );
    assert!(
        text.contains("over the 2.0 KiB (2048 bytes) limit"),
        "{text}"
    );
    assert!(!text.contains("xxxx"));

    let error = rpc_error(client.read_resource("big://5000").await.unwrap_err());
    assert_eq!(error.code.0, -32603);
    assert!(
        error
            .message
            .starts_with("the result of the resource `big://5000` is"),
        "{}",
        error.message
    );
    let data = error.data.unwrap();
    assert_eq!(data["reason"], "response_too_large");
    assert_eq!(data["limit"], 2048);
    assert!(data["size"].as_u64().unwrap() > 5000);
    assert_eq!(client.read_text("big://10").await.unwrap(), "y".repeat(10));

    // Oversized arguments: refused before the tool runs.
    let refused = client
        .call_tool("upload", json!({"data": "z".repeat(2000)}))
        .await
        .unwrap();
    assert!(refused.is_error());
    assert!(
        refused
            .text()
            .starts_with("the arguments of the tool `upload` are 2.0 KiB"),
        "{}",
        refused.text()
    );
    assert!(!UPLOAD_RAN.load(Ordering::SeqCst), "the tool ran");
    let accepted = client
        .call_tool("upload", json!({"data": "z"}))
        .await
        .unwrap();
    assert_eq!(accepted.json::<usize>().unwrap(), 1);
}
