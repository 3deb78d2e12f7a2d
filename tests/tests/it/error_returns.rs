//! Error types that are not `std::error::Error` themselves: `Box<dyn Error + Send + Sync>` and
//! `anyhow::Error` (`anyhow::Result<T>`), returned from tools, resources and prompts. They are
//! internal errors: logged with their whole chain, masked for the client unless masking is off.

use anyhow::Context as _;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

use crate::builtin_middleware::capture::Capture;
use crate::support::{INTERNAL_ERROR, assert_rpc};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Fails with a boxed std error, through `?`.
#[tool]
async fn boxed(fail: bool) -> Result<i64, BoxError> {
    if fail {
        let number: i64 = "not a number".parse()?;
        return Ok(number);
    }
    Ok(1)
}

/// Fails with a boxed string (`Box<dyn Error>` from `&str`).
#[tool]
async fn boxed_message() -> Result<String, Box<dyn std::error::Error + Send + Sync + 'static>> {
    Err("the cache is corrupt".into())
}

/// Fails with `anyhow::Result`, with context over an I/O error.
#[tool]
async fn with_anyhow(fail: bool) -> anyhow::Result<String> {
    if fail {
        Err(std::io::Error::other("connection reset")).context("loading the profile")?;
    }
    Ok("loaded".to_owned())
}

/// Fails with a bare `anyhow::Error` in `Result<T, anyhow::Error>`.
#[tool]
async fn bare_anyhow() -> Result<(), anyhow::Error> {
    anyhow::bail!("quota exceeded for tenant 7")
}

/// A resource returning `anyhow::Result`.
#[resource("reports://{id}")]
async fn report(id: u64) -> anyhow::Result<String> {
    anyhow::ensure!(id != 0, "report 0 is reserved");
    Ok(format!("report {id}"))
}

/// A resource returning a boxed error.
#[resource("blobs://{id}")]
async fn blob(id: u64) -> Result<String, BoxError> {
    if id == 0 {
        return Err(Box::new(std::io::Error::other("blob store offline")));
    }
    Ok(format!("blob {id}"))
}

/// A prompt returning `anyhow::Result`.
#[prompt]
async fn brief(topic: String) -> anyhow::Result<String> {
    anyhow::ensure!(!topic.is_empty(), "no topic given");
    Ok(format!("Brief me on {topic}."))
}

/// A prompt returning a boxed error.
#[prompt]
async fn outline(topic: String) -> Result<String, BoxError> {
    if topic == "secret" {
        return Err("the outline store refused".into());
    }
    Ok(format!("Outline {topic}."))
}

fn server(mask: bool) -> Server {
    Server::builder("error-returns")
        .mask_internal_errors(mask)
        .tools(tools![boxed, boxed_message, with_anyhow, bare_anyhow])
        .resources(resources![report, blob])
        .prompts(prompts![brief, outline])
        .build()
        .unwrap()
}

#[tokio::test]
async fn boxed_and_anyhow_errors_from_tools_are_masked_internal_errors() {
    let (logs, _guard) = Capture::install();
    let client = TestClient::new(server(true)).await;
    for (tool, arguments) in [
        ("boxed", json!({"fail": true})),
        ("boxed_message", json!({})),
        ("with_anyhow", json!({"fail": true})),
        ("bare_anyhow", json!({})),
    ] {
        let result = client.call_tool(tool, arguments).await.unwrap();
        assert!(result.is_error(), "{tool}: {result:?}");
        assert_eq!(result.text(), "internal error", "{tool}");
    }
    // Successes still go through.
    let result = client
        .call_tool("boxed", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(result.json::<i64>().unwrap(), 1);
    let result = client
        .call_tool("with_anyhow", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(result.text(), "loaded");

    // The server's log has the whole chain: anyhow's context and the I/O error under it.
    let logged: Vec<String> = logs
        .all()
        .iter()
        .filter_map(|event| event.field("error").map(str::to_owned))
        .collect();
    for needle in [
        "invalid digit found in string",
        "the cache is corrupt",
        "loading the profile: connection reset",
        "quota exceeded for tenant 7",
    ] {
        assert!(
            logged.iter().any(|line| line.contains(needle)),
            "`{needle}` was not logged: {logged:#?}"
        );
    }
}

#[tokio::test]
async fn boxed_and_anyhow_errors_show_when_masking_is_off() {
    let client = TestClient::new(server(false)).await;
    let result = client.call_tool("boxed_message", json!({})).await.unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "the cache is corrupt");
    let result = client
        .call_tool("with_anyhow", json!({"fail": true}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "loading the profile: connection reset");
    let result = client.call_tool("bare_anyhow", json!({})).await.unwrap();
    assert_eq!(result.text(), "quota exceeded for tenant 7");
}

#[tokio::test]
async fn resources_may_return_anyhow_and_boxed_errors() {
    let client = TestClient::new(server(true)).await;
    assert_eq!(client.read_text("reports://3").await.unwrap(), "report 3");
    assert_eq!(client.read_text("blobs://3").await.unwrap(), "blob 3");
    for uri in ["reports://0", "blobs://0"] {
        let error = client.read_resource(uri).await.unwrap_err();
        assert_rpc(&error, INTERNAL_ERROR, &["internal error"]);
    }

    let client = TestClient::new(server(false)).await;
    let error = client.read_resource("reports://0").await.unwrap_err();
    assert_rpc(&error, INTERNAL_ERROR, &["report 0 is reserved"]);
    let error = client.read_resource("blobs://0").await.unwrap_err();
    assert_rpc(&error, INTERNAL_ERROR, &["blob store offline"]);
}

#[tokio::test]
async fn prompts_may_return_anyhow_and_boxed_errors() {
    let client = TestClient::new(server(true)).await;
    let result = client
        .get_prompt("brief", json!({"topic": "tides"}))
        .await
        .unwrap();
    assert_eq!(result.messages.len(), 1);
    for (prompt, topic) in [("brief", ""), ("outline", "secret")] {
        let error = client
            .get_prompt(prompt, json!({"topic": topic}))
            .await
            .unwrap_err();
        assert_rpc(&error, INTERNAL_ERROR, &["internal error"]);
    }

    let client = TestClient::new(server(false)).await;
    let error = client
        .get_prompt("brief", json!({"topic": ""}))
        .await
        .unwrap_err();
    assert_rpc(&error, INTERNAL_ERROR, &["no topic given"]);
    let error = client
        .get_prompt("outline", json!({"topic": "secret"}))
        .await
        .unwrap_err();
    assert_rpc(&error, INTERNAL_ERROR, &["the outline store refused"]);
}
