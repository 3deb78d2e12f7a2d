//! The live server through the public API: resource subscriptions and
//! `notifications/resources/updated`, and enabling and disabling components at run time (by
//! name and by tag) with their `list_changed` notifications.

use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::testing::{Notification, TestClient};
use serde_json::{Value, json};

use crate::support::{INVALID_PARAMS, RESOURCE_NOT_FOUND, connect, tool_names};

/// How long a notification that must arrive may take.
const ARRIVES: Duration = Duration::from_secs(5);
/// How long to watch for a notification that must not arrive.
const QUIET: Duration = Duration::from_millis(300);

/// A counter.
#[resource("live://counter")]
async fn counter() -> String {
    "0".to_owned()
}

/// One item.
#[resource("live://item/{id}")]
async fn item(id: u32) -> String {
    format!("item {id}")
}

/// The audit log, for admins.
#[resource("admin://audit", tags = ["admin"])]
async fn audit() -> String {
    "nothing happened".to_owned()
}

/// Echo the text back.
#[tool]
async fn echo(text: String) -> String {
    text
}

/// Wipe everything (admins only).
#[tool(tags = ["admin"])]
async fn wipe() -> String {
    "wiped".to_owned()
}

/// Tell subscribers that a resource changed; returns how many were told.
#[tool]
async fn touch(server: Server, uri: String) -> usize {
    server.notify_resource_updated(&uri).await
}

/// Disable a component by name; returns how many components that affected.
#[tool]
async fn retire(server: Server, name: String) -> usize {
    server.disable(&name).await
}

/// A report, for admins.
#[prompt(tags = ["admin", "reports"])]
async fn admin_report() -> String {
    "the report".to_owned()
}

/// Say hello.
#[prompt]
async fn hello() -> String {
    "hello".to_owned()
}

fn server() -> Server {
    Server::builder("live")
        .tools(tools![echo, wipe, touch, retire])
        .resources(resources![counter, item, audit])
        .prompts(prompts![admin_report, hello])
        .build()
        .expect("the server builds")
}

/// Connects a client. It must hear of changes made as soon as this returns (see
/// `a_change_right_after_connecting_is_sent_to_the_client`).
fn updated(uri: &str) -> impl Fn(&Notification) -> bool + '_ {
    move |n| matches!(n, Notification::ResourceUpdated(u) if u == uri)
}

fn count(client: &TestClient, wanted: &Notification) -> usize {
    client
        .notifications()
        .iter()
        .filter(|n| *n == wanted)
        .count()
}

/// Lets in-flight notifications arrive: a round trip, then a short wait.
async fn settle(client: &TestClient) {
    client.list_prompts().await.expect("prompts/list");
    tokio::time::sleep(QUIET).await;
}

async fn resource_uris(client: &TestClient) -> Vec<String> {
    client
        .list_resources()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.uri.clone())
        .collect()
}

async fn prompt_names(client: &TestClient) -> Vec<String> {
    client
        .list_prompts()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name.clone())
        .collect()
}

// ---- subscriptions -----------------------------------------------------------------------

#[tokio::test]
async fn a_subscriber_is_notified_of_updates() {
    let server = server();
    let client = connect(server.clone()).await;
    client.subscribe("live://counter").await.unwrap();
    assert_eq!(server.notify_resource_updated("live://counter").await, 1);
    let got = client
        .wait_for_notification(ARRIVES, updated("live://counter"))
        .await;
    assert_eq!(
        got,
        Some(Notification::ResourceUpdated("live://counter".to_owned()))
    );
}

#[tokio::test]
async fn nobody_is_notified_of_an_unsubscribed_uri() {
    let server = server();
    let client = connect(server.clone()).await;
    client.subscribe("live://counter").await.unwrap();
    assert_eq!(server.notify_resource_updated("live://item/1").await, 0);
    settle(&client).await;
    assert!(
        !client
            .notifications()
            .iter()
            .any(|n| matches!(n, Notification::ResourceUpdated(_))),
        "{:?}",
        client.notifications()
    );
}

