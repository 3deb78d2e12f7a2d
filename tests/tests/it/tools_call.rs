//! Calling tools: how each return type reaches the client.

use crate::support::{self, connect};
use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::ResourceContents;
use mcp_runtime::testing::TestClient;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A structured result.
#[derive(Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
struct Stats {
    count: u32,
    mean: f64,
    labels: Vec<String>,
}

/// Returns a struct.
#[tool]
async fn stats(count: u32) -> Stats {
    Stats {
        count,
        mean: 1.5,
        labels: vec!["a".into(), "b\"quoted\"".into()],
    }
}

/// Returns a scalar.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Returns a list.
#[tool]
async fn evens(n: u32) -> Vec<u32> {
    (0..n).filter(|i| i % 2 == 0).collect()
}

/// Returns a String.
#[tool]
async fn greet(name: String) -> String {
    format!("Hello, {name}!")
}

/// Returns a String that looks like JSON: still text.
#[tool]
async fn json_looking() -> String {
    r#"{"result":1}"#.to_owned()
}

/// Returns a text block.
#[tool]
async fn text_block() -> Content {
    Content::text("just text")
}

/// Base64 of the bytes `PNG`.
const IMAGE_DATA: &str = "UE5H";
/// Base64 of the bytes `RIFF`.
const AUDIO_DATA: &str = "UklGRg==";

/// Returns an image.
#[tool]
async fn image() -> Content {
    Content::image(IMAGE_DATA, "image/png")
}

/// Returns audio.
#[tool]
async fn audio() -> Content {
    Content::audio(AUDIO_DATA, "audio/wav")
}

/// Returns an embedded resource.
#[tool]
async fn resource() -> Content {
    Content::resource(
        ResourceContents::text("# Notes", "notes://1").with_mime_type("text/markdown"),
    )
}

/// Returns an embedded text resource.
#[tool]
async fn embedded() -> Content {
    Content::embedded_text("file:///readme.txt", "read me")
}

/// Returns several blocks.
#[tool]
async fn several() -> Vec<Content> {
    vec![
        Content::text("first"),
        Content::image(IMAGE_DATA, "image/png"),
        Content::text("last"),
    ]
}

/// Returns a fallible content list.
#[tool]
async fn fallible_content(fail: bool) -> Result<Vec<Content>, ToolError> {
    if fail {
        Err(ToolError::new("no content today"))
    } else {
        Ok(vec![Content::text("content")])
    }
}

/// Returns a raw error result.
#[tool]
async fn raw_error() -> CallToolResult {
    CallToolResult::error(vec![Content::text("custom failure")])
}

/// Returns a raw structured result.
#[tool]
async fn raw_structured() -> CallToolResult {
    CallToolResult::structured(json!({"raw": true}))
}

/// Returns nothing.
#[tool]
async fn nothing(x: i64) {
    let _ = x;
}

/// Returns an optional scalar.
#[tool]
async fn maybe(some: bool) -> Option<i64> {
    some.then_some(42)
}

/// Returns an optional struct.
#[tool]
async fn maybe_stats(some: bool) -> Option<Stats> {
    some.then(|| Stats {
        count: 1,
        mean: 0.0,
        labels: Vec::new(),
    })
}

/// Returns arbitrary JSON.
#[tool]
async fn any_json(value: Value) -> Value {
    value
}

/// Echoes a long text.
#[tool]
async fn echo_len(text: String) -> String {
    format!("{}:{}", text.len(), text)
}

/// Waits for a signal that another call sends: deadlocks if calls are served one at a time.
#[tool]
async fn wait_for_signal(signal: State<std::sync::Arc<tokio::sync::Notify>>) -> &'static str {
    signal.notified().await;
    "signalled"
}

/// Sends the signal.
#[tool]
async fn send_signal(signal: State<std::sync::Arc<tokio::sync::Notify>>) -> &'static str {
    signal.notify_one();
    "sent"
}

