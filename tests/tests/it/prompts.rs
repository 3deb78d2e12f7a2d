//! Prompts through the public API: listing with arguments, every return type, argument parsing
//! and its errors, injected state, and failures.

use mcp_runtime::prelude::*;
use mcp_runtime::testing::{ClientError, TestClient};
use serde_json::{Value, json};

use crate::support::{INTERNAL_ERROR, INVALID_PARAMS, assert_rpc};

/// How to greet, shared by the server.
struct Greeting(&'static str);

/// Ask the model to summarise a topic.
#[prompt(title = "Summarize a topic")]
async fn summarize(
    /// What to summarise
    topic: String,
    /// How many sentences
    sentences: Option<u32>,
) -> String {
    format!("Summarise {topic} in {} sentences.", sentences.unwrap_or(3))
}

/// A short scripted exchange.
#[prompt]
async fn exchange(
    /// Who asks
    name: String,
) -> Vec<PromptMessage> {
    vec![
        PromptMessage::new_text(Role::User, format!("Hi, I am {name}.")),
        PromptMessage::new_text(Role::Assistant, "Hello! How can I help?"),
        PromptMessage::new_text(Role::User, "Tell me a joke."),
    ]
}

/// One assistant message.
#[prompt]
async fn single() -> PromptMessage {
    PromptMessage::new_text(Role::Assistant, "I am ready.")
}

/// A whole result with its own description.
#[prompt]
async fn whole() -> GetPromptResult {
    GetPromptResult::new(vec![PromptMessage::new_text(Role::User, "whole")])
        .with_description("a hand-built result")
}

/// Repeats a word.
#[prompt(name = "repeat_word")]
async fn repeat(
    /// The word
    word: String,
    /// How many times
    times: u32,
) -> String {
    vec![word; times as usize].join(" ")
}

/// Greets with the server's greeting.
#[prompt]
async fn greet(
    greeting: State<Greeting>,
    /// Who to greet
    name: String,
) -> String {
    format!("{}, {name}!", greeting.0)
}

/// Fails the ways a prompt can fail.
#[prompt]
async fn failing(
    /// `invalid`, `message`, `io` or `panic`
    how: String,
) -> Result<String, PromptError> {
    match how.as_str() {
        "invalid" => Err(PromptError::invalid_params("`how` is not acceptable here")),
        "message" => Err(PromptError::new("the prompt library is closed")),
        "io" => Err(std::io::Error::other("cannot read /srv/secret/prompts").into()),
        "panic" => panic!("boom in a prompt"),
        other => Ok(format!("fine: {other}")),
    }
}

fn builder() -> mcp_runtime::ServerBuilder {
    Server::builder("prompts")
        .state(Greeting("Howdy"))
        .prompts(prompts![summarize, exchange, single, whole, repeat])
        .prompts(prompts![greet, failing])
}

async fn client() -> TestClient {
    TestClient::new(builder().build().expect("the server builds")).await
}

async fn get_error(client: &TestClient, name: &str, arguments: Value) -> ClientError {
    match client.get_prompt(name, arguments).await {
        Ok(result) => panic!("prompt `{name}` succeeded: {result:?}"),
        Err(error) => error,
    }
}

/// The messages of a result, as the JSON a client sees.
fn messages(result: &GetPromptResult) -> Value {
    serde_json::to_value(&result.messages).unwrap()
}

#[tokio::test]
async fn prompts_are_listed_with_their_arguments() {
    let client = client().await;
    let prompts = client.list_prompts().await.unwrap();
    let listed: Vec<Value> = prompts
        .iter()
        .map(|p| serde_json::to_value(p).unwrap())
        .collect();
    let names: Vec<&str> = listed.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "summarize",
            "exchange",
            "single",
            "whole",
            "repeat_word",
            "greet",
            "failing"
        ]
    );
    let summarize = &listed[0];
    assert_eq!(summarize["title"], "Summarize a topic");
    assert_eq!(
        summarize["description"],
        "Ask the model to summarise a topic."
    );
    assert_eq!(
        summarize["arguments"],
        json!([
            {"name": "topic", "description": "What to summarise", "required": true},
            {"name": "sentences", "description": "How many sentences", "required": false},
        ])
    );
}

#[tokio::test]
async fn injected_parameters_are_not_arguments() {
    let client = client().await;
    let prompts = client.list_prompts().await.unwrap();
    let greet = prompts.iter().find(|p| p.name == "greet").unwrap();
    let arguments: Vec<&str> = greet
        .arguments
        .iter()
        .flatten()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(arguments, ["name"]);
    // A prompt without arguments lists none.
    let single = prompts.iter().find(|p| p.name == "single").unwrap();
    assert!(
        single.arguments.as_ref().is_none_or(Vec::is_empty),
        "{single:?}"
    );
}

#[tokio::test]
async fn a_string_is_one_user_message() {
    let client = client().await;
    let result = client
        .get_prompt("summarize", json!({"topic": "tokio", "sentences": "2"}))
        .await
        .unwrap();
    assert_eq!(
        messages(&result),
        json!([{"role": "user", "content": {"type": "text", "text": "Summarise tokio in 2 sentences."}}])
    );
    // The optional argument may be left out.
    let result = client
        .get_prompt("summarize", json!({"topic": "serde"}))
        .await
        .unwrap();
    assert_eq!(
        messages(&result)[0]["content"]["text"],
        "Summarise serde in 3 sentences."
    );
}