#[tokio::test]
async fn after_unsubscribing_nothing_is_sent() {
    let server = server();
    let client = connect(server.clone()).await;
    client.subscribe("live://counter").await.unwrap();
    assert_eq!(server.notify_resource_updated("live://counter").await, 1);
    assert!(
        client
            .wait_for_notification(ARRIVES, updated("live://counter"))
            .await
            .is_some()
    );
    client.unsubscribe("live://counter").await.unwrap();
    assert_eq!(server.notify_resource_updated("live://counter").await, 0);
    settle(&client).await;
    let updates = client
        .notifications()
        .into_iter()
        .filter(|n| matches!(n, Notification::ResourceUpdated(_)))
        .count();
    assert_eq!(updates, 1, "only the update before unsubscribing arrived");
}

#[tokio::test]
async fn template_instances_can_be_subscribed_to() {
    let server = server();
    let client = connect(server.clone()).await;
    client.subscribe("live://item/7").await.unwrap();
    assert_eq!(server.notify_resource_updated("live://item/8").await, 0);
    assert_eq!(server.notify_resource_updated("live://item/7").await, 1);
    assert!(
        client
            .wait_for_notification(ARRIVES, updated("live://item/7"))
            .await
            .is_some()
    );
}

#[tokio::test]
async fn subscribing_twice_notifies_once() {
    let server = server();
    let client = connect(server.clone()).await;
    client.subscribe("live://counter").await.unwrap();
    client.subscribe("live://counter").await.unwrap();
    assert_eq!(server.notify_resource_updated("live://counter").await, 1);
    assert!(
        client
            .wait_for_notification(ARRIVES, updated("live://counter"))
            .await
            .is_some()
    );
    settle(&client).await;
    assert_eq!(
        count(
            &client,
            &Notification::ResourceUpdated("live://counter".to_owned())
        ),
        1
    );
}

#[tokio::test]
async fn each_subscribed_client_is_notified() {
    let server = server();
    let first = connect(server.clone()).await;
    let second = connect(server.clone()).await;
    let bystander = connect(server.clone()).await;
    first.subscribe("live://counter").await.unwrap();
    second.subscribe("live://counter").await.unwrap();
    assert_eq!(server.notify_resource_updated("live://counter").await, 2);
    for client in [&first, &second] {
        assert!(
            client
                .wait_for_notification(ARRIVES, updated("live://counter"))
                .await
                .is_some()
        );
    }
    // One unsubscribes; the other still hears.
    first.unsubscribe("live://counter").await.unwrap();
    assert_eq!(server.notify_resource_updated("live://counter").await, 1);
    settle(&bystander).await;
    assert!(bystander.notifications().is_empty());
}

#[tokio::test]
async fn a_closed_client_is_no_longer_notified() {
    let server = server();
    let client = connect(server.clone()).await;
    client.subscribe("live://counter").await.unwrap();
    client.close().await.expect("the session closes cleanly");
    assert_eq!(server.notify_resource_updated("live://counter").await, 0);
}

#[tokio::test]
async fn subscribing_to_an_unknown_uri_is_an_error() {
    let server = server();
    let client = connect(server.clone()).await;
    let error = client
        .subscribe("nowhere://at-all")
        .await
        .expect_err("an unknown URI");
    assert_eq!(error.code(), Some(RESOURCE_NOT_FOUND), "{error}");
    assert!(error.message().unwrap().contains("nowhere://at-all"));
    assert_eq!(server.notify_resource_updated("nowhere://at-all").await, 0);
}

