//! Completions (`completion/complete`) through the public API: the capability, prompt arguments,
//! resource-template variables, state and context, truncation, and the edge cases.

use std::collections::HashMap;

use mcp_runtime::completion::Completion;
use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::{ArgumentInfo, CompleteRequestParams, CompletionContext, Reference};
use mcp_runtime::testing::TestClient;
use serde_json::Value;

use crate::support::INVALID_PARAMS;

/// The topics the server knows, as shared state.
struct Topics(Vec<&'static str>);

/// Topics from the server's state that start with what was typed.
async fn topics(completion: Completion) -> Vec<String> {
    let Some(topics) = completion.state::<Topics>() else {
        return vec!["<no state>".to_owned()];
    };
    topics
        .0
        .iter()
        .filter(|topic| topic.starts_with(completion.value()))
        .map(|topic| (*topic).to_owned())
        .collect()
}

/// Languages of the docs.
async fn languages(completion: Completion) -> Vec<String> {
    ["en", "es", "fr", "de"]
        .into_iter()
        .filter(|lang| lang.starts_with(completion.value()))
        .map(str::to_owned)
        .collect()
}

/// Pages, depending on the language already chosen.
async fn pages(completion: Completion) -> Vec<String> {
    let pages: &[&str] = match completion.context("lang") {
        Some("fr") => &["accueil", "aide"],
        Some(_) => &["home", "help", "about"],
        None => &["<no lang>"],
    };
    pages
        .iter()
        .filter(|page| page.starts_with(completion.value()))
        .map(|page| (*page).to_owned())
        .collect()
}

/// 150 candidates, whatever was typed.
async fn many(_completion: Completion) -> Vec<String> {
    (0..150).map(|i| format!("item-{i:03}")).collect()
}

/// Exactly 100 candidates.
async fn hundred(_completion: Completion) -> Vec<String> {
    (0..100).map(|i| format!("v{i}")).collect()
}

/// Names the argument it completes, and echoes the value.
async fn echo(completion: Completion) -> Vec<String> {
    vec![format!("{}={}", completion.argument(), completion.value())]
}

/// Panics.
async fn exploding(_completion: Completion) -> Vec<String> {
    panic!("boom in a completer")
}

/// Summarise a topic.
#[prompt(complete(topic = topics, extra = echo))]
async fn summarize(
    /// The topic
    topic: String,
    /// A style, with no completion source
    style: Option<String>,
    /// Something echoed back
    extra: Option<String>,
) -> String {
    format!("{topic} {style:?} {extra:?}")
}

/// Pick from many.
#[prompt(complete(choice = many, other = hundred, bad = exploding))]
async fn pick(
    /// One of 150
    choice: String,
    /// One of 100
    other: Option<String>,
    /// Its completer panics
    bad: Option<String>,
) -> String {
    format!("{choice} {other:?} {bad:?}")
}

/// A page of the docs.
#[resource("docs://{lang}/{page}", complete(lang = languages, page = pages))]
async fn doc_page(lang: String, page: String) -> String {
    format!("{lang}/{page}")
}

/// A file, by path, with completion.
#[resource("tree://{+path}", complete(path = echo))]
async fn tree(path: String) -> String {
    path
}

/// A prompt without completion.
#[prompt]
async fn plain(
    /// Anything
    text: String,
) -> String {
    text
}

/// A template without completion.
#[resource("plain://{id}")]
async fn plain_resource(id: u32) -> String {
    id.to_string()
}

fn server() -> Server {
    Server::builder("completion")
        .state(Topics(vec!["rust", "ruby", "rails", "go", "tokio"]))
        .prompts(prompts![summarize, pick, plain])
        .resources(resources![doc_page, tree, plain_resource])
        .build()
        .expect("the server builds")
}

async fn client() -> TestClient {
    TestClient::new(server()).await
}

/// The `capabilities` object of the client's `initialize` response.
fn capabilities(client: &TestClient) -> Value {
    let info = client.server_info().expect("initialized");
    serde_json::to_value(&*info).unwrap()["capabilities"].clone()
}

#[tokio::test]
async fn completions_capability_is_advertised_only_with_a_completer() {
    let with = client().await;
    assert!(
        capabilities(&with).get("completions").is_some(),
        "{:#}",
        capabilities(&with)
    );

    let without = Server::builder("plain")
        .prompts(prompts![plain])
        .resources(resources![plain_resource])
        .build()
        .unwrap();
    let without = TestClient::new(without).await;
    assert!(
        capabilities(&without).get("completions").is_none(),
        "{:#}",
        capabilities(&without)
    );

    // A resource-template completer alone is enough.
    let resource_only = Server::builder("docs")
        .resources(resources![doc_page])
        .build()
        .unwrap();
    let resource_only = TestClient::new(resource_only).await;
    assert!(capabilities(&resource_only).get("completions").is_some());
}

#[tokio::test]
async fn prompt_arguments_complete_by_prefix_from_state() {
    let client = client().await;
    let info = client
        .complete_prompt("summarize", "topic", "r")
        .await
        .unwrap();
    assert_eq!(info.values, ["rust", "ruby", "rails"]);
    assert_eq!(info.total, Some(3));
    assert_eq!(info.has_more, Some(false));
    let info = client
        .complete_prompt("summarize", "topic", "ru")
        .await
        .unwrap();
    assert_eq!(info.values, ["rust", "ruby"]);
    let info = client
        .complete_prompt("summarize", "topic", "")
        .await
        .unwrap();
    assert_eq!(info.values.len(), 5);
    let info = client
        .complete_prompt("summarize", "topic", "zzz")
        .await
        .unwrap();
    assert!(info.values.is_empty());
}

#[tokio::test]
async fn the_completer_sees_the_argument_name_and_value() {
    let client = client().await;
    let info = client
        .complete_prompt("summarize", "extra", "a b")
        .await
        .unwrap();
    assert_eq!(info.values, ["extra=a b"]);
}

#[tokio::test]
async fn an_argument_without_a_completer_completes_to_nothing() {
    let client = client().await;
    let info = client
        .complete_prompt("summarize", "style", "for")
        .await
        .unwrap();
    assert!(info.values.is_empty(), "{info:?}");
    // Nor does an argument the prompt does not have.
    let info = client
        .complete_prompt("summarize", "nonexistent", "x")
        .await
        .unwrap();
    assert!(info.values.is_empty(), "{info:?}");
    // Nor any argument of a prompt without completers.
    let info = client.complete_prompt("plain", "text", "x").await.unwrap();
    assert!(info.values.is_empty(), "{info:?}");
}

#[tokio::test]
async fn resource_template_variables_complete() {
    let client = client().await;
    let info = client
        .complete_resource("docs://{lang}/{page}", "lang", "e")
        .await
        .unwrap();
    assert_eq!(info.values, ["en", "es"]);
    let info = client
        .complete_resource("plain://{id}", "id", "1")
        .await
        .unwrap();
    assert!(info.values.is_empty(), "no completer: {info:?}");
}

#[tokio::test]
async fn completion_context_carries_other_arguments() {
    let client = client().await;
    let complete = |lang: Option<&str>, value: &str| {
        let mut params = CompleteRequestParams::new(
            Reference::for_resource("docs://{lang}/{page}"),
            ArgumentInfo::new("page", value),
        );
        if let Some(lang) = lang {
            params = params.with_context(CompletionContext::with_arguments(HashMap::from([(
                "lang".to_owned(),
                lang.to_owned(),
            )])));
        }
        client.peer().complete(params)
    };
    let fr = complete(Some("fr"), "a").await.unwrap();
    assert_eq!(fr.completion.values, ["accueil", "aide"]);
    let en = complete(Some("en"), "h").await.unwrap();
    assert_eq!(en.completion.values, ["home", "help"]);
    let none = complete(None, "").await.unwrap();
    assert_eq!(none.completion.values, ["<no lang>"]);
}

#[tokio::test]
async fn more_than_a_hundred_candidates_are_truncated() {
    let client = client().await;
    let info = client.complete_prompt("pick", "choice", "").await.unwrap();
    assert_eq!(info.values.len(), 100);
    assert_eq!(info.values[0], "item-000");
    assert_eq!(info.values[99], "item-099");
    assert_eq!(info.has_more, Some(true));
    assert_eq!(info.total, Some(150));

    let info = client.complete_prompt("pick", "other", "").await.unwrap();
    assert_eq!(info.values.len(), 100);
    assert_eq!(info.has_more, Some(false), "exactly 100 is not truncated");
    assert_eq!(info.total, Some(100));
}

#[tokio::test]
async fn a_panicking_completer_completes_to_nothing_and_the_server_keeps_serving() {
    let client = client().await;
    let info = client.complete_prompt("pick", "bad", "x").await.unwrap();
    assert!(info.values.is_empty(), "{info:?}");
    let info = client
        .complete_prompt("summarize", "topic", "go")
        .await
        .unwrap();
    assert_eq!(info.values, ["go"]);
}

#[tokio::test]
async fn completion_for_an_unknown_prompt_or_template_is_invalid_params() {
    let client = client().await;
    let error = client
        .complete_prompt("no_such_prompt", "topic", "r")
        .await
        .expect_err("an unknown prompt");
    assert_eq!(error.code(), Some(INVALID_PARAMS), "{error}");
    let error = client
        .complete_resource("nope://{x}", "x", "")
        .await
        .expect_err("an unknown template");
    assert_eq!(error.code(), Some(INVALID_PARAMS), "{error}");
}

#[tokio::test]
async fn completion_of_a_disabled_prompt_is_refused() {
    let server = server();
    let client = TestClient::new(server.clone()).await;
    assert_eq!(server.disable("summarize").await, 1);
    let error = client
        .complete_prompt("summarize", "topic", "r")
        .await
        .expect_err("a disabled prompt does not complete");
    assert_eq!(error.code(), Some(INVALID_PARAMS), "{error}");
    server.enable("summarize").await;
    let info = client
        .complete_prompt("summarize", "topic", "r")
        .await
        .unwrap();
    assert_eq!(info.values.len(), 3);
}

#[tokio::test]
async fn reserved_expansion_templates_complete_by_their_template() {
    let client = client().await;
    let info = client
        .complete_resource("tree://{+path}", "path", "src/")
        .await
        .unwrap();
    assert_eq!(info.values, ["path=src/"]);
}
