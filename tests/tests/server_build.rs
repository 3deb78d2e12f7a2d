//! `Server::builder(…).build()`: startup validation, and what the server tells clients.

mod common;

use common::connect;
use mcp_runtime::prelude::*;
use serde_json::json;

/// A database handle.
struct Db;

/// A cache handle.
struct Cache;

/// Needs a database.
#[tool]
async fn needs_db(db: State<Db>, id: u64) -> u64 {
    let _ = db;
    id
}

/// Needs a database and a cache.
#[tool]
async fn needs_both(db: State<Db>, cache: State<Cache>) -> u64 {
    let _ = (db, cache);
    1
}

/// Pings.
#[tool]
async fn ping() -> &'static str {
    "pong"
}

/// Also called `ping`.
#[tool(name = "ping")]
async fn other_ping() -> &'static str {
    "other pong"
}

/// Adds.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[test]
fn missing_state_names_the_tool_and_the_type() {
    let error = Server::builder("s")
        .tools(tools![ping, needs_db])
        .build()
        .unwrap_err();
    assert!(
        matches!(error, Error::MissingState { .. }),
        "expected MissingState, got {error}"
    );
    let message = error.to_string();
    assert!(message.contains("tool `needs_db`"), "{message}");
    assert!(
        message.contains("State<") && message.contains("Db>"),
        "{message}"
    );
    assert!(message.contains(".state("), "{message}");
    // `main` returning the error prints `Debug`: the same readable text.
    assert_eq!(format!("{error:?}"), message);
}

#[test]
fn missing_state_names_the_type_that_is_missing() {
    let error = Server::builder("s")
        .state(Db)
        .tools(tools![needs_both])
        .build()
        .unwrap_err();
    assert!(
        matches!(error, Error::MissingState { .. }),
        "expected MissingState, got {error}"
    );
    let message = error.to_string();
    assert!(message.contains("`needs_both`"), "{message}");
    assert!(message.contains("Cache>"), "{message}");
    assert!(!message.contains("Db>"), "Db was given: {message}");
    assert!(
        Server::builder("s")
            .state(Db)
            .state(Cache)
            .tools(tools![needs_both])
            .build()
            .is_ok()
    );
}

#[test]
fn the_same_tool_registered_twice_is_a_duplicate() {
    let error = Server::builder("s")
        .tools(tools![ping, add])
        .tools(tools![ping])
        .build()
        .unwrap_err();
    assert!(
        matches!(error, Error::DuplicateTool(..)),
        "expected DuplicateTool, got {error}"
    );
    let message = error.to_string();
    assert!(message.contains("`ping`"), "{message}");
    assert!(message.contains("registered twice"), "{message}");
}

#[test]
fn two_tools_renamed_to_one_name_are_duplicates() {
    let error = Server::builder("s")
        .tools(tools![ping])
        .tools(tools![other_ping])
        .build()
        .unwrap_err();
    assert!(matches!(error, Error::DuplicateTool(..)), "{error}");
    assert!(error.to_string().contains("`ping`"), "{error}");
}

#[test]
fn tool_sets_list_their_names_in_order() {
    let set = tools![add, ping, needs_db];
    assert_eq!(set.names().collect::<Vec<_>>(), ["add", "ping", "needs_db"]);
    assert_eq!(set.len(), 3);
    assert!(!set.is_empty());
    let mut all = tools![add];
    all.extend([tools![ping], tools![other_ping]]);
    assert_eq!(all.names().collect::<Vec<_>>(), ["add", "ping", "ping"]);
    assert!(ToolSet::default().is_empty());
}

#[test]
fn built_servers_expose_their_tools() {
    let server = Server::builder("calc")
        .tools(tools![add])
        .tools(tools![ping])
        .build()
        .unwrap();
    assert_eq!(server.name(), "calc");
    let names: Vec<_> = server
        .tools()
        .iter()
        .map(|tool| tool.name.to_string())
        .collect();
    assert_eq!(names, ["add", "ping"]);
    let inspected = server.inspect();
    assert_eq!(inspected["name"], "calc");
    assert_eq!(inspected["tools"][0]["name"], "add");
    assert_eq!(inspected["tools"][0]["inputSchema"]["type"], "object");
}

#[tokio::test]
async fn tools_are_listed_in_registration_order() {
    let server = Server::builder("s")
        .tools(tools![ping, add])
        .build()
        .unwrap();
    let client = connect(server).await;
    let names: Vec<_> = client
        .list_tools()
        .await
        .unwrap()
        .iter()
        .map(|tool| tool.name.to_string())
        .collect();
    assert_eq!(names, ["ping", "add"]);
}

#[tokio::test]
async fn an_empty_server_lists_no_tools() {
    let client = connect(Server::builder("empty").build().unwrap()).await;
    assert!(client.list_tools().await.unwrap().is_empty());
    let error = client.call_tool("anything", json!({})).await.unwrap_err();
    assert_eq!(error.code(), Some(-32602));
}

#[tokio::test]
async fn name_version_title_and_instructions_reach_the_client() {
    let server = Server::builder("notes-server")
        .version("1.2.3")
        .title("Notes")
        .instructions("Use `add` to add.")
        .tools(tools![add])
        .build()
        .unwrap();
    let client = connect(server).await;
    let info = client.server_info().expect("the server sent its info");
    let implementation = info.server_info.as_ref().expect("serverInfo");
    assert_eq!(implementation.name, "notes-server");
    assert_eq!(implementation.version, "1.2.3");
    assert_eq!(implementation.title.as_deref(), Some("Notes"));
    assert_eq!(info.instructions.as_deref(), Some("Use `add` to add."));
    assert!(
        info.capabilities.tools.is_some(),
        "tools capability missing"
    );
}

#[tokio::test]
async fn server_info_defaults() {
    let client = connect(Server::builder("plain").build().unwrap()).await;
    let info = client.server_info().unwrap();
    let implementation = info.server_info.as_ref().unwrap();
    assert_eq!(implementation.name, "plain");
    assert_eq!(implementation.version, "0.0.0");
    assert_eq!(implementation.title, None);
    assert_eq!(info.instructions, None);
}

#[tokio::test]
async fn icons_and_website_reach_the_client_in_server_info() {
    let server = Server::builder("iconic")
        .icon(
            "https://example.com/icon.png",
            Some("image/png"),
            &["48x48", "96x96"],
            Some("dark"),
        )
        .icon("data:image/svg+xml;base64,PHN2Zy8+", None, &["any"], None)
        .website_url("https://example.com/")
        .build()
        .unwrap();
    let client = connect(server).await;
    let info = client.server_info().unwrap();
    let implementation = serde_json::to_value(info.server_info.as_ref().unwrap()).unwrap();
    assert_eq!(
        implementation["icons"],
        json!([
            {"src": "https://example.com/icon.png", "mimeType": "image/png",
             "sizes": ["48x48", "96x96"], "theme": "dark"},
            {"src": "data:image/svg+xml;base64,PHN2Zy8+", "sizes": ["any"]},
        ])
    );
    assert_eq!(implementation["websiteUrl"], "https://example.com/");
    let plain = connect(Server::builder("plain").build().unwrap()).await;
    let plain =
        serde_json::to_value(plain.server_info().unwrap().server_info.as_ref().unwrap()).unwrap();
    assert!(plain.get("icons").is_none() && plain.get("websiteUrl").is_none());
}
