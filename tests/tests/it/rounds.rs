//! Asking the client on protocol 2026-07-28 (SEP-2322 rounds): the same tool code that sends
//! the client a request on earlier protocols answers with an `InputRequiredResult`, and runs
//! again from the start with the client's answers.

#![allow(deprecated)] // Sampling is deprecated from MCP 2026-07-28 on; it still goes in rounds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mcp_runtime::context::ElicitAction;
use mcp_runtime::http::HttpOptions;
use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::{
    CreateMessageResult, ElicitRequestParams, ElicitResult, ElicitationAction, ProtocolVersion,
    SamplingMessage,
};
use mcp_runtime::testing::TestClient;
use serde_json::{Value, json};

use crate::support::INVALID_PARAMS;
use crate::support::http::{Mcp, serve_ready};
use crate::support::line::Line;

/// How many times each tool started: a run per round.
#[derive(Clone, Default)]
struct Runs(Arc<AtomicUsize>);

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Party {
    /// How many people.
    people: u32,
}

/// Books a table: asks the party size, then whether to confirm.
#[tool]
async fn book(ctx: Ctx, runs: State<Runs>, restaurant: String) -> Result<String, ToolError> {
    runs.0.fetch_add(1, Ordering::SeqCst);
    let Some(party) = ctx.elicit_as::<Party>("How many people?").await? else {
        return Ok("not booked".to_owned());
    };
    let confirm = ctx
        .elicit(
            format!("Book {restaurant} for {}?", party.people),
            json!({"type": "object", "properties": {"ok": {"type": "boolean"}}}),
        )
        .await?;
    Ok(match confirm.action {
        ElicitAction::Accept => format!("booked {restaurant} for {}", party.people),
        _ => "not confirmed".to_owned(),
    })
}

/// Asks the model and the user at once.
#[tool]
async fn both(ctx: Ctx, runs: State<Runs>) -> Result<String, ToolError> {
    runs.0.fetch_add(1, Ordering::SeqCst);
    let (model, user) = tokio::join!(
        ctx.sample("Pick a colour", 10),
        ctx.elicit(
            "Your colour?",
            json!({"type": "object", "properties": {"c": {"type": "string"}}})
        )
    );
    let user = user?.content.unwrap_or_default();
    Ok(format!("model: {}, user: {}", model?, user["c"]))
}

/// Asks a question that depends on something other than the arguments and the answers.
#[tool]
async fn fickle(ctx: Ctx, runs: State<Runs>) -> Result<String, ToolError> {
    let run = runs.0.fetch_add(1, Ordering::SeqCst);
    ctx.sample(format!("question of run {run}"), 10).await
}

/// A prompt that asks the user for its topic.
#[prompt]
async fn essay(ctx: Ctx) -> Result<Vec<PromptMessage>, PromptError> {
    let topic = ctx.sample("Suggest a topic", 10).await?;
    Ok(vec![PromptMessage::new_text(
        Role::User,
        format!("Write about {topic}"),
    )])
}

fn server(runs: Runs) -> Server {
    Server::builder("rounds")
        .state(runs)
        .tools(tools![book, both, fickle])
        .prompts(prompts![essay])
        .build()
        .expect("builds")
}

fn accept(content: Value) -> ElicitResult {
    ElicitResult::new(ElicitationAction::Accept).with_content(content)
}

/// Answers the party size with 4 and confirms.
fn answer_booking(params: ElicitRequestParams) -> Result<ElicitResult, mcp_runtime::McpError> {
    let text = serde_json::to_value(&params).expect("JSON")["message"].to_string();
    Ok(if text.contains("How many") {
        accept(json!({"people": 4}))
    } else {
        accept(json!({"ok": true}))
    })
}

async fn client(version: ProtocolVersion, runs: Runs) -> TestClient {
    TestClient::builder(server(runs))
        .protocol_version(version)
        .on_elicitation(answer_booking)
        .on_sampling(|params| {
            let asked =
                serde_json::to_value(&params).expect("JSON")["messages"][0]["content"]["text"]
                    .to_string();
            Ok(CreateMessageResult::new(
                SamplingMessage::assistant_text(format!("blue ({asked})")),
                "model".to_owned(),
            ))
        })
        .connect()
        .await
        .expect("connects")
}

