//! Requests from a tool to the client: sampling (`Ctx::sample`, `Ctx::create_message`) and
//! elicitation (`Ctx::elicit`, `Ctx::elicit_as`), through the in-memory client.

#![allow(deprecated)] // Sampling is deprecated from MCP 2026-07-28 on; these versions have it.

use std::sync::{Arc, Mutex};

use mcp_runtime::context::ElicitAction;
use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::{
    CreateMessageResult, ElicitRequestParams, ElicitResult, ElicitationAction, SamplingMessage,
};
use mcp_runtime::testing::TestClient;
use serde_json::json;

/// Asks the client's model.
#[tool]
async fn ask(ctx: Ctx, prompt: String) -> Result<String, ToolError> {
    let answer = ctx.sample(prompt, 50).await?;
    Ok(format!("LLM response: {answer}"))
}

/// Asks the user for a name and an age.
#[tool]
async fn form(ctx: Ctx) -> Result<String, ToolError> {
    let answer = ctx
        .elicit(
            "Who are you?",
            json!({
                "type": "object",
                "properties": {
                    "name": { "type": "string", "default": "John Doe" },
                    "age": { "type": "integer", "minimum": 0 }
                },
                "required": ["name"]
            }),
        )
        .await?;
    Ok(match answer.action {
        ElicitAction::Accept => format!("accepted {}", answer.content.unwrap_or_default()),
        ElicitAction::Decline => "declined".to_owned(),
        _ => "cancelled".to_owned(),
    })
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Contact {
    /// The email address.
    email: String,
}

/// Asks for a contact, typed.
#[tool]
async fn typed(ctx: Ctx) -> Result<String, ToolError> {
    Ok(match ctx.elicit_as::<Contact>("Your email?").await? {
        Some(contact) => contact.email,
        None => "no answer".to_owned(),
    })
}

/// Sends a malformed elicitation schema.
#[tool]
async fn bad_schema(ctx: Ctx) -> Result<String, ToolError> {
    ctx.elicit("?", json!({ "type": "array" })).await?;
    Ok("unreachable".to_owned())
}

fn server() -> Server {
    Server::builder("asking")
        .tools(tools![ask, form, typed, bad_schema])
        .build()
        .expect("builds")
}

#[tokio::test]
async fn sampling_reaches_the_client_and_its_answer_the_tool() {
    let seen = Arc::new(Mutex::new(None));
    let record = seen.clone();
    let client = TestClient::builder(server())
        .on_sampling(move |params| {
            *record.lock().expect("lock") = Some(serde_json::to_value(&params).expect("JSON"));
            Ok(CreateMessageResult::new(
                SamplingMessage::assistant_text("forty-two"),
                "test-model".to_owned(),
            ))
        })
        .connect()
        .await
        .expect("connects");
    let result = client
        .call_tool("ask", json!({ "prompt": "What is the answer?" }))
        .await
        .expect("called");
    assert_eq!(result.text(), "LLM response: forty-two");
    let params = seen
        .lock()
        .expect("lock")
        .clone()
        .expect("the client was asked");
    assert_eq!(params["messages"][0]["role"], "user");
    assert_eq!(
        params["messages"][0]["content"]["text"],
        "What is the answer?"
    );
    assert_eq!(params["maxTokens"], 50);
}

#[tokio::test]
async fn sampling_without_the_client_capability_is_a_clear_tool_error() {
    let client = TestClient::new(server()).await;
    let result = client
        .call_tool("ask", json!({ "prompt": "hi" }))
        .await
        .expect("called");
    assert!(result.is_error());
    assert!(
        result.text().contains("does not support sampling"),
        "{}",
        result.text()
    );
}

#[tokio::test]
async fn elicitation_sends_the_schema_and_returns_the_answer() {
    let seen = Arc::new(Mutex::new(None));
    let record = seen.clone();
    let client = TestClient::builder(server())
        .on_elicitation(move |params| {
            *record.lock().expect("lock") = Some(serde_json::to_value(&params).expect("JSON"));
            let mut result = ElicitResult::new(ElicitationAction::Accept);
            result.content = Some(json!({ "name": "Jane", "age": 30 }));
            Ok(result)
        })
        .connect()
        .await
        .expect("connects");
    let result = client.call_tool("form", json!({})).await.expect("called");
    assert_eq!(result.text(), r#"accepted {"age":30,"name":"Jane"}"#);
    let params = seen
        .lock()
        .expect("lock")
        .clone()
        .expect("the client was asked");
    assert_eq!(params["message"], "Who are you?");
    assert_eq!(
        params["requestedSchema"]["properties"]["name"]["default"],
        "John Doe"
    );
    assert_eq!(params["requestedSchema"]["required"], json!(["name"]));
}

#[tokio::test]
async fn declining_and_typed_answers() {
    let client = TestClient::builder(server())
        .on_elicitation(|params| {
            let ElicitRequestParams::FormElicitationParams { message, .. } = params else {
                return Ok(ElicitResult::new(ElicitationAction::Cancel));
            };
            if message == "Your email?" {
                let mut result = ElicitResult::new(ElicitationAction::Accept);
                result.content = Some(json!({ "email": "a@example.com" }));
                Ok(result)
            } else {
                Ok(ElicitResult::new(ElicitationAction::Decline))
            }
        })
        .connect()
        .await
        .expect("connects");
    assert_eq!(
        client
            .call_tool("form", json!({}))
            .await
            .expect("called")
            .text(),
        "declined"
    );
    assert_eq!(
        client
            .call_tool("typed", json!({}))
            .await
            .expect("called")
            .text(),
        "a@example.com"
    );
    let bad = client
        .call_tool("bad_schema", json!({}))
        .await
        .expect("called");
    assert!(bad.is_error());
    assert!(
        bad.text().contains("elicitation schema is not valid"),
        "{}",
        bad.text()
    );
}

#[tokio::test]
async fn elicitation_without_the_client_capability_is_a_clear_tool_error() {
    let client = TestClient::new(server()).await;
    let result = client.call_tool("form", json!({})).await.expect("called");
    assert!(result.is_error());
    assert!(
        result.text().contains("does not support elicitation"),
        "{}",
        result.text()
    );
}

#[tokio::test]
async fn on_stateless_http_asking_the_client_fails_at_once_saying_why() {
    use crate::support::http::{Mcp, serve_ready, text};
    let server = Server::builder("stateless-ask")
        .tools(tools![ask, form])
        .build()
        .expect("builds");
    let running = serve_ready(
        server,
        mcp_runtime::http::HttpOptions::new().stateless(false),
    )
    .await;
    let mut mcp = Mcp::new(running.url());
    mcp.initialize().await;
    for (tool, arguments, what) in [
        ("ask", json!({ "prompt": "hi" }), "sampling"),
        ("form", json!({}), "elicitation"),
    ] {
        // Without the fix it waited for an answer that could never come (until the default
        // tool timeout), or blamed the client for not declaring the capability.
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            mcp.call(tool, arguments),
        )
        .await
        .expect("answered at once");
        assert_eq!(answer.result()["isError"], true, "{}", answer.body);
        let said = text(&answer);
        assert!(
            said.contains(&format!("cannot ask the client for {what}"))
                && said.contains("stateless HTTP"),
            "{said}"
        );
    }
    running.shutdown().await.expect("clean shutdown");
}
