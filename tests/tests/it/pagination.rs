//! Pages of the four lists (`ServerBuilder::page_size`): cursors that pages follow, that a
//! client cannot forge or carry to another list, and the lists' caching hints
//! (`ServerBuilder::list_cache_hints`), in memory and over the byte-stream codec.

use std::time::Duration;

use mcp_runtime::auth::Identity;
use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::{CacheScope, PaginatedRequestParams};
use mcp_runtime::testing::{ClientError, TestClient};
use mcp_runtime::{ServerBuilder, Settings};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::support::{INVALID_PARAMS, assert_rpc};

/// First.
#[tool]
async fn t1() -> &'static str {
    "1"
}

/// Second.
#[tool]
async fn t2() -> &'static str {
    "2"
}

/// Third, for admins.
#[tool(scopes = ["admin"])]
async fn t3() -> &'static str {
    "3"
}

/// Fourth.
#[tool]
async fn t4() -> &'static str {
    "4"
}

/// Fifth, for admins.
#[tool(scopes = ["admin"])]
async fn t5() -> &'static str {
    "5"
}

/// A.
#[resource("pages://a")]
async fn ra() -> &'static str {
    "a"
}

/// B.
#[resource("pages://b")]
async fn rb() -> &'static str {
    "b"
}

/// C.
#[resource("pages://c")]
async fn rc() -> &'static str {
    "c"
}

/// Items.
#[resource("pages://items/{id}")]
async fn items(id: u32) -> String {
    id.to_string()
}

/// Users.
#[resource("pages://users/{id}")]
async fn users(id: u32) -> String {
    id.to_string()
}

/// Orders.
#[resource("pages://orders/{id}")]
async fn orders(id: u32) -> String {
    id.to_string()
}

/// Hello.
#[prompt]
async fn p1() -> &'static str {
    "hello"
}

/// Bye.
#[prompt]
async fn p2() -> &'static str {
    "bye"
}

/// Again.
#[prompt]
async fn p3() -> &'static str {
    "again"
}

fn builder() -> ServerBuilder {
    Server::builder("pages")
        .tools(tools![t1, t2, t3, t4, t5])
        .resources(resources![ra, rb, rc, items, users, orders])
        .prompts(prompts![p1, p2, p3])
}

fn paged(size: usize) -> Server {
    builder().page_size(size).build().expect("a valid server")
}

fn admin() -> Identity {
    Identity::new("ada").with_scopes(["admin"])
}

fn params(cursor: Option<&str>) -> Option<PaginatedRequestParams> {
    Some(PaginatedRequestParams::default().with_cursor(cursor.map(str::to_owned)))
}

/// One `tools/list` page: the names and the next cursor.
async fn tools_page(
    client: &TestClient,
    cursor: Option<&str>,
) -> Result<(Vec<String>, Option<String>), ClientError> {
    let page = client
        .peer()
        .list_tools(params(cursor))
        .await
        .map_err(ClientError::from)?;
    let names = page.tools.iter().map(|t| t.name.to_string()).collect();
    Ok((names, page.next_cursor))
}

