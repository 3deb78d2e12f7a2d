//! `TestClient::call_tool_with`: `_meta` a tool reads with `Ctx::meta`, cancelling a call
//! while it runs (`PendingCall::cancel`), and a client-side timeout.

use std::sync::Mutex;
use std::time::Duration;

use mcp_runtime::prelude::*;
use mcp_runtime::testing::{ClientError, TestClient};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

/// Sends back one key of the request's `_meta`, as JSON text (`null` when absent).
#[tool]
async fn echo_meta(ctx: Ctx, key: String) -> String {
    ctx.meta().get(&key).unwrap_or(&Value::Null).to_string()
}

/// What the slow tool tells the test: that it started, and then how it ended.
struct Probe {
    started: mpsc::UnboundedSender<()>,
    outcome: Mutex<Option<oneshot::Sender<&'static str>>>,
}

impl Probe {
    fn report(&self, outcome: &'static str) {
        let sender = self.outcome.lock().unwrap().take();
        if let Some(sender) = sender {
            let _ = sender.send(outcome);
        }
    }
}

/// Works for a minute unless cancelled; reports which happened.
#[tool]
async fn slow(ctx: Ctx, probe: State<Probe>) -> String {
    let _ = probe.started.send(());
    tokio::select! {
        () = ctx.cancellation_token().cancelled() => {
            probe.report("cancelled");
            "cancelled".to_owned()
        }
        () = tokio::time::sleep(Duration::from_secs(60)) => {
            probe.report("finished");
            "finished".to_owned()
        }
    }
}

/// A server with both tools, the receiving ends of its probe.
fn server() -> (
    Server,
    mpsc::UnboundedReceiver<()>,
    oneshot::Receiver<&'static str>,
) {
    let (started, started_rx) = mpsc::unbounded_channel();
    let (outcome, outcome_rx) = oneshot::channel();
    let probe = Probe {
        started,
        outcome: Mutex::new(Some(outcome)),
    };
    let server = Server::builder("calls")
        .state(probe)
        .tools(tools![echo_meta, slow])
        .build()
        .unwrap();
    (server, started_rx, outcome_rx)
}

#[tokio::test]
async fn a_tool_reads_the_meta_the_client_sent() {
    let (server, _, _) = server();
    let client = TestClient::new(server).await;
    let result = client
        .call_tool_with("echo_meta", json!({"key": "traceId"}))
        .meta(json!({"traceId": "t-42", "tenant": {"id": 7}}))
        .send()
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
    assert_eq!(result.text(), r#""t-42""#);

    // A `serde_json::Map` works too, and `meta` called twice adds keys.
    let mut map = serde_json::Map::new();
    map.insert("tenant".to_owned(), json!({"id": 7}));
    let result = client
        .call_tool_with("echo_meta", json!({"key": "tenant"}))
        .meta(map)
        .meta(json!({"other": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(result.text(), r#"{"id":7}"#);

    // Without `_meta`, the key is simply absent.
    let result = client
        .call_tool_with("echo_meta", json!({"key": "traceId"}))
        .send()
        .await
        .unwrap();
    assert_eq!(result.text(), "null");
}

#[tokio::test]
async fn meta_that_is_not_an_object_is_refused() {
    let (server, _, _) = server();
    let client = TestClient::new(server).await;
    let error = client
        .call_tool_with("echo_meta", json!({"key": "x"}))
        .meta(json!(["not", "an", "object"]))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(error, ClientError::Arguments(_)), "{error:?}");
    assert!(error.to_string().contains("`_meta` must be a JSON object"));
}

#[tokio::test]
async fn cancelling_a_pending_call_reaches_the_tool() {
    let (server, mut started, outcome) = server();
    let client = TestClient::new(server).await;
    let call = client
        .call_tool_with("slow", json!({}))
        .start()
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), started.recv())
        .await
        .expect("the tool starts")
        .expect("the probe is alive");
    call.cancel().await.unwrap();
    // The tool saw its cancellation token fire (not the minute go by).
    let seen = tokio::time::timeout(Duration::from_secs(10), outcome)
        .await
        .expect("the tool reacts to the cancellation")
        .unwrap();
    assert_eq!(seen, "cancelled");
    // The caller gets a clear outcome, not a hang: the call was cancelled.
    let error = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("the pending call resolves")
        .unwrap_err();
    match &error {
        ClientError::Cancelled { reason } => {
            assert_eq!(reason.as_deref(), Some("cancelled by the test client"));
        }
        other => panic!("expected a cancellation, got {other:?}"),
    }
    assert_eq!(
        error.to_string(),
        "the request was cancelled: cancelled by the test client"
    );
    // The connection goes on.
    let result = client
        .call_tool_with("echo_meta", json!({"key": "k"}))
        .meta(json!({"k": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(result.text(), "1");
}

#[tokio::test]
async fn a_timeout_is_a_clear_error_and_cancels_the_call() {
    let (server, _, outcome) = server();
    let client = TestClient::new(server).await;
    let error = client
        .call_tool_with("slow", json!({}))
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::Timeout(limit) if limit == Duration::from_millis(200)),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "no answer within 200ms; the request was cancelled"
    );
    // The timeout cancelled the call on the server too.
    let seen = tokio::time::timeout(Duration::from_secs(10), outcome)
        .await
        .expect("the tool is told")
        .unwrap();
    assert_eq!(seen, "cancelled");
}

#[tokio::test]
async fn a_pending_call_that_finishes_gives_its_result() {
    let (server, _, _) = server();
    let client = TestClient::new(server).await;
    let call = client
        .call_tool_with("echo_meta", json!({"key": "n"}))
        .meta(json!({"n": 5}))
        .timeout(Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let id = call.request_id().clone();
    let result = call.result().await.unwrap();
    assert_eq!(result.text(), "5");
    // Ids are per request: the next call has another.
    let next = client
        .call_tool_with("echo_meta", json!({"key": "n"}))
        .start()
        .await
        .unwrap();
    assert_ne!(next.request_id(), &id);
    next.await.unwrap();
}