/// Returns a Result of a struct.
#[tool]
async fn fallible_stats(count: u32) -> Result<Stats, ToolError> {
    Ok(Stats {
        count,
        mean: 0.5,
        labels: Vec::new(),
    })
}

async fn client() -> TestClient {
    connect(
        Server::builder("calls")
            .tools(tools![
                stats,
                add,
                evens,
                greet,
                json_looking,
                text_block,
                image,
                audio,
                resource,
                embedded,
                several,
                fallible_content,
                raw_error,
                raw_structured,
                nothing,
                maybe,
                maybe_stats,
                fallible_stats,
                any_json,
                echo_len,
                wait_for_signal,
                send_signal,
            ])
            .state(std::sync::Arc::new(tokio::sync::Notify::new()))
            .build()
            .unwrap(),
    )
    .await
}

fn content_json(result: &mcp_runtime::testing::ToolResult) -> Vec<Value> {
    result
        .0
        .content
        .iter()
        .map(|block| serde_json::to_value(block).unwrap())
        .collect()
}

#[tokio::test]
async fn struct_results_are_structured_with_a_text_copy() {
    let client = client().await;
    let result = client
        .call_tool("stats", json!({"count": 3}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    let structured = result.structured().expect("structured content").clone();
    assert_eq!(
        structured,
        json!({"count": 3, "mean": 1.5, "labels": ["a", "b\"quoted\""]})
    );
    // Exactly one text block, and it is the JSON of the structured content.
    assert_eq!(result.0.content.len(), 1, "{result:?}");
    let text = result.text();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), structured);
    assert_eq!(text, structured.to_string());
}