/// The cursor with one character of its position changed.
fn forged(cursor: &str) -> String {
    let mut chars: Vec<char> = cursor.chars().collect();
    chars[2] = if chars[2] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

#[tokio::test]
async fn a_cursor_is_refused_when_lists_are_not_paged() {
    let client = TestClient::new(builder().build().expect("a valid server")).await;
    let error = tools_page(&client, Some("bogus")).await.unwrap_err();
    assert_rpc(&error, INVALID_PARAMS, &["invalid cursor", "one page"]);
    // Without a cursor, everything on one page, as before (no identity: no scopes checked).
    let (names, next) = tools_page(&client, None).await.expect("a page");
    assert_eq!(names, ["t1", "t2", "t3", "t4", "t5"]);
    assert_eq!(next, None);
}

#[tokio::test]
async fn pages_of_two_cover_the_list_in_registration_order() {
    let whole = TestClient::connect_as(builder().build().expect("valid"), admin()).await;
    let whole: Vec<String> = whole
        .list_tools()
        .await
        .expect("listed")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(whole, ["t1", "t2", "t3", "t4", "t5"]);

    let client = TestClient::connect_as(paged(2), admin()).await;
    let (first, cursor) = tools_page(&client, None).await.expect("a page");
    assert_eq!(first, ["t1", "t2"]);
    let cursor = cursor.expect("a second page");
    let (second, last_cursor) = tools_page(&client, Some(&cursor)).await.expect("a page");
    assert_eq!(second, ["t3", "t4"]);
    let last_cursor = last_cursor.expect("a third page");
    assert_ne!(cursor, last_cursor);
    let (last, none) = tools_page(&client, Some(&last_cursor))
        .await
        .expect("a page");
    assert_eq!(last, ["t5"]);
    assert_eq!(none, None, "the last page has no nextCursor");
    assert_eq!([first, second, last].concat(), whole);
    // A cursor can be used again: the same page.
    let (again, _) = tools_page(&client, Some(&cursor)).await.expect("a page");
    assert_eq!(again, ["t3", "t4"]);
    // The client's own "list everything" follows the cursors.
    let all: Vec<String> = client
        .list_tools()
        .await
        .expect("listed")
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    assert_eq!(all, whole);
}

#[tokio::test]
async fn forged_and_garbage_cursors_are_invalid_params() {
    let client = TestClient::connect_as(paged(2), admin()).await;
    let (_, cursor) = tools_page(&client, None).await.expect("a page");
    let cursor = cursor.expect("more");
    for bad in [
        forged(&cursor),
        "garbage".to_owned(),
        String::new(),
        "!!!".to_owned(),
        format!("{cursor}A"),
    ] {
        let error = tools_page(&client, Some(&bad)).await.unwrap_err();
        assert_rpc(&error, INVALID_PARAMS, &["invalid cursor", "tools"]);
    }
    // A tools cursor is no prompts cursor.
    let error = client
        .peer()
        .list_prompts(params(Some(&cursor)))
        .await
        .map_err(ClientError::from)
        .unwrap_err();
    assert_rpc(&error, INVALID_PARAMS, &["invalid cursor", "prompts"]);
    // Nor another server's, though it lists the same tools.
    let other = TestClient::connect_as(paged(2), admin()).await;
    let error = tools_page(&other, Some(&cursor)).await.unwrap_err();
    assert_rpc(&error, INVALID_PARAMS, &["invalid cursor"]);
}

#[tokio::test]
async fn a_cursor_into_a_list_that_changed_is_stale() {
    let server = paged(2);
    let client = TestClient::connect_as(server.clone(), admin()).await;
    let (_, original) = tools_page(&client, None).await.expect("a page");
    let original = original.expect("more");
    assert_eq!(server.disable("t4").await, 1);
    let error = tools_page(&client, Some(&original)).await.unwrap_err();
    assert_rpc(&error, INVALID_PARAMS, &["stale cursor", "list again"]);
    // Listing again from the start works, and its cursors do.
    let (first, cursor) = tools_page(&client, None).await.expect("a page");
    assert_eq!(first, ["t1", "t2"]);
    let (second, _) = tools_page(&client, cursor.as_deref())
        .await
        .expect("a page");
    assert_eq!(second, ["t3", "t5"]);
    // Enabled again: the list is the first one again, and its first cursor works again.
    server.enable("t4").await;
    let (_, again) = tools_page(&client, None).await.expect("a page");
    assert_eq!(again.as_deref(), Some(original.as_str()));
    let (second, _) = tools_page(&client, Some(&original)).await.expect("a page");
    assert_eq!(second, ["t3", "t4"]);
}

#[tokio::test]
async fn scope_filtered_views_page_independently() {
    let server = paged(2);
    let admin = TestClient::connect_as(server.clone(), admin()).await;
    let guest = TestClient::connect_as(server, Identity::new("guest")).await;
    let (guest_first, guest_cursor) = tools_page(&guest, None).await.expect("a page");
    assert_eq!(guest_first, ["t1", "t2"]);
    let guest_cursor = guest_cursor.expect("more");
    let (guest_last, none) = tools_page(&guest, Some(&guest_cursor))
        .await
        .expect("a page");
    assert_eq!(guest_last, ["t4"]);
    assert_eq!(none, None);

    let (_, admin_cursor) = tools_page(&admin, None).await.expect("a page");
    let admin_cursor = admin_cursor.expect("more");
    assert_ne!(admin_cursor, guest_cursor, "another view, another cursor");
    // Neither caller can page the other's view.
    let error = tools_page(&guest, Some(&admin_cursor)).await.unwrap_err();
    assert_rpc(&error, INVALID_PARAMS, &["stale cursor"]);
    let error = tools_page(&admin, Some(&guest_cursor)).await.unwrap_err();
    assert_rpc(&error, INVALID_PARAMS, &["stale cursor"]);
}

#[tokio::test]
async fn resources_templates_and_prompts_are_paged_too() {
    let client = TestClient::new(paged(2)).await;
    let peer = client.peer();

    let first = peer.list_resources(params(None)).await.expect("a page");
    let uris: Vec<&str> = first.resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["pages://a", "pages://b"]);
    let last = peer
        .list_resources(params(first.next_cursor.as_deref()))
        .await
        .expect("a page");
    let uris: Vec<&str> = last.resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["pages://c"]);
    assert_eq!(last.next_cursor, None);

    let first = peer
        .list_resource_templates(params(None))
        .await
        .expect("a page");
    assert_eq!(first.resource_templates.len(), 2);
    let cursor = first.next_cursor.expect("more");
    let last = peer
        .list_resource_templates(params(Some(&cursor)))
        .await
        .expect("a page");
    assert_eq!(last.resource_templates.len(), 1);
    assert_eq!(last.next_cursor, None);
    let all: Vec<String> = client
        .list_resource_templates()
        .await
        .expect("listed")
        .into_iter()
        .map(|t| t.uri_template)
        .collect();
    let mut paged: Vec<String> = first
        .resource_templates
        .into_iter()
        .chain(last.resource_templates)
        .map(|t| t.uri_template)
        .collect();
    assert_eq!(paged, all);
    paged.sort();
    assert_eq!(
        paged,
        [
            "pages://items/{id}",
            "pages://orders/{id}",
            "pages://users/{id}"
        ]
    );
    // A template cursor is no resource cursor.
    let error = peer
        .list_resources(params(Some(&cursor)))
        .await
        .map_err(ClientError::from)
        .unwrap_err();
    assert_rpc(&error, INVALID_PARAMS, &["invalid cursor", "resources"]);

    let first = peer.list_prompts(params(None)).await.expect("a page");
    let names: Vec<&str> = first.prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["p1", "p2"]);
    let forged_cursor = forged(first.next_cursor.as_deref().expect("more"));
    let error = peer
        .list_prompts(params(Some(&forged_cursor)))
        .await
        .map_err(ClientError::from)
        .unwrap_err();
    assert_rpc(&error, INVALID_PARAMS, &["invalid cursor", "prompts"]);
    let last = peer
        .list_prompts(params(first.next_cursor.as_deref()))
        .await
        .expect("a page");
    let names: Vec<&str> = last.prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["p3"]);
    assert_eq!(last.next_cursor, None);
}

