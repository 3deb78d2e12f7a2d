//! `RateLimit`: per-client and global token buckets, keyed by session, identity or a custom key.
//!
//! Rates are slow next to an in-memory round trip, so that no bucket refills while a test is
//! still making its calls.

use std::time::Duration;

use mcp_runtime::middleware::RateLimit;
use mcp_runtime::testing::TestClient;
use serde_json::json;

use super::{CurrentUser, SERVER_ERROR, authenticate, by_identity, data, runs, server};

#[tokio::test]
async fn rate_limit_refuses_after_the_burst_and_says_when_to_retry() {
    let server = server(|b| b.middleware(RateLimit::per_client(1.0, 2)));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..2 {
        assert_eq!(
            client.call_tool("ping", json!({})).await.unwrap().text(),
            "pong"
        );
    }
    let error = client.call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(error.code(), Some(SERVER_ERROR), "{error}");
    let message = error.message().unwrap();
    assert!(
        message.starts_with("rate limit exceeded for this client: retry in "),
        "{message}"
    );
    let data = data(&error);
    assert_eq!(data["reason"], "rate_limited");
    assert_eq!(data["scope"], "client");
    let retry_after = data["retry_after_ms"].as_u64().unwrap();
    assert!((1..=1000).contains(&retry_after), "{data}");
    assert_eq!(runs(&server), 2, "the refused call ran");

    // Lists are not limited.
    assert!(!client.list_tools().await.unwrap().is_empty());

    // Waiting as told is enough.
    tokio::time::sleep(Duration::from_millis(retry_after) * 2).await;
    assert_eq!(
        client.call_tool("ping", json!({})).await.unwrap().text(),
        "pong"
    );
}

#[tokio::test]
async fn rate_limit_covers_resource_reads_too() {
    let server = server(|b| b.middleware(RateLimit::per_client(0.1, 1)));
    let client = TestClient::new(server).await;
    client.read_text("docs://1").await.unwrap();
    let error = client.read_text("docs://2").await.unwrap_err();
    assert_eq!(error.code(), Some(SERVER_ERROR), "{error}");
    assert_eq!(data(&error)["reason"], "rate_limited");
}

#[tokio::test]
async fn per_client_buckets_are_independent() {
    let server = server(|b| b.middleware(RateLimit::per_client(0.1, 1)));
    let alice = TestClient::new(server.clone()).await;
    let bob = TestClient::new(server.clone()).await;

    alice.call_tool("ping", json!({})).await.unwrap();
    let refused = alice.call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(data(&refused)["scope"], "client");
    // Alice's empty bucket is not Bob's.
    assert_eq!(
        bob.call_tool("ping", json!({})).await.unwrap().text(),
        "pong"
    );
    assert!(bob.call_tool("ping", json!({})).await.is_err());
    assert_eq!(runs(&server), 2);
}

#[tokio::test]
async fn a_global_limit_applies_across_clients() {
    let server = server(|b| b.middleware(RateLimit::global(0.1, 2)));
    let alice = TestClient::new(server.clone()).await;
    let bob = TestClient::new(server.clone()).await;
    alice.call_tool("ping", json!({})).await.unwrap();
    bob.call_tool("ping", json!({})).await.unwrap();
    for client in [&alice, &bob] {
        let error = client.call_tool("ping", json!({})).await.unwrap_err();
        assert!(
            error
                .message()
                .unwrap()
                .starts_with("server rate limit exceeded: retry in "),
            "{error}"
        );
        assert_eq!(data(&error)["scope"], "global");
    }
    assert_eq!(runs(&server), 2);
}

#[tokio::test]
async fn per_client_and_global_limits_combine() {
    let server = server(|b| b.middleware(RateLimit::per_client(0.1, 1).and_global(0.1, 2)));
    let clients = [
        TestClient::new(server.clone()).await,
        TestClient::new(server.clone()).await,
        TestClient::new(server.clone()).await,
    ];
    clients[0].call_tool("ping", json!({})).await.unwrap();
    // The client's own bucket is empty: refused by it, without using the server's.
    let own = clients[0].call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(data(&own)["scope"], "client");
    clients[1].call_tool("ping", json!({})).await.unwrap();
    // The third client has tokens of its own, but the server has none left.
    let global = clients[2].call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(data(&global)["scope"], "global");
    assert_eq!(runs(&server), 2);
}

#[tokio::test]
async fn rate_limits_can_be_keyed_by_identity() {
    let server = server(|b| {
        b.middleware(authenticate)
            .middleware(RateLimit::per_client(0.1, 1).key(by_identity()))
    });
    // Two connections of one user share a bucket; another user has their own.
    let first = TestClient::new(server.clone()).await;
    let second = TestClient::new(server.clone()).await;
    CurrentUser::set(&server, Some("ann"));
    first.call_tool("ping", json!({})).await.unwrap();
    let refused = second.call_tool("ping", json!({})).await.unwrap_err();
    assert_eq!(data(&refused)["reason"], "rate_limited");
    CurrentUser::set(&server, Some("ben"));
    second.call_tool("ping", json!({})).await.unwrap();
    // Requests without an identity share one anonymous bucket.
    CurrentUser::set(&server, None);
    first.call_tool("ping", json!({})).await.unwrap();
    assert!(second.call_tool("ping", json!({})).await.is_err());
    assert_eq!(runs(&server), 3);
}

#[tokio::test]
async fn keyed_by_is_shorthand_for_a_custom_key() {
    // Everyone in one bucket, whatever the session: a custom key returning a constant.
    let server =
        server(|b| b.middleware(RateLimit::per_client(0.1, 1).keyed_by(|_| Some("all".into()))));
    let a = TestClient::new(server.clone()).await;
    let b = TestClient::new(server.clone()).await;
    a.call_tool("ping", json!({})).await.unwrap();
    assert_eq!(
        data(&b.call_tool("ping", json!({})).await.unwrap_err())["scope"],
        "client"
    );
}
