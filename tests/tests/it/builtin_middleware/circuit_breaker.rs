//! `CircuitBreaker`: opens after consecutive failures and refuses without running, half-opens
//! after the cool-down, closes on success.
//!
//! Cool-downs are long next to an in-memory round trip, so that no circuit closes while a test
//! is still making its calls; waits are at least twice what they wait for.

use std::time::Duration;

use mcp_runtime::middleware::{CircuitBreaker, Retry};
use mcp_runtime::testing::TestClient;
use serde_json::json;

use super::{SERVER_ERROR, data, runs, server};

/// Long enough that the circuit stays open while a test makes its calls.
const COOL_DOWN: Duration = Duration::from_millis(500);

#[tokio::test]
async fn circuit_opens_after_consecutive_failures_and_refuses_without_running() {
    let server = server(|b| b.middleware(CircuitBreaker::new(3, COOL_DOWN)));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..3 {
        let result = client
            .call_tool("unstable", json!({"fail": true}))
            .await
            .unwrap();
        assert!(result.is_error());
    }
    assert_eq!(runs(&server), 3);

    let error = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(SERVER_ERROR), "{error}");
    let message = error.message().unwrap();
    assert!(
        message
            .starts_with("the tool `unstable` is unavailable after 3 failures in a row: retry in "),
        "{message}"
    );
    let data = data(&error);
    assert_eq!(data["reason"], "circuit_open");
    assert_eq!(data["component"], "unstable");
    assert!(data["retry_after_ms"].as_u64().unwrap() <= COOL_DOWN.as_millis() as u64);
    assert_eq!(runs(&server), 3, "the tool ran while its circuit was open");

    // Other components have circuits of their own.
    assert_eq!(
        client.call_tool("ping", json!({})).await.unwrap().text(),
        "pong"
    );
}

#[tokio::test]
async fn circuit_half_opens_after_the_cool_down_and_closes_on_success() {
    let server = server(|b| b.middleware(CircuitBreaker::new(2, COOL_DOWN)));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..2 {
        client
            .call_tool("unstable", json!({"fail": true}))
            .await
            .unwrap();
    }
    assert!(
        client
            .call_tool("unstable", json!({"fail": false}))
            .await
            .is_err()
    );

    tokio::time::sleep(COOL_DOWN * 2).await;
    // The trial runs and succeeds: closed again.
    let trial = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(trial.text(), "ok on run 3");
    // Closed: one failure no longer opens it (the count started over).
    assert!(
        client
            .call_tool("unstable", json!({"fail": true}))
            .await
            .unwrap()
            .is_error()
    );
    let after = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(after.text(), "ok on run 5");
}

#[tokio::test]
async fn a_failed_trial_opens_the_circuit_again() {
    let server = server(|b| b.middleware(CircuitBreaker::new(2, COOL_DOWN)));
    let client = TestClient::new(server.clone()).await;
    for _ in 0..2 {
        client
            .call_tool("unstable", json!({"fail": true}))
            .await
            .unwrap();
    }
    tokio::time::sleep(COOL_DOWN * 2).await;
    let trial = client
        .call_tool("unstable", json!({"fail": true}))
        .await
        .unwrap();
    assert!(trial.is_error());
    let error = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap_err();
    assert_eq!(data(&error)["reason"], "circuit_open");
    assert_eq!(runs(&server), 3);
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let server = server(|b| b.middleware(CircuitBreaker::new(3, COOL_DOWN)));
    let client = TestClient::new(server.clone()).await;
    for fail in [true, true, false, true, true] {
        client
            .call_tool("unstable", json!({"fail": fail}))
            .await
            .unwrap();
    }
    // Two failures since the last success: still closed.
    let result = client
        .call_tool("unstable", json!({"fail": false}))
        .await
        .unwrap();
    assert_eq!(result.text(), "ok on run 6");
}

#[tokio::test]
async fn retry_inside_a_circuit_breaker_counts_as_one_failure() {
    // The breaker sees one outcome per call, however many attempts the retry made.
    let server = server(|b| {
        b.middleware(CircuitBreaker::new(2, COOL_DOWN))
            .middleware(Retry::new(3, Duration::from_millis(1)))
    });
    let client = TestClient::new(server.clone()).await;
    assert!(
        client
            .call_tool("always_down", json!({}))
            .await
            .unwrap()
            .is_error()
    );
    assert_eq!(runs(&server), 3);
    assert!(
        client
            .call_tool("always_down", json!({}))
            .await
            .unwrap()
            .is_error()
    );
    assert_eq!(runs(&server), 6);
    let error = client
        .call_tool("always_down", json!({}))
        .await
        .unwrap_err();
    assert_eq!(data(&error)["reason"], "circuit_open");
    assert_eq!(runs(&server), 6);
}