#[tokio::test]
async fn the_servers_cache_hints_are_on_its_lists_and_scope_filtered_ones_are_private() {
    let server = builder()
        .list_cache_hints(Duration::from_secs(300), CacheScope::Public)
        .build()
        .expect("a valid server");
    let client = TestClient::connect_as(server, admin()).await;
    let peer = client.peer();
    // Tools declare scopes: what a caller lists depends on them.
    let tools = peer.list_tools(params(None)).await.expect("listed");
    assert_eq!(tools.ttl_ms, Some(300_000));
    assert_eq!(tools.cache_scope, Some(CacheScope::Private));
    // Nothing else does: the server's hints stand.
    let prompts = peer.list_prompts(params(None)).await.expect("listed");
    assert_eq!(prompts.ttl_ms, Some(300_000));
    assert_eq!(prompts.cache_scope, Some(CacheScope::Public));
    let resources = peer.list_resources(params(None)).await.expect("listed");
    assert_eq!(resources.cache_scope, Some(CacheScope::Public));
}

#[tokio::test]
async fn the_page_size_and_hints_come_from_the_settings() {
    let mut settings = Settings::default();
    settings.lists.page_size = Some(2);
    settings.lists.cache_ttl = Some(Duration::from_secs(5));
    settings.lists.cache_scope = Some(CacheScope::Public);
    let server = Server::builder("pages")
        .prompts(prompts![p1, p2, p3])
        .settings(settings)
        .build()
        .expect("a valid server");
    let client = TestClient::new(server).await;
    let first = client
        .peer()
        .list_prompts(params(None))
        .await
        .expect("a page");
    assert_eq!(first.prompts.len(), 2);
    assert!(first.next_cursor.is_some());
    assert_eq!(first.ttl_ms, Some(5_000));
    assert_eq!(first.cache_scope, Some(CacheScope::Public));
}

