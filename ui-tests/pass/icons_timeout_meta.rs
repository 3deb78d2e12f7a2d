// The shared keys `icons`, `timeout` and `meta` on all three kinds: each form of icon (a URL;
// `icon(…)` with some or every field), every kind of `meta` value, and a timeout. Run, the
// server lists each component with its icons and `_meta`, and a slow component is cut off at
// its own timeout.
use std::time::Duration;

use mcp_runtime::middleware::Timeout;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

/// Add two integers.
#[tool(
    icons = [
        "https://example.com/add.png",
        icon(src = "https://example.com/add.svg", mime_type = "image/svg+xml", sizes = ["any"]),
        icon(
            src = "data:image/png;base64,iVBORw0KGgo=",
            mime_type = "image/png",
            sizes = ["16x16", "48x48"],
            theme = "dark",
        ),
    ],
    timeout = "5s",
    meta(
        version = "2",
        rank = 3,
        below = -1,
        big = 18446744073709551615,
        weight = 0.5,
        beta = true,
        "com.example/owner" = "math",
        r#type = "sum",
    )
)]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Never finishes in time.
#[tool(timeout = "20ms")]
async fn slow_tool() -> String {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "late".to_owned()
}

/// The index of all notes.
#[resource(
    "notes://index",
    icons = [icon(src = "http://example.com/notes.png", theme = "light")],
    timeout = "2m",
    meta(shelf = "top")
)]
async fn index() -> String {
    "# Notes".to_owned()
}

/// Never finishes in time.
#[resource("notes://slow", timeout = "20ms")]
async fn slow_resource() -> String {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "late".to_owned()
}

/// Ask the model to summarise a topic.
#[prompt(
    icons = ["https://example.com/summary.png"],
    timeout = "250ms",
    meta("com.example/audience" = "writers", max_words = 200)
)]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

/// Never finishes in time.
#[prompt(timeout = "20ms")]
async fn slow_prompt() -> String {
    tokio::time::sleep(Duration::from_secs(30)).await;
    "late".to_owned()
}

#[tokio::main]
async fn main() {
    let server = Server::builder("shared-keys")
        .tools(tools![add, slow_tool])
        .resources(resources![index, slow_resource])
        .prompts(prompts![summarize, slow_prompt])
        // Resource reads and prompt gets keep to their own timeouts through this middleware;
        // its default is far off, so only the components' own timeouts can fire.
        .middleware(Timeout::new(Duration::from_secs(60)))
        .build()
        .expect("the server builds");
    let client = TestClient::new(server).await;

    let tools = client.list_tools().await.expect("tools/list");
    let add = tools.iter().find(|t| t.name == "add").expect("add is listed");
    assert_eq!(
        serde_json::to_value(&add.icons).unwrap(),
        json!([
            {"src": "https://example.com/add.png"},
            {"src": "https://example.com/add.svg", "mimeType": "image/svg+xml", "sizes": ["any"]},
            {
                "src": "data:image/png;base64,iVBORw0KGgo=",
                "mimeType": "image/png",
                "sizes": ["16x16", "48x48"],
                "theme": "dark",
            },
        ])
    );
    assert_eq!(
        serde_json::to_value(&add.meta).unwrap(),
        json!({
            "version": "2",
            "rank": 3,
            "below": -1,
            "big": 18446744073709551615u64,
            "weight": 0.5,
            "beta": true,
            "com.example/owner": "math",
            "type": "sum",
        })
    );
    let result = client
        .call_tool("add", json!({"a": 2, "b": 3}))
        .await
        .expect("add is called");
    assert!(!result.is_error(), "add: {}", result.text());
    let result = client
        .call_tool("slow_tool", json!({}))
        .await
        .expect("slow_tool is called");
    assert!(result.is_error());
    assert!(result.text().contains("timed out after 20ms"), "{}", result.text());

    let resources = client.list_resources().await.expect("resources/list");
    let index = resources
        .iter()
        .find(|r| r.uri == "notes://index")
        .expect("the index is listed");
    assert_eq!(
        serde_json::to_value(&index.icons).unwrap(),
        json!([{"src": "http://example.com/notes.png", "theme": "light"}])
    );
    assert_eq!(
        serde_json::to_value(&index.meta).unwrap(),
        json!({"shelf": "top"})
    );
    assert_eq!(client.read_text("notes://index").await.unwrap(), "# Notes");
    let error = client
        .read_resource("notes://slow")
        .await
        .expect_err("the slow resource times out");
    assert!(
        error.message().is_some_and(|m| m.contains("timed out after 20ms")),
        "{error}"
    );

    let prompts = client.list_prompts().await.expect("prompts/list");
    let summarize = prompts
        .iter()
        .find(|p| p.name == "summarize")
        .expect("summarize is listed");
    assert_eq!(
        serde_json::to_value(&summarize.icons).unwrap(),
        json!([{"src": "https://example.com/summary.png"}])
    );
    assert_eq!(
        serde_json::to_value(&summarize.meta).unwrap(),
        json!({"com.example/audience": "writers", "max_words": 200})
    );
    let error = client
        .get_prompt("slow_prompt", json!({}))
        .await
        .expect_err("the slow prompt times out");
    assert!(
        error.message().is_some_and(|m| m.contains("timed out after 20ms")),
        "{error}"
    );
}
