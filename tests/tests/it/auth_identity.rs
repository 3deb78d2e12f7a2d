//! Identities without HTTP: the in-memory client acting as a caller, scopes hiding and
//! refusing components, the `Auth` extractor, and the identity reaching middleware.

use std::sync::{Arc, Mutex};

use mcp_runtime::auth::{Auth, Identity};
use mcp_runtime::middleware::{ClientKey, RateLimit, Request};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

/// Who is calling.
#[tool(scopes = ["profile:read"])]
async fn whoami(auth: Auth) -> String {
    format!("{} {:?}", auth.subject(), auth.scopes())
}

/// Who is calling, if anyone.
#[tool]
async fn maybe_who(auth: Option<Auth>) -> String {
    auth.map_or_else(|| "anonymous".to_owned(), |auth| auth.subject().to_owned())
}

/// Needs an identity, but declares no scope.
#[tool]
async fn needs_identity(auth: Auth) -> String {
    auth.subject().to_owned()
}

/// Admin-only notes.
#[resource("admin://notes", scopes = ["admin"])]
async fn admin_notes() -> String {
    "secret".to_owned()
}

/// An admin prompt.
#[prompt(scopes = ["admin"])]
async fn admin_prompt() -> String {
    "do admin things".to_owned()
}

fn server() -> Server {
    Server::builder("identity")
        .tools(tools![whoami, maybe_who, needs_identity])
        .resources(resources![admin_notes])
        .prompts(prompts![admin_prompt])
        .build()
        .expect("builds")
}

#[tokio::test]
async fn a_caller_without_the_scopes_neither_sees_nor_uses_the_component() {
    let client = TestClient::connect_as(server(), Identity::new("bob")).await;
    let tools: Vec<String> = client
        .list_tools()
        .await
        .expect("tools/list")
        .into_iter()
        .map(|tool| tool.name.to_string())
        .collect();
    assert_eq!(tools, ["maybe_who", "needs_identity"]);
    assert!(client.list_resources().await.expect("list").is_empty());
    assert!(client.list_prompts().await.expect("list").is_empty());

    let error = client
        .call_tool("whoami", json!({}))
        .await
        .expect_err("refused");
    let message = error.to_string();
    assert!(
        message.contains("needs the scope `profile:read`"),
        "{message}"
    );
    assert!(message.contains("-32003"), "{message}");
    let error = client
        .read_resource("admin://notes")
        .await
        .expect_err("refused");
    assert!(error.to_string().contains("`admin`"), "{error}");
    let error = client
        .get_prompt("admin_prompt", json!({}))
        .await
        .expect_err("refused");
    assert!(error.to_string().contains("`admin`"), "{error}");
    client.close().await.expect("closes");
}

#[tokio::test]
async fn a_caller_with_the_scopes_gets_through_with_its_identity() {
    let alice = Identity::new("alice").with_scopes(["profile:read", "admin"]);
    let client = TestClient::connect_as(server(), alice).await;
    let result = client.call_tool("whoami", json!({})).await.expect("called");
    assert_eq!(result.text(), r#"alice ["profile:read", "admin"]"#);
    let read = client.read_resource("admin://notes").await.expect("read");
    assert_eq!(
        serde_json::to_value(&read).expect("JSON")["contents"][0]["text"],
        "secret"
    );
    assert_eq!(client.list_prompts().await.expect("list").len(), 1);
    client.close().await.expect("closes");
}

#[tokio::test]
async fn without_an_identity_a_local_client_is_trusted_and_auth_is_absent() {
    // stdio and in-memory without an identity: the user who started the process.
    let client = TestClient::new(server()).await;
    assert_eq!(client.list_tools().await.expect("list").len(), 3);
    let anonymous = client
        .call_tool("maybe_who", json!({}))
        .await
        .expect("called");
    assert_eq!(anonymous.text(), "anonymous");
    // A tool that takes `Auth` says what is missing.
    let result = client
        .call_tool("needs_identity", json!({}))
        .await
        .expect("called");
    assert!(result.is_error());
    assert!(
        result.text().contains("needs an authenticated caller"),
        "{}",
        result.text()
    );
    client.close().await.expect("closes");
}

#[tokio::test]
async fn middleware_sees_the_identity_and_rate_limits_per_subject() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let server = Server::builder("limited")
        .tools(tools![maybe_who])
        .middleware(move |request: Request, next: Next| {
            let record = record.clone();
            async move {
                if let Some(identity) = request.identity() {
                    record
                        .lock()
                        .expect("lock")
                        .push(identity.subject().to_owned());
                }
                next.run(request).await
            }
        })
        .middleware(RateLimit::per_client(0.001, 1).key(ClientKey::subject()))
        .build()
        .expect("builds");
    // Two connections of the same subject share one bucket; another subject has its own.
    let first = TestClient::connect_as(server.clone(), Identity::new("carol")).await;
    let second = TestClient::connect_as(server.clone(), Identity::new("carol")).await;
    let other = TestClient::connect_as(server, Identity::new("dave")).await;
    assert_eq!(
        first
            .call_tool("maybe_who", json!({}))
            .await
            .expect("ok")
            .text(),
        "carol"
    );
    let limited = second.call_tool("maybe_who", json!({})).await;
    assert!(limited.is_err(), "the same subject shares the bucket");
    assert_eq!(
        other
            .call_tool("maybe_who", json!({}))
            .await
            .expect("ok")
            .text(),
        "dave"
    );
    let seen = seen.lock().expect("lock").clone();
    assert!(
        seen.contains(&"carol".to_owned()) && seen.contains(&"dave".to_owned()),
        "{seen:?}"
    );
}