#[tokio::test]
async fn scalar_results_are_wrapped_as_result() {
    let client = client().await;
    let result = client
        .call_tool("add", json!({"a": 2, "b": 3}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.structured(), Some(&json!({"result": 5})));
    assert_eq!(result.text(), r#"{"result":5}"#);

    let result = client.call_tool("evens", json!({"n": 5})).await.unwrap();
    assert_eq!(result.structured(), Some(&json!({"result": [0, 2, 4]})));
    assert_eq!(result.text(), r#"{"result":[0,2,4]}"#);
}

#[tokio::test]
async fn string_results_are_text_only() {
    let client = client().await;
    let result = client
        .call_tool("greet", json!({"name": "Ada"}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.text(), "Hello, Ada!");
    assert_eq!(result.structured(), None);
    assert_eq!(result.0.content.len(), 1);

    let result = client.call_tool("json_looking", json!({})).await.unwrap();
    assert_eq!(result.text(), r#"{"result":1}"#);
    assert_eq!(result.structured(), None);
}

#[tokio::test]
async fn text_content_is_returned_as_is() {
    let client = client().await;
    let result = client.call_tool("text_block", json!({})).await.unwrap();
    assert!(!result.is_error());
    assert_eq!(
        content_json(&result),
        [json!({"type": "text", "text": "just text"})]
    );
    assert_eq!(result.structured(), None);
}

#[tokio::test]
async fn image_and_audio_content_carry_base64_and_mime_type() {
    let client = client().await;
    let result = client.call_tool("image", json!({})).await.unwrap();
    assert!(!result.is_error());
    assert_eq!(
        content_json(&result),
        [json!({"type": "image", "data": IMAGE_DATA, "mimeType": "image/png"})]
    );
    assert_eq!(result.structured(), None);

    let result = client.call_tool("audio", json!({})).await.unwrap();
    assert_eq!(
        content_json(&result),
        [json!({"type": "audio", "data": AUDIO_DATA, "mimeType": "audio/wav"})]
    );
}

#[tokio::test]
async fn embedded_resources_are_returned() {
    let client = client().await;
    let result = client.call_tool("resource", json!({})).await.unwrap();
    assert!(!result.is_error());
    assert_eq!(
        content_json(&result),
        [json!({
            "type": "resource",
            "resource": {"uri": "notes://1", "mimeType": "text/markdown", "text": "# Notes"}
        })]
    );

    let result = client.call_tool("embedded", json!({})).await.unwrap();
    assert_eq!(
        content_json(&result),
        [json!({
            "type": "resource",
            "resource": {"uri": "file:///readme.txt", "mimeType": "text/plain", "text": "read me"}
        })]
    );
}

#[tokio::test]
async fn content_lists_keep_their_order() {
    let client = client().await;
    let result = client.call_tool("several", json!({})).await.unwrap();
    let blocks = content_json(&result);
    assert_eq!(blocks.len(), 3);
    assert_eq!(blocks[0], json!({"type": "text", "text": "first"}));
    assert_eq!(blocks[1]["type"], "image");
    assert_eq!(blocks[2], json!({"type": "text", "text": "last"}));
    assert_eq!(result.text(), "first\nlast");
    assert_eq!(result.structured(), None);
}

#[tokio::test]
async fn fallible_content_succeeds_and_fails() {
    let client = client().await;
    let result = client
        .call_tool("fallible_content", json!({"fail": false}))
        .await
        .unwrap();
    assert!(!result.is_error());
    assert_eq!(result.text(), "content");
    let result = client
        .call_tool("fallible_content", json!({"fail": true}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "no content today");
}

#[tokio::test]
async fn call_tool_results_pass_through() {
    let client = client().await;
    let result = client.call_tool("raw_error", json!({})).await.unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "custom failure");
    assert_eq!(result.structured(), None);

    let result = client.call_tool("raw_structured", json!({})).await.unwrap();
    assert!(!result.is_error());
    assert_eq!(result.structured(), Some(&json!({"raw": true})));
    // Not wrapped as `{"result": …}`, even though there is no output schema.
    assert_eq!(result.json::<Value>().unwrap(), json!({"raw": true}));
}

#[tokio::test]
async fn unit_results_are_an_empty_success() {
    let client = client().await;
    let result = client.call_tool("nothing", json!({"x": 1})).await.unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert!(result.0.content.is_empty(), "{result:?}");
    assert_eq!(result.structured(), None);
}

#[tokio::test]
async fn option_results_are_wrapped_including_none() {
    let client = client().await;
    let result = client
        .call_tool("maybe", json!({"some": true}))
        .await
        .unwrap();
    assert!(!result.is_error());
    assert_eq!(result.structured(), Some(&json!({"result": 42})));
    assert_eq!(result.json::<Option<i64>>().unwrap(), Some(42));

    let result = client
        .call_tool("maybe", json!({"some": false}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.structured(), Some(&json!({"result": null})));
    assert_eq!(result.json::<Option<i64>>().unwrap(), None);

    let result = client
        .call_tool("maybe_stats", json!({"some": true}))
        .await
        .unwrap();
    assert_eq!(
        result.structured(),
        Some(&json!({"result": {"count": 1, "mean": 0.0, "labels": []}}))
    );
    let result = client
        .call_tool("maybe_stats", json!({"some": false}))
        .await
        .unwrap();
    assert_eq!(result.structured(), Some(&json!({"result": null})));
    assert_eq!(result.json::<Option<Stats>>().unwrap(), None);
}

#[tokio::test]
async fn option_result_structured_content_matches_its_output_schema() {
    let client = client().await;
    let output = support::output_schema(&client, "maybe").await;
    assert_eq!(output["type"], "object", "{output}");
    assert_eq!(output["required"], json!(["result"]), "{output}");
    // `{"result": null}` is what the tool sends for `None`, so the schema must allow null there.
    assert!(
        support::mentions_null(&output["properties"]["result"]),
        "the output schema rejects the tool's own `None` result: {output}"
    );
}

#[tokio::test]
async fn json_helper_reads_wrapped_scalars_and_structs() {
    let client = client().await;
    let result = client
        .call_tool("add", json!({"a": 20, "b": 22}))
        .await
        .unwrap();
    assert_eq!(result.json::<i64>().unwrap(), 42);
    // The wrapper itself can still be read.
    assert_eq!(result.json::<Value>().unwrap(), json!({"result": 42}));

    let result = client.call_tool("evens", json!({"n": 3})).await.unwrap();
    assert_eq!(result.json::<Vec<u32>>().unwrap(), [0, 2]);

    let result = client
        .call_tool("fallible_stats", json!({"count": 7}))
        .await
        .unwrap();
    assert_eq!(
        result.json::<Stats>().unwrap(),
        Stats {
            count: 7,
            mean: 0.5,
            labels: Vec::new()
        }
    );
    // A mismatched type is an error, not a panic or a default.
    assert!(result.json::<i64>().is_err());
    let result = client
        .call_tool("greet", json!({"name": "x"}))
        .await
        .unwrap();
    assert!(result.json::<i64>().is_err());
}

#[tokio::test]
async fn calls_without_arguments_are_accepted_by_tools_without_params() {
    let client = client().await;
    let result = client.call_tool("text_block", Value::Null).await.unwrap();
    assert_eq!(result.text(), "just text");
    // Non-object arguments are refused by the client helper.
    let error = client
        .call_tool("text_block", json!([1]))
        .await
        .unwrap_err();
    assert_eq!(error.code(), None);
}

#[tokio::test]
async fn extra_unknown_arguments_are_ignored() {
    let client = client().await;
    let result = client
        .call_tool("add", json!({"a": 1, "b": 2, "c": 99}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.json::<i64>().unwrap(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_concurrent_calls_on_one_client() {
    let client = std::sync::Arc::new(client().await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..32_i64 {
        let client = client.clone();
        tasks.spawn(async move {
            let result = client.call_tool("add", json!({"a": i, "b": 1})).await;
            (i, result)
        });
    }
    let mut seen = 0;
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.unwrap();
        assert_eq!(result.unwrap().json::<i64>().unwrap(), i + 1);
        seen += 1;
    }
    assert_eq!(seen, 32);
}

#[tokio::test]
async fn json_value_params_and_results() {
    let client = client().await;
    let schema = support::input_schema(&client, "any_json").await;
    assert_eq!(support::required(&schema), ["value"], "{schema}");
    let output = support::output_schema(&client, "any_json").await;
    assert_eq!(output["type"], "object", "{output}");
    assert_eq!(output["required"], json!(["result"]), "{output}");
    let value = json!({"nested": [1, "two", null, {"three": 3.5}]});
    let result = client
        .call_tool("any_json", json!({"value": value}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.structured(), Some(&json!({"result": value})));
    assert_eq!(result.json::<Value>().unwrap(), json!({"result": value}));
}

#[tokio::test]
async fn large_arguments_and_results_cross_the_duplex() {
    let client = client().await;
    // Several times the in-memory buffer, with multi-byte characters and JSON escapes.
    let text: String = "é\"\n\u{1F600}x".repeat(60_000);
    let result = client
        .call_tool("echo_len", json!({"text": text}))
        .await
        .unwrap();
    assert!(!result.is_error());
    assert_eq!(result.text(), format!("{}:{text}", text.len()));
}

#[tokio::test]
async fn calls_are_served_concurrently() {
    let client = std::sync::Arc::new(client().await);
    let waiter = tokio::spawn({
        let client = client.clone();
        async move { client.call_tool("wait_for_signal", json!({})).await }
    });
    // Give the first call time to start waiting, then signal it from a second call.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let sent = client.call_tool("send_signal", json!({})).await.unwrap();
    assert_eq!(sent.text(), "sent");
    let waited = tokio::time::timeout(std::time::Duration::from_secs(10), waiter)
        .await
        .expect("the first call never finished: calls are serialized")
        .unwrap()
        .unwrap();
    assert_eq!(waited.text(), "signalled");
}
