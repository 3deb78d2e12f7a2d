//! `Cache`: repeated read-only calls and resource reads answered without running the
//! component; errors never kept; entries expire and are bounded; per session unless shared.

use std::time::Duration;

use mcp_runtime::middleware::Cache;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

use super::{CurrentUser, authenticate, by_identity, runs, server};

#[tokio::test]
async fn cache_serves_a_repeated_read_only_call_without_running_the_tool() {
    let cache = Cache::new(Duration::from_secs(60), 100);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;

    let first = client
        .call_tool("lookup", json!({"key": "a", "page": 1}))
        .await
        .unwrap();
    assert_eq!(first.text(), "a/1#1");
    // Same arguments, other key order: served from the cache.
    let again = client
        .call_tool("lookup", json!({"page": 1, "key": "a"}))
        .await
        .unwrap();
    assert_eq!(again.text(), "a/1#1");
    assert_eq!(runs(&server), 1, "the tool ran again");
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (1, 1), "{stats:?}");

    // Other arguments are another entry.
    let other = client
        .call_tool("lookup", json!({"key": "a", "page": 2}))
        .await
        .unwrap();
    assert_eq!(other.text(), "a/2#2");
    assert_eq!(runs(&server), 2);
}

#[tokio::test]
async fn cache_skips_tools_that_are_not_read_only() {
    let cache = Cache::new(Duration::from_secs(60), 100);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;
    assert_eq!(
        client.call_tool("bump", json!({})).await.unwrap().text(),
        "#1"
    );
    assert_eq!(
        client.call_tool("bump", json!({})).await.unwrap().text(),
        "#2"
    );
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (0, 0), "{stats:?}");
}

#[tokio::test]
async fn cache_never_keeps_errors() {
    let cache = Cache::new(Duration::from_secs(60), 100);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..2 {
        let result = client.call_tool("lookup_broken", json!({})).await.unwrap();
        assert!(result.is_error());
        assert_eq!(result.text(), "backend unavailable");
    }
    assert_eq!(
        runs(&server),
        2,
        "an error result was served from the cache"
    );
    assert_eq!(cache.stats().entries, 0);
}

#[tokio::test]
async fn cache_entries_expire_after_the_ttl() {
    let ttl = Duration::from_millis(300);
    let server = server(|b| b.middleware(Cache::new(ttl, 100)));
    let client = TestClient::new(server.clone()).await;
    let call = || client.call_tool("lookup", json!({"key": "k"}));
    assert_eq!(call().await.unwrap().text(), "k/0#1");
    assert_eq!(call().await.unwrap().text(), "k/0#1");
    tokio::time::sleep(ttl * 3).await;
    assert_eq!(
        call().await.unwrap().text(),
        "k/0#2",
        "the entry outlived its TTL"
    );
}

#[tokio::test]
async fn cache_holds_at_most_max_entries() {
    let cache = Cache::new(Duration::from_secs(60), 2);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;
    let keys = ["a", "b", "c", "d", "e", "f"];
    for key in keys {
        client
            .call_tool("lookup", json!({"key": key}))
            .await
            .unwrap();
    }
    assert!(cache.stats().entries <= 2, "{:?}", cache.stats());
    for key in keys {
        client
            .call_tool("lookup", json!({"key": key}))
            .await
            .unwrap();
    }
    // At most two of the six repeats were served from the cache.
    assert!(runs(&server) >= 6 + 4, "ran {} times", runs(&server));
    assert!(cache.stats().hits <= 2, "{:?}", cache.stats());
}

#[tokio::test]
async fn cache_is_per_session_by_default_and_shared_on_request() {
    let server_per_session = server(|b| b.middleware(Cache::new(Duration::from_secs(60), 100)));
    let a = TestClient::new(server_per_session.clone()).await;
    let b = TestClient::new(server_per_session.clone()).await;
    assert_eq!(
        a.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#1"
    );
    assert_eq!(
        b.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#2"
    );
    assert_eq!(
        a.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#1"
    );

    let shared = server(|b| b.middleware(Cache::new(Duration::from_secs(60), 100).shared()));
    let a = TestClient::new(shared.clone()).await;
    let b = TestClient::new(shared.clone()).await;
    assert_eq!(
        a.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#1"
    );
    assert_eq!(
        b.call_tool("lookup", json!({"key": "k"}))
            .await
            .unwrap()
            .text(),
        "k/0#1"
    );
    assert_eq!(runs(&shared), 1);
}

/// `lookup` of the key `k`.
async fn lookup_k(client: &TestClient) -> String {
    client
        .call_tool("lookup", json!({"key": "k"}))
        .await
        .unwrap()
        .text()
}

#[tokio::test]
async fn cache_can_be_keyed_by_identity() {
    let cache = Cache::new(Duration::from_secs(60), 100).keyed_by(by_identity());
    let server = server(|b| b.middleware(authenticate).middleware(cache.clone()));
    let first = TestClient::new(server.clone()).await;
    let second = TestClient::new(server.clone()).await;

    // Two sessions of one user share entries.
    CurrentUser::set(&server, Some("ann"));
    assert_eq!(lookup_k(&first).await, "k/0#1");
    assert_eq!(lookup_k(&second).await, "k/0#1");
    // Another user, same arguments: not ann's entry.
    CurrentUser::set(&server, Some("ben"));
    assert_eq!(lookup_k(&first).await, "k/0#2");
    // No identity: not cached at all.
    CurrentUser::set(&server, None);
    assert_eq!(lookup_k(&first).await, "k/0#3");
    assert_eq!(lookup_k(&first).await, "k/0#4");
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses), (1, 2), "{stats:?}");
}

#[tokio::test]
async fn cache_serves_resource_reads() {
    let cache = Cache::new(Duration::from_secs(60), 100);
    let server = server(|b| b.middleware(cache.clone()));
    let client = TestClient::new(server.clone()).await;
    assert_eq!(client.read_text("docs://7").await.unwrap(), "doc 7 #1");
    assert_eq!(client.read_text("docs://7").await.unwrap(), "doc 7 #1");
    assert_eq!(client.read_text("docs://8").await.unwrap(), "doc 8 #2");
    assert_eq!(runs(&server), 2);

    let tools_only = server_with_cache(Cache::new(Duration::from_secs(60), 100).tools_only());
    let client = TestClient::new(tools_only.clone()).await;
    client.read_text("docs://7").await.unwrap();
    client.read_text("docs://7").await.unwrap();
    assert_eq!(runs(&tools_only), 2);
}

fn server_with_cache(cache: Cache) -> Server {
    server(|b| b.middleware(cache))
}