#[tokio::test]
async fn a_tool_taking_the_server_notifies_subscribers() {
    let server = server();
    let client = connect(server.clone()).await;
    client.subscribe("live://counter").await.unwrap();
    let result = client
        .call_tool("touch", json!({"uri": "live://counter"}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{result:?}");
    assert_eq!(result.json::<usize>().unwrap(), 1);
    assert!(
        client
            .wait_for_notification(ARRIVES, updated("live://counter"))
            .await
            .is_some()
    );
    // `server: Server` is injected, not an argument.
    let tools = client.list_tools().await.unwrap();
    let touch = tools.iter().find(|t| t.name == "touch").unwrap();
    let properties = touch.input_schema.get("properties").cloned();
    assert_eq!(
        properties
            .as_ref()
            .and_then(Value::as_object)
            .map(|p| p.len()),
        Some(1),
        "{properties:?}"
    );
}

#[tokio::test]
async fn capabilities_advertise_subscribe_and_list_changed() {
    let server = server();
    let client = connect(server.clone()).await;
    let info = serde_json::to_value(&*client.server_info().unwrap()).unwrap();
    let capabilities = &info["capabilities"];
    assert_eq!(
        capabilities["tools"]["listChanged"], true,
        "{capabilities:#}"
    );
    assert_eq!(capabilities["resources"]["listChanged"], true);
    assert_eq!(capabilities["resources"]["subscribe"], true);
    assert_eq!(capabilities["prompts"]["listChanged"], true);
}

// ---- enable and disable ------------------------------------------------------------------

#[tokio::test]
async fn disabling_a_tool_hides_it_and_notifies() {
    let server = server();
    let client = connect(server.clone()).await;
    assert!(tool_names(&client).await.contains(&"echo".to_owned()));

    assert_eq!(server.disable("echo").await, 1);
    assert!(!tool_names(&client).await.contains(&"echo".to_owned()));
    let error = client
        .call_tool("echo", json!({"text": "hi"}))
        .await
        .expect_err("a disabled tool is unknown");
    assert_eq!(error.code(), Some(INVALID_PARAMS), "{error}");
    assert!(error.message().unwrap().contains("echo"));
    assert!(
        client
            .wait_for_notification(ARRIVES, |n| *n == Notification::ToolListChanged)
            .await
            .is_some()
    );

    // Disabling again changes nothing and says so.
    assert_eq!(server.disable("echo").await, 0);

    assert_eq!(server.enable("echo").await, 1);
    assert!(tool_names(&client).await.contains(&"echo".to_owned()));
    let result = client
        .call_tool("echo", json!({"text": "back"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "back");
    settle(&client).await;
    assert_eq!(count(&client, &Notification::ToolListChanged), 2);
    assert_eq!(count(&client, &Notification::ResourceListChanged), 0);
    assert_eq!(count(&client, &Notification::PromptListChanged), 0);
}

#[tokio::test]
async fn disabling_a_resource_or_prompt_by_name() {
    let server = server();
    let client = connect(server.clone()).await;
    assert_eq!(server.disable("counter").await, 1);
    assert!(
        !resource_uris(&client)
            .await
            .contains(&"live://counter".to_owned())
    );
    let error = client.read_resource("live://counter").await.unwrap_err();
    assert_eq!(error.code(), Some(RESOURCE_NOT_FOUND), "{error}");
    let error = client.subscribe("live://counter").await.unwrap_err();
    assert_eq!(error.code(), Some(RESOURCE_NOT_FOUND), "{error}");
    assert!(
        client
            .wait_for_notification(ARRIVES, |n| *n == Notification::ResourceListChanged)
            .await
            .is_some()
    );

    // A template, by name.
    assert_eq!(server.disable("item").await, 1);
    let templates = client.list_resource_templates().await.unwrap();
    assert!(templates.is_empty(), "{templates:?}");
    let error = client.read_resource("live://item/1").await.unwrap_err();
    assert_eq!(error.code(), Some(RESOURCE_NOT_FOUND), "{error}");

    assert_eq!(server.disable("hello").await, 1);
    assert!(!prompt_names(&client).await.contains(&"hello".to_owned()));
    let error = client.get_prompt("hello", json!({})).await.unwrap_err();
    assert_eq!(error.code(), Some(INVALID_PARAMS), "{error}");
    assert!(
        client
            .wait_for_notification(ARRIVES, |n| *n == Notification::PromptListChanged)
            .await
            .is_some()
    );
    settle(&client).await;
    assert_eq!(count(&client, &Notification::ToolListChanged), 0);

    server.enable("counter").await;
    server.enable("item").await;
    server.enable("hello").await;
    assert_eq!(client.read_text("live://counter").await.unwrap(), "0");
    assert_eq!(client.read_text("live://item/1").await.unwrap(), "item 1");
    assert!(client.get_prompt("hello", json!({})).await.is_ok());
}

#[tokio::test]
async fn disabling_an_unknown_name_affects_nothing_and_sends_nothing() {
    let server = server();
    let client = connect(server.clone()).await;
    assert_eq!(server.disable("no_such_component").await, 0);
    assert_eq!(server.disable_tag("no_such_tag").await, 0);
    settle(&client).await;
    assert!(
        client.notifications().is_empty(),
        "{:?}",
        client.notifications()
    );
    assert_eq!(tool_names(&client).await.len(), 4);
}

#[tokio::test]
async fn disabling_a_tag_hides_every_tagged_component_and_notifies() {
    let server = server();
    let client = connect(server.clone()).await;
    assert_eq!(server.disable_tag("admin").await, 3);

    let tools = tool_names(&client).await;
    assert!(!tools.contains(&"wipe".to_owned()), "{tools:?}");
    assert!(tools.contains(&"echo".to_owned()), "untagged tools stay");
    assert!(
        !resource_uris(&client)
            .await
            .contains(&"admin://audit".to_owned())
    );
    assert!(
        resource_uris(&client)
            .await
            .contains(&"live://counter".to_owned())
    );
    let prompts = prompt_names(&client).await;
    assert_eq!(prompts, ["hello"]);

    let error = client.call_tool("wipe", json!({})).await.unwrap_err();
    assert_eq!(error.code(), Some(INVALID_PARAMS), "{error}");
    let error = client.read_resource("admin://audit").await.unwrap_err();
    assert_eq!(error.code(), Some(RESOURCE_NOT_FOUND), "{error}");
    let error = client
        .get_prompt("admin_report", json!({}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(INVALID_PARAMS), "{error}");

    for wanted in [
        Notification::ToolListChanged,
        Notification::ResourceListChanged,
        Notification::PromptListChanged,
    ] {
        assert!(
            client
                .wait_for_notification(ARRIVES, |n| *n == wanted)
                .await
                .is_some(),
            "{wanted:?} did not arrive: {:?}",
            client.notifications()
        );
    }

    assert_eq!(server.enable_tag("admin").await, 3);
    assert!(tool_names(&client).await.contains(&"wipe".to_owned()));
    assert_eq!(
        client.read_text("admin://audit").await.unwrap(),
        "nothing happened"
    );
    assert!(client.get_prompt("admin_report", json!({})).await.is_ok());
    settle(&client).await;
    assert_eq!(count(&client, &Notification::ToolListChanged), 2);
    assert_eq!(count(&client, &Notification::ResourceListChanged), 2);
    assert_eq!(count(&client, &Notification::PromptListChanged), 2);
}

#[tokio::test]
async fn a_second_tag_selects_only_its_components() {
    let server = server();
    let client = connect(server.clone()).await;
    assert_eq!(server.disable_tag("reports").await, 1);
    assert_eq!(prompt_names(&client).await, ["hello"]);
    assert!(tool_names(&client).await.contains(&"wipe".to_owned()));
    assert!(
        client
            .wait_for_notification(ARRIVES, |n| *n == Notification::PromptListChanged)
            .await
            .is_some()
    );
    settle(&client).await;
    assert_eq!(count(&client, &Notification::ToolListChanged), 0);
    assert_eq!(count(&client, &Notification::ResourceListChanged), 0);
}

#[tokio::test]
async fn every_connected_client_hears_of_a_change() {
    let server = server();
    let first = connect(server.clone()).await;
    let second = connect(server.clone()).await;
    server.disable("echo").await;
    for client in [&first, &second] {
        assert!(
            client
                .wait_for_notification(ARRIVES, |n| *n == Notification::ToolListChanged)
                .await
                .is_some()
        );
        assert!(!tool_names(client).await.contains(&"echo".to_owned()));
    }
}

#[tokio::test]
async fn a_tool_can_disable_components_through_the_injected_server() {
    let server = server();
    let client = connect(server.clone()).await;
    let result = client
        .call_tool("retire", json!({"name": "echo"}))
        .await
        .unwrap();
    assert_eq!(result.json::<usize>().unwrap(), 1);
    assert!(!tool_names(&client).await.contains(&"echo".to_owned()));
    assert!(
        client
            .wait_for_notification(ARRIVES, |n| *n == Notification::ToolListChanged)
            .await
            .is_some()
    );
    // A tool may retire itself; it is gone for the next call.
    let result = client
        .call_tool("retire", json!({"name": "retire"}))
        .await
        .unwrap();
    assert_eq!(result.json::<usize>().unwrap(), 1);
    let error = client
        .call_tool("retire", json!({"name": "wipe"}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(INVALID_PARAMS));
}

#[tokio::test]
async fn clones_share_the_enabled_state() {
    let server = server();
    let clone = server.clone();
    clone.disable("echo").await;
    assert!(!server.tools().iter().any(|t| t.name == "echo"));
    server.enable("echo").await;
    assert!(clone.tools().iter().any(|t| t.name == "echo"));
}

/// A client that connected before a change hears of it: the server registers it while
/// answering `initialize`, not later when it handles `notifications/initialized` (which, before
/// the fix, always lost the race on a current-thread runtime).
#[tokio::test]
async fn a_change_right_after_connecting_is_sent_to_the_client() {
    let server = server();
    let client = TestClient::new(server.clone()).await;
    assert_eq!(server.disable("echo").await, 1);
    assert!(
        client
            .wait_for_notification(ARRIVES, |n| *n == Notification::ToolListChanged)
            .await
            .is_some(),
        "the client connected before the change but was not told of it"
    );
}

/// The same, repeated on a multi-threaded runtime, where the race was intermittent.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_change_right_after_connecting_is_sent_on_a_multi_threaded_runtime() {
    for attempt in 0..50 {
        let server = server();
        let client = TestClient::new(server.clone()).await;
        assert_eq!(server.disable_tag("admin").await, 3);
        assert!(
            client
                .wait_for_notification(ARRIVES, |n| *n == Notification::PromptListChanged)
                .await
                .is_some(),
            "attempt {attempt}: the client was not told of the change"
        );
    }
}

// ---- subscriptions/listen (protocol 2026-07-28) ----------------------------------------------

/// The `_meta` of a 2026-07-28 request.
fn modern_meta() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "listener", "version": "1"}
    })
}

/// The next message of `method`, skipping others, within [`ARRIVES`].
async fn next_of(line: &mut crate::support::line::Line, method: &str) -> Value {
    let deadline = tokio::time::Instant::now() + ARRIVES;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = line
            .next(left)
            .await
            .unwrap_or_else(|| panic!("no `{method}` within {ARRIVES:?}"));
        if message["method"] == method {
            return message;
        }
    }
}