#[tokio::test]
async fn the_same_tool_asks_on_both_protocol_eras() {
    for version in [ProtocolVersion::V_2025_11_25, ProtocolVersion::V_2026_07_28] {
        let runs = Runs::default();
        let client = client(version.clone(), runs.clone()).await;
        let result = client
            .call_tool("book", json!({"restaurant": "Chez Ada"}))
            .await
            .expect("called");
        assert_eq!(result.text(), "booked Chez Ada for 4", "{version}");
        let expected_runs = if version >= ProtocolVersion::V_2026_07_28 {
            // One run per round: asks q0; asks q1 (q0 answered); completes.
            3
        } else {
            1
        };
        assert_eq!(runs.0.load(Ordering::SeqCst), expected_runs, "{version}");
    }
}

#[tokio::test]
async fn questions_asked_together_go_out_in_one_round() {
    let runs = Runs::default();
    let client = client(ProtocolVersion::V_2026_07_28, runs.clone()).await;
    let result = client.call_tool("both", json!({})).await.expect("called");
    assert_eq!(
        result.text(),
        r#"model: blue ("Pick a colour"), user: null"#,
        "the elicitation answer has no `c`, the sampling answer arrived"
    );
    assert_eq!(
        runs.0.load(Ordering::SeqCst),
        2,
        "one round, then the result"
    );
}

#[tokio::test]
async fn a_prompt_asks_in_rounds_too() {
    let runs = Runs::default();
    let client = client(ProtocolVersion::V_2026_07_28, runs).await;
    let prompt = client.get_prompt("essay", json!({})).await.expect("got");
    let text = serde_json::to_value(&prompt.messages[0]).expect("JSON")["content"]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(text, r#"Write about blue ("Suggest a topic")"#);
}

#[tokio::test]
async fn a_different_question_on_the_retry_is_a_clear_tool_error() {
    let runs = Runs::default();
    let client = client(ProtocolVersion::V_2026_07_28, runs).await;
    let result = client.call_tool("fickle", json!({})).await.expect("called");
    assert!(result.is_error());
    assert!(
        result.text().contains("asked a different question (q0)"),
        "{}",
        result.text()
    );
}

// ---- on the wire ------------------------------------------------------------------------

/// The `_meta` of a 2026-07-28 request from a client that can elicit (or not).
fn meta(elicitation: bool) -> Value {
    let capabilities = if elicitation {
        json!({"elicitation": {}})
    } else {
        json!({})
    };
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
        "io.modelcontextprotocol/clientInfo": {"name": "wire", "version": "1"}
    })
}

fn call(id: u64, tool: &str, arguments: Value, extra: Value) -> Value {
    let mut params = json!({"name": tool, "arguments": arguments, "_meta": meta(true)});
    if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
        params.extend(extra.clone());
    }
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
}

