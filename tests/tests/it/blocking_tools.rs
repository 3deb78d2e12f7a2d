//! `#[tool(blocking)]`: a synchronous body on tokio's blocking thread pool, so tools that hold
//! their thread do not stall the server; arguments, state and results as for any tool; a
//! panic as an error result; the timeout answers while the thread runs on.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::json;

/// What the blocking tools and the test share.
#[derive(Default)]
struct Gate {
    /// Bodies that started.
    started: AtomicUsize,
    /// Set by the test once it has seen what it waits for: the bodies may return.
    released: AtomicBool,
    /// What happened, in order.
    log: Mutex<Vec<String>>,
}

impl Gate {
    fn log(&self, what: impl Into<String>) {
        self.log.lock().unwrap().push(what.into());
    }

    /// Holds the thread (`std::thread::sleep`, the way blocking code does) until released,
    /// at most 10 seconds.
    fn hold(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.released.load(Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits until `n` bodies started (at most 10 seconds).
    async fn started(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.started.load(Ordering::SeqCst) < n {
            assert!(
                Instant::now() < deadline,
                "the blocking bodies did not start"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Holds its thread until released, as CPU-heavy or blocking-I/O code does.
#[tool(blocking)]
fn grind(label: String, gate: State<Arc<Gate>>) -> String {
    gate.started.fetch_add(1, Ordering::SeqCst);
    gate.hold();
    gate.log(format!("{label} done"));
    format!("{label} ground")
}

/// Answers at once.
#[tool]
async fn cheap() -> &'static str {
    "quick"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_blocking_calls_do_not_stall_a_cheap_one_on_two_worker_threads() {
    let gate = Arc::new(Gate::default());
    let server = Server::builder("t")
        .state(gate.clone())
        .tools(tools![grind, cheap])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let first = client.call_tool("grind", json!({"label": "first"}));
    let second = client.call_tool("grind", json!({"label": "second"}));
    let cheap = async {
        // Both bodies hold a thread each: as many as the runtime has workers.
        gate.started(2).await;
        let result = client.call_tool("cheap", json!({})).await.unwrap();
        gate.log(format!("cheap answered: {}", result.text()));
        gate.released.store(true, Ordering::SeqCst);
    };
    let (first, second, ()) = tokio::join!(first, second, cheap);
    assert_eq!(first.unwrap().text(), "first ground");
    assert_eq!(second.unwrap().text(), "second ground");
    let log = gate.log.lock().unwrap().clone();
    assert_eq!(
        log.first().map(String::as_str),
        Some("cheap answered: quick"),
        "the cheap call waited for the blocking ones: {log:?}"
    );
    assert_eq!(log.len(), 3, "{log:?}");
}

/// A note's statistics.
#[derive(Serialize, JsonSchema)]
struct Stats {
    words: usize,
    prefix: String,
}

/// What the tools are configured with.
struct Prefix(&'static str);

/// Counts words, synchronously; refuses empty text.
#[tool(blocking)]
fn count_words(text: String, prefix: State<Prefix>, ctx: Ctx) -> Result<Stats, ToolError> {
    if ctx.cancellation_token().is_cancelled() {
        return Err(ToolError::new("cancelled"));
    }
    if text.trim().is_empty() {
        return Err(ToolError::new("nothing to count"));
    }
    Ok(Stats {
        words: text.split_whitespace().count(),
        prefix: prefix.0.to_owned(),
    })
}

/// Panics on its blocking thread.
#[tool(blocking)]
fn blow_up(step: u32) -> String {
    panic!("failed at step {step}")
}

#[tokio::test]
async fn a_blocking_tool_takes_arguments_and_state_and_returns_like_any_tool() {
    let server = Server::builder("t")
        .state(Prefix("n"))
        .tools(tools![count_words])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let tools = client.list_tools().await.unwrap();
    let schema = serde_json::to_value(&tools[0].input_schema).unwrap();
    assert_eq!(schema["required"], json!(["text"]), "{schema}");
    assert!(tools[0].output_schema.is_some());

    let result = client
        .call_tool("count_words", json!({"text": "one two three"}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
    assert_eq!(
        result.structured(),
        Some(&json!({"words": 3, "prefix": "n"}))
    );
    let result = client
        .call_tool("count_words", json!({"text": "  "}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "nothing to count");
    // Arguments are validated before the body is sent to a thread.
    let result = client
        .call_tool("count_words", json!({"text": 5}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert!(result.text().contains("text"), "{}", result.text());
}

#[tokio::test]
async fn a_panicking_blocking_tool_is_an_error_result_and_the_server_keeps_serving() {
    let server = |mask| {
        Server::builder("t")
            .mask_internal_errors(mask)
            .tools(tools![blow_up, cheap])
            .build()
            .unwrap()
    };
    let client = TestClient::new(server(false)).await;
    let result = client
        .call_tool("blow_up", json!({"step": 4}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "the tool panicked: failed at step 4");
    assert_eq!(
        client.call_tool("cheap", json!({})).await.unwrap().text(),
        "quick"
    );

    let client = TestClient::new(server(true)).await;
    let result = client
        .call_tool("blow_up", json!({"step": 4}))
        .await
        .unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "internal error");
}

/// Holds its thread until released; its own limit is 100ms.
#[tool(blocking, timeout = "100ms")]
fn overrun(gate: State<Arc<Gate>>) -> String {
    gate.started.fetch_add(1, Ordering::SeqCst);
    gate.hold();
    gate.log("overrun done");
    "finished".to_owned()
}

#[tokio::test]
async fn a_blocking_tool_times_out_and_its_thread_finishes_in_the_background() {
    let gate = Arc::new(Gate::default());
    let server = Server::builder("t")
        .state(gate.clone())
        .tools(tools![overrun])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let result = client.call_tool("overrun", json!({})).await.unwrap();
    assert!(result.is_error());
    assert_eq!(result.text(), "the tool `overrun` timed out after 100ms");
    // The caller had its answer while the thread still ran: it cannot be stopped.
    assert_eq!(gate.started.load(Ordering::SeqCst), 1);
    assert!(gate.log.lock().unwrap().is_empty());
    gate.released.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(10);
    while gate.log.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the thread never finished");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(*gate.log.lock().unwrap(), ["overrun done"]);
}