#[tokio::test]
async fn a_listener_gets_what_it_subscribed_to_until_it_cancels() {
    let server = server();
    let mut line = crate::support::line::Line::start(server.clone());
    line.write(&json!({
        "jsonrpc": "2.0", "id": "listen-1", "method": "subscriptions/listen",
        "params": {
            "_meta": modern_meta(),
            "notifications": {
                "toolsListChanged": true,
                "resourceSubscriptions": ["live://counter", "live://nowhere"]
            }
        }
    }))
    .await;
    let ack = next_of(&mut line, "notifications/subscriptions/acknowledged").await;
    let accepted = &ack["params"]["notifications"];
    assert_eq!(accepted["toolsListChanged"], true, "{ack}");
    assert_eq!(
        accepted["resourceSubscriptions"],
        json!(["live://counter"]),
        "a URI the server does not have is left out: {ack}"
    );
    assert!(accepted.get("promptsListChanged").is_none(), "{ack}");

    // A tool list change and an update of the named resource reach it; a prompt list change
    // and an update of another resource do not.
    assert_eq!(server.disable("echo").await, 1);
    let changed = next_of(&mut line, "notifications/tools/list_changed").await;
    assert_eq!(
        changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "listen-1",
        "{changed}"
    );
    assert_eq!(server.notify_resource_updated("live://item/1").await, 0);
    assert_eq!(server.disable("hello").await, 1);
    assert_eq!(server.notify_resource_updated("live://counter").await, 1);
    let updated = next_of(&mut line, "notifications/resources/updated").await;
    assert_eq!(updated["params"]["uri"], "live://counter", "{updated}");

    // Cancelled, it hears nothing more.
    line.write(&json!({
        "jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": "listen-1", "_meta": modern_meta()}
    }))
    .await;
    tokio::time::sleep(QUIET).await;
    assert_eq!(server.notify_resource_updated("live://counter").await, 0);
    while let Some(message) = line.next(QUIET).await {
        assert_ne!(
            message["method"], "notifications/resources/updated",
            "{message}"
        );
    }
}