/// Sends `line` and reads the answer (the only message the server sends here).
async fn exchange(
    write: &mut (impl AsyncWriteExt + Unpin),
    answers: &mut tokio::io::Lines<BufReader<impl tokio::io::AsyncRead + Unpin>>,
    line: &str,
) -> Value {
    write
        .write_all(format!("{line}\n").as_bytes())
        .await
        .expect("writable");
    let answer = tokio::time::timeout(Duration::from_secs(10), answers.next_line())
        .await
        .expect("an answer in time")
        .expect("readable")
        .expect("an answer");
    serde_json::from_str(&answer).expect("JSON")
}

#[tokio::test]
async fn pages_over_the_byte_stream_codec() {
    let (client, io) = tokio::io::duplex(1 << 20);
    let serving = tokio::spawn(paged(2).serve(io));
    let (read, mut write) = tokio::io::split(client);
    let mut answers = BufReader::new(read).lines();
    let init = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"pages","version":"0"}}}"#;
    let answer = exchange(&mut write, &mut answers, init).await;
    assert_eq!(answer["id"], 0, "{answer}");
    write
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await
        .expect("writable");

    let list = |id: u32, cursor: Option<&str>| match cursor {
        Some(cursor) => json!({"jsonrpc": "2.0", "id": id, "method": "tools/list",
            "params": {"cursor": cursor}})
        .to_string(),
        None => json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"}).to_string(),
    };
    let names = |answer: &Value| -> Vec<String> {
        answer["result"]["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|t| t["name"].as_str().expect("a name").to_owned())
            .collect()
    };
    let first = exchange(&mut write, &mut answers, &list(1, None)).await;
    assert_eq!(names(&first), ["t1", "t2"], "{first}");
    let cursor = first["result"]["nextCursor"]
        .as_str()
        .expect("a nextCursor")
        .to_owned();
    // Twice: the second answer comes from the codec's list cache, and must be the same.
    let mut last_cursor = String::new();
    for id in [2, 3] {
        let second = exchange(&mut write, &mut answers, &list(id, Some(&cursor))).await;
        assert_eq!(second["id"], id);
        assert_eq!(names(&second), ["t3", "t4"], "{second}");
        let next = second["result"]["nextCursor"].as_str().expect("more");
        assert!(last_cursor.is_empty() || last_cursor == next, "{second}");
        next.clone_into(&mut last_cursor);
    }
    let last = exchange(&mut write, &mut answers, &list(4, Some(&last_cursor))).await;
    assert_eq!(names(&last), ["t5"], "{last}");
    assert!(last["result"].get("nextCursor").is_none(), "{last}");
    let again = exchange(&mut write, &mut answers, &list(7, None)).await;
    assert_eq!(again["result"], first["result"]);

    for (id, bad) in [(5, forged(&cursor)), (6, "x".to_owned())] {
        let refused = exchange(&mut write, &mut answers, &list(id, Some(&bad))).await;
        assert_eq!(refused["id"], id);
        assert_eq!(refused["error"]["code"], INVALID_PARAMS, "{refused}");
    }
    drop(write);
    drop(answers);
    let _ = tokio::time::timeout(Duration::from_secs(10), serving).await;
}

/// Lists the weather, which changes slowly.
#[prompt(cache_ttl = "30s", cache_scope = "private")]
async fn forecast() -> String {
    "sunny".to_owned()
}

/// A prompt with no hints of its own.
#[prompt]
async fn plain() -> String {
    "plain".to_owned()
}

#[tokio::test]
async fn a_components_own_cache_hints_narrow_the_lists_that_show_it() {
    let with = Server::builder("hints")
        .prompts(prompts![forecast, plain])
        .list_cache_hints(Duration::from_secs(300), CacheScope::Public)
        .build()
        .expect("a valid server");
    let client = TestClient::new(with).await;
    let prompts = client
        .peer()
        .list_prompts(params(None))
        .await
        .expect("listed");
    // The shortest time and the narrowest scope win.
    assert_eq!(prompts.ttl_ms, Some(30_000));
    assert_eq!(prompts.cache_scope, Some(CacheScope::Private));
    let without = Server::builder("hints")
        .prompts(prompts![plain])
        .list_cache_hints(Duration::from_secs(300), CacheScope::Public)
        .build()
        .expect("a valid server");
    let client = TestClient::new(without).await;
    let prompts = client
        .peer()
        .list_prompts(params(None))
        .await
        .expect("listed");
    assert_eq!(prompts.ttl_ms, Some(300_000));
    assert_eq!(prompts.cache_scope, Some(CacheScope::Public));
}