#[tokio::test]
async fn on_stdio_the_rounds_are_plain_json_rpc() {
    let runs = Runs::default();
    let mut line = Line::start(server(runs.clone()));
    let args = json!({"restaurant": "Chez Ada"});

    let first = line.send(&call(1, "book", args.clone(), json!({}))).await;
    let result = &first["result"];
    assert_eq!(result["resultType"], "input_required", "{first}");
    let asked = &result["inputRequests"]["q0"];
    assert_eq!(asked["method"], "elicitation/create", "{first}");
    assert_eq!(asked["params"]["message"], "How many people?");
    assert_eq!(
        asked["params"]["requestedSchema"]["properties"]["people"]["type"],
        "integer"
    );
    let state = result["requestState"].as_str().expect("a request state");

    let answers = json!({
        "inputResponses": {"q0": {"action": "accept", "content": {"people": 2}}},
        "requestState": state
    });
    let second = line.send(&call(2, "book", args.clone(), answers)).await;
    let result = &second["result"];
    assert_eq!(result["resultType"], "input_required", "{second}");
    assert_eq!(
        result["inputRequests"]
            .as_object()
            .map(|asked| asked.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["q1".to_owned()]),
        "only the new question: {second}"
    );
    assert_eq!(
        result["inputRequests"]["q1"]["params"]["message"],
        "Book Chez Ada for 2?"
    );
    let state = result["requestState"].as_str().expect("a request state");

    let answers = json!({
        "inputResponses": {"q1": {"action": "accept", "content": {"ok": true}}},
        "requestState": state
    });
    let third = line.send(&call(3, "book", args.clone(), answers)).await;
    assert_eq!(
        third["result"]["content"][0]["text"], "booked Chez Ada for 2",
        "{third}"
    );
    assert_eq!(
        third["result"].get("resultType").and_then(Value::as_str),
        Some("complete")
    );
    assert_eq!(runs.0.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_request_state_cannot_be_altered_moved_or_used_for_other_arguments() {
    let mut line = Line::start(server(Runs::default()));
    let args = json!({"restaurant": "Chez Ada"});
    let first = line.send(&call(1, "book", args.clone(), json!({}))).await;
    let state = first["result"]["requestState"]
        .as_str()
        .expect("a request state")
        .to_owned();
    let answer = json!({"q0": {"action": "accept", "content": {"people": 2}}});
    let retry = |state: &str| json!({"inputResponses": answer, "requestState": state});

    // Altered: a character in the middle of the payload.
    let mut altered = state.clone().into_bytes();
    let middle = (altered.len() / 2..)
        .find(|&i| altered[i].is_ascii_alphanumeric())
        .expect("a letter");
    altered[middle] = if altered[middle] == b'x' { b'y' } else { b'x' };
    let altered = String::from_utf8(altered).expect("ASCII");
    let answer = line
        .send(&call(2, "book", args.clone(), retry(&altered)))
        .await;
    assert_eq!(answer["error"]["code"], INVALID_PARAMS, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not valid")
    );

    // Other arguments, and another tool.
    let other_args = json!({"restaurant": "Le Bug"});
    let answer = line.send(&call(3, "book", other_args, retry(&state))).await;
    assert_eq!(answer["error"]["code"], INVALID_PARAMS, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("another request"),
        "{answer}"
    );
    let answer = line
        .send(&call(4, "fickle", json!({}), retry(&state)))
        .await;
    assert_eq!(answer["error"]["code"], INVALID_PARAMS, "{answer}");

    // Another server (another key) refuses it; the session goes on serving.
    let mut other = Line::start(server(Runs::default()));
    let answer = other
        .send(&call(5, "book", args.clone(), retry(&state)))
        .await;
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("another server"),
        "{answer}"
    );
    let answer = line.send(&call(6, "book", args, retry(&state))).await;
    assert_eq!(
        answer["result"]["inputRequests"]["q1"]["method"],
        "elicitation/create"
    );
}

#[tokio::test]
async fn servers_with_the_same_key_continue_each_others_rounds() {
    let key = b"0123456789abcdef0123456789abcdef".to_vec();
    let build = || {
        Server::builder("replica")
            .state(Runs::default())
            .request_state_key(key.clone())
            .tools(tools![book])
            .build()
            .expect("builds")
    };
    let args = json!({"restaurant": "Chez Ada"});
    let mut one = Line::start(build());
    let first = one.send(&call(1, "book", args.clone(), json!({}))).await;
    let state = first["result"]["requestState"].as_str().expect("a state");
    let mut two = Line::start(build());
    let retry = json!({
        "inputResponses": {"q0": {"action": "accept", "content": {"people": 3}}},
        "requestState": state
    });
    let answer = two.send(&call(2, "book", args, retry)).await;
    assert_eq!(
        answer["result"]["inputRequests"]["q1"]["params"]["message"], "Book Chez Ada for 3?",
        "{answer}"
    );

    let short = Server::builder("short")
        .request_state_key(b"too short".to_vec())
        .build()
        .expect_err("a short key is refused");
    assert!(short.to_string().contains("at least 32 bytes"), "{short}");
}

#[tokio::test]
async fn a_client_that_cannot_elicit_gets_the_reason_not_a_question() {
    let mut line = Line::start(server(Runs::default()));
    let mut request = call(1, "book", json!({"restaurant": "A"}), json!({}));
    request["params"]["_meta"] = meta(false);
    let answer = line.send(&request).await;
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(
        answer["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .contains("does not support elicitation"),
        "{answer}"
    );
}

#[tokio::test]
async fn on_stateless_http_a_2026_client_is_asked_in_rounds() {
    let running = serve_ready(server(Runs::default()), HttpOptions::new().stateless(true)).await;
    let mcp = Mcp::new(running.url());
    let headers = [
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "book"),
    ];
    let args = json!({"restaurant": "Chez Ada"});
    let first = mcp
        .post(&call(1, "book", args.clone(), json!({})), &headers)
        .await;
    let result = first.result();
    assert_eq!(result["resultType"], "input_required", "{}", first.body);
    let state = result["requestState"].as_str().expect("a state").to_owned();

    let retry = json!({
        "inputResponses": {"q0": {"action": "accept", "content": {"people": 5}}},
        "requestState": state
    });
    let second = mcp
        .post(&call(2, "book", args.clone(), retry), &headers)
        .await;
    let state = second.result()["requestState"]
        .as_str()
        .expect("a state")
        .to_owned();
    let retry = json!({
        "inputResponses": {"q1": {"action": "accept", "content": {"ok": true}}},
        "requestState": state
    });
    let third = mcp.post(&call(3, "book", args, retry), &headers).await;
    assert_eq!(
        third.result()["content"][0]["text"],
        "booked Chez Ada for 5",
        "{}",
        third.body
    );
    running.shutdown().await.expect("stops");
}