#[tokio::test]
async fn message_vectors_keep_roles_and_order() {
    let client = client().await;
    let result = client
        .get_prompt("exchange", json!({"name": "Ada"}))
        .await
        .unwrap();
    let messages = messages(&result);
    let roles: Vec<&str> = messages
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "assistant", "user"]);
    assert_eq!(messages[0]["content"]["text"], "Hi, I am Ada.");
    assert_eq!(messages[2]["content"]["text"], "Tell me a joke.");
}

#[tokio::test]
async fn a_single_message_and_a_whole_result() {
    let client = client().await;
    let result = client.get_prompt("single", Value::Null).await.unwrap();
    assert_eq!(
        messages(&result),
        json!([{"role": "assistant", "content": {"type": "text", "text": "I am ready."}}])
    );
    let result = client.get_prompt("whole", json!({})).await.unwrap();
    assert_eq!(result.description.as_deref(), Some("a hand-built result"));
    assert_eq!(messages(&result)[0]["content"]["text"], "whole");
}

#[tokio::test]
async fn from_str_arguments_are_parsed() {
    let client = client().await;
    let result = client
        .get_prompt("repeat_word", json!({"word": "ho", "times": "3"}))
        .await
        .unwrap();
    assert_eq!(messages(&result)[0]["content"]["text"], "ho ho ho");
}

#[tokio::test]
async fn a_bad_from_str_argument_is_invalid_params_naming_it() {
    let client = client().await;
    let error = get_error(
        &client,
        "repeat_word",
        json!({"word": "ho", "times": "many"}),
    )
    .await;
    assert_rpc(&error, INVALID_PARAMS, &["`times`", "many"]);
    let error = get_error(&client, "repeat_word", json!({"word": "ho", "times": "-1"})).await;
    assert_rpc(&error, INVALID_PARAMS, &["`times`"]);
    // An optional argument is parsed too.
    let error = get_error(
        &client,
        "summarize",
        json!({"topic": "x", "sentences": "few"}),
    )
    .await;
    assert_rpc(&error, INVALID_PARAMS, &["`sentences`", "few"]);
}

#[tokio::test]
async fn a_missing_required_argument_is_invalid_params() {
    let client = client().await;
    let error = get_error(&client, "repeat_word", json!({"word": "ho"})).await;
    assert_rpc(&error, INVALID_PARAMS, &["`times`", "missing"]);
    let error = get_error(&client, "summarize", Value::Null).await;
    assert_rpc(&error, INVALID_PARAMS, &["`topic`", "missing"]);
}

#[tokio::test]
async fn an_unknown_prompt_is_invalid_params() {
    let client = client().await;
    let error = get_error(&client, "no_such_prompt", json!({})).await;
    assert_rpc(&error, INVALID_PARAMS, &["no_such_prompt"]);
    // The function's name is not the prompt's name once `name = …` overrides it.
    let error = get_error(&client, "repeat", json!({"word": "a", "times": "1"})).await;
    assert_rpc(&error, INVALID_PARAMS, &["repeat"]);
}

#[tokio::test]
async fn injected_state_reaches_the_prompt() {
    let client = client().await;
    let result = client
        .get_prompt("greet", json!({"name": "Grace"}))
        .await
        .unwrap();
    assert_eq!(messages(&result)[0]["content"]["text"], "Howdy, Grace!");
}

#[tokio::test]
async fn a_prompt_needing_state_the_builder_lacks_fails_to_build() {
    let error = Server::builder("no-state")
        .prompts(prompts![greet])
        .build()
        .expect_err("a missing state is a build error");
    let message = error.to_string();
    assert!(message.contains("prompt `greet`"), "{message}");
    assert!(message.contains("Greeting"), "{message}");
}

#[tokio::test]
async fn prompt_errors_become_json_rpc_errors() {
    let client = client().await;
    let error = get_error(&client, "failing", json!({"how": "invalid"})).await;
    assert_rpc(&error, INVALID_PARAMS, &["not acceptable"]);
    let error = get_error(&client, "failing", json!({"how": "message"})).await;
    assert_rpc(&error, INTERNAL_ERROR, &["the prompt library is closed"]);
    let error = get_error(&client, "failing", json!({"how": "io"})).await;
    assert_rpc(&error, INTERNAL_ERROR, &["internal error"]);
    assert!(!error.message().unwrap().contains("/srv/secret"));
    let ok = client
        .get_prompt("failing", json!({"how": "gently"}))
        .await
        .unwrap();
    assert_eq!(messages(&ok)[0]["content"]["text"], "fine: gently");
}

#[tokio::test]
async fn a_panicking_prompt_is_an_internal_error_and_the_server_keeps_serving() {
    let client = client().await;
    let error = get_error(&client, "failing", json!({"how": "panic"})).await;
    assert_rpc(&error, INTERNAL_ERROR, &["internal error"]);
    assert!(!error.message().unwrap().contains("boom"));
    let result = client
        .get_prompt("summarize", json!({"topic": "recovery"}))
        .await
        .unwrap();
    assert_eq!(result.messages.len(), 1);
}

#[tokio::test]
async fn internal_prompt_errors_are_visible_when_masking_is_off() {
    let server = builder().mask_internal_errors(false).build().unwrap();
    let client = TestClient::new(server).await;
    let error = get_error(&client, "failing", json!({"how": "io"})).await;
    assert_rpc(&error, INTERNAL_ERROR, &["cannot read /srv/secret/prompts"]);
    let error = get_error(&client, "failing", json!({"how": "panic"})).await;
    assert_rpc(&error, INTERNAL_ERROR, &["boom in a prompt"]);
}
