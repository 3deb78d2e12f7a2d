//! Injected parameters: `State<T>`, `Ctx` (request id, progress, cancellation, client info) and
//! user-defined extractors.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::{connect, input_schema, property_names};
use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::{
    CallToolRequestParams, ClientRequest, NumberOrString, ProgressNotificationParam, Request,
    ServerResult,
};
use mcp_runtime::rmcp::service::{NotificationContext, PeerRequestOptions, RunningService};
use mcp_runtime::rmcp::{ClientHandler, RoleClient, ServiceExt};
use mcp_runtime::testing::Notification;
use mcp_runtime::tool::Requirements;
use mcp_runtime::{Error, RequestCx};
use serde_json::{Value, json};

// ---- State<T> -----------------------------------------------------------------------------

/// A hit counter.
#[derive(Default)]
struct Counter(AtomicUsize);

/// Counts a hit.
#[tool]
async fn hit(counter: State<Counter>) -> usize {
    counter.0.fetch_add(1, Ordering::SeqCst) + 1
}

/// Reads the counter.
#[tool]
async fn hits(counter: State<Counter>) -> usize {
    counter.0.load(Ordering::SeqCst)
}

/// A greeting, as state.
struct Greeting(&'static str);

/// Greets someone.
#[tool]
async fn greet(greeting: State<Greeting>, name: String) -> String {
    format!("{}, {name}!", greeting.0)
}

#[tokio::test]
async fn state_is_shared_across_calls_and_tools() {
    let client = connect(
        Server::builder("s")
            .state(Counter::default())
            .tools(tools![hit, hits])
            .build()
            .unwrap(),
    )
    .await;
    for expected in 1..=3_usize {
        let result = client.call_tool("hit", json!({})).await.unwrap();
        assert_eq!(result.json::<usize>().unwrap(), expected);
    }
    let result = client.call_tool("hits", json!({})).await.unwrap();
    assert_eq!(result.json::<usize>().unwrap(), 3);
}

#[tokio::test]
async fn state_is_shared_by_every_client_of_one_server() {
    let server = Server::builder("s")
        .state(Counter::default())
        .tools(tools![hit])
        .build()
        .unwrap();
    let first = connect(server.clone()).await;
    let second = connect(server).await;
    assert_eq!(
        first
            .call_tool("hit", json!({}))
            .await
            .unwrap()
            .json::<usize>()
            .unwrap(),
        1
    );
    assert_eq!(
        second
            .call_tool("hit", json!({}))
            .await
            .unwrap()
            .json::<usize>()
            .unwrap(),
        2
    );
}

#[tokio::test]
async fn a_second_state_of_the_same_type_replaces_the_first() {
    let client = connect(
        Server::builder("s")
            .state(Greeting("Hi"))
            .state(Greeting("Hello"))
            .tools(tools![greet])
            .build()
            .unwrap(),
    )
    .await;
    let result = client
        .call_tool("greet", json!({"name": "Ada"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "Hello, Ada!");
}

// ---- Ctx ----------------------------------------------------------------------------------

fn id_value(id: &NumberOrString) -> Value {
    match id {
        NumberOrString::Number(n) => json!(n),
        NumberOrString::String(s) => json!(s.as_ref()),
    }
}

/// The request's id, as JSON.
#[tool]
async fn my_request_id(ctx: Ctx) -> Value {
    id_value(ctx.request_id())
}

/// The client's name.
#[tool]
async fn client_name(ctx: Ctx) -> Option<String> {
    ctx.client_info().map(|info| info.name)
}

/// Reports progress `steps` times, then returns whether every report was sent.
#[tool]
async fn work(ctx: Ctx, steps: u32) -> bool {
    let mut all_sent = true;
    for step in 1..=steps {
        let sent = if step == steps {
            ctx.progress_with_message(f64::from(step), Some(f64::from(steps)), "done")
                .await
        } else {
            ctx.progress(f64::from(step), Some(f64::from(steps))).await
        };
        all_sent &= sent;
    }
    all_sent
}

/// Whether the request came with a progress token.
#[tool]
async fn has_progress_token(ctx: Ctx) -> bool {
    ctx.progress_token().is_some()
}

/// What a long-running tool saw.
#[derive(Default)]
struct Waiting {
    started: tokio::sync::Notify,
    cancelled: AtomicBool,
}

/// Waits until cancelled (or 20 seconds).
#[tool]
async fn wait_for_cancel(ctx: Ctx, waiting: State<Arc<Waiting>>) -> &'static str {
    waiting.started.notify_one();
    tokio::select! {
        () = ctx.cancellation_token().cancelled() => {
            waiting.cancelled.store(ctx.is_cancelled(), Ordering::SeqCst);
            "cancelled"
        }
        () = tokio::time::sleep(Duration::from_secs(20)) => "not cancelled",
    }
}

fn ctx_server() -> Server {
    Server::builder("ctx")
        .state(Arc::new(Waiting::default()))
        .tools(tools![
            my_request_id,
            client_name,
            work,
            has_progress_token,
            wait_for_cancel
        ])
        .build()
        .unwrap()
}

#[tokio::test]
async fn ctx_gives_the_request_id() {
    let client = connect(ctx_server()).await;
    let first = client.call_tool("my_request_id", json!({})).await.unwrap();
    let second = client.call_tool("my_request_id", json!({})).await.unwrap();
    let (first, second) = (
        first.json::<Value>().unwrap(),
        second.json::<Value>().unwrap(),
    );
    assert!(!first.is_null(), "{first}");
    assert_ne!(first, second, "two requests, one id");

    // Exactly the id the client put on the wire.
    let client = RecordingClient::connect(ctx_server()).await;
    let handle = client
        .service
        .send_cancellable_request(
            call("my_request_id", json!({})),
            PeerRequestOptions::no_options(),
        )
        .await
        .unwrap();
    let sent_id = id_value(&handle.id);
    let ServerResult::CallToolResult(result) = handle.await_response().await.unwrap() else {
        panic!("not a tools/call result");
    };
    assert_eq!(result.structured_content, Some(json!({"result": sent_id})));
}

#[tokio::test]
async fn ctx_reports_the_test_client_info() {
    let client = connect(ctx_server()).await;
    let result = client.call_tool("client_name", json!({})).await.unwrap();
    assert_eq!(
        result.json::<Option<String>>().unwrap().as_deref(),
        Some("mcp-runtime-test-client")
    );
}

#[tokio::test]
async fn ctx_progress_reaches_a_client_that_asked_for_it() {
    let client = RecordingClient::connect(ctx_server()).await;
    let handle = client
        .service
        .send_cancellable_request(
            call("work", json!({"steps": 3})),
            PeerRequestOptions::no_options(),
        )
        .await
        .unwrap();
    let token = handle.progress_token.clone();
    let ServerResult::CallToolResult(result) = handle.await_response().await.unwrap() else {
        panic!("not a tools/call result");
    };
    assert_eq!(result.structured_content, Some(json!({"result": true})));

    let progress = client.wait_for_progress(3).await;
    assert_eq!(progress.len(), 3, "{progress:?}");
    for (i, params) in progress.iter().enumerate() {
        assert_eq!(params.progress_token, token);
        assert_eq!(params.progress, (i + 1) as f64);
        assert_eq!(params.total, Some(3.0));
    }
    assert_eq!(progress[0].message, None);
    assert_eq!(progress[2].message.as_deref(), Some("done"));
}

/// The progress notifications a `TestClient` has received so far.
fn progress_of(client: &mcp_runtime::testing::TestClient) -> Vec<ProgressNotificationParam> {
    client
        .notifications()
        .into_iter()
        .filter_map(|notification| match notification {
            Notification::Progress(params) => Some(params),
            _ => None,
        })
        .collect()
}

/// Runs `work` with two steps (rmcp's client sends a progress token with every request), and
/// returns the progress notifications once the last one arrived.
async fn work_with_progress(
    client: &mcp_runtime::testing::TestClient,
) -> Vec<ProgressNotificationParam> {
    let result = client.call_tool("work", json!({"steps": 2})).await.unwrap();
    assert!(result.json::<bool>().unwrap(), "{result:?}");
    client
        .wait_for_notification(
            Duration::from_secs(10),
            |notification| matches!(notification, Notification::Progress(p) if p.progress == 2.0),
        )
        .await
        .expect("the last progress notification never arrived");
    progress_of(client)
}

#[tokio::test]
async fn test_client_collects_progress_notifications() {
    let client = connect(ctx_server()).await;
    assert!(progress_of(&client).is_empty());
    let progress = work_with_progress(&client).await;
    assert_eq!(progress.len(), 2, "{progress:?}");
    assert_eq!(progress[0].progress, 1.0);
    assert_eq!(progress[0].total, Some(2.0));
    assert_eq!(progress[1].message.as_deref(), Some("done"));
    assert_eq!(progress[0].progress_token, progress[1].progress_token);
}

#[tokio::test]
async fn the_test_client_always_sends_a_progress_token() {
    // rmcp's client puts a progress token on every request, so `Ctx::progress` reports `true`
    // through `TestClient` even though `TestClient` ignores the notifications.
    let client = connect(ctx_server()).await;
    let result = client
        .call_tool("has_progress_token", json!({}))
        .await
        .unwrap();
    assert!(result.json::<bool>().unwrap());
    let result = client.call_tool("work", json!({"steps": 2})).await.unwrap();
    assert!(result.json::<bool>().unwrap());
}

#[tokio::test]
async fn ctx_sees_the_client_cancel_the_request() {
    let waiting = Arc::new(Waiting::default());
    let server = Server::builder("cancel")
        .state(waiting.clone())
        .tools(tools![wait_for_cancel])
        .build()
        .unwrap();
    let client = RecordingClient::connect(server).await;
    let handle = client
        .service
        .send_cancellable_request(
            call("wait_for_cancel", json!({})),
            PeerRequestOptions::no_options(),
        )
        .await
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), waiting.started.notified())
        .await
        .expect("the tool never started");
    handle.cancel(Some("changed my mind".into())).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !waiting.cancelled.load(Ordering::SeqCst) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the tool never saw the cancellation"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

// ---- user-defined extractors --------------------------------------------------------------

/// The name of the tool being called.
struct ToolName(String);

impl FromRequestCx for ToolName {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        Ok(ToolName(cx.component().to_owned()))
    }
}

/// An extractor that refuses every call.
struct Denied;

impl FromRequestCx for Denied {
    fn from_request_cx(_cx: &RequestCx) -> Result<Self, ToolError> {
        Err(ToolError::new("access denied"))
    }
}

/// An API key from shared state: an extractor that needs state.
struct ApiKey(String);

/// The keys a server knows.
struct Keys(&'static str);

impl FromRequestCx for ApiKey {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        let keys = State::<Keys>::from_request_cx(cx)?;
        Ok(ApiKey(keys.0.to_owned()))
    }

    fn requirements(requirements: &mut Requirements) {
        requirements.state::<Keys>();
    }
}

/// Echoes the tool's own name.
#[tool(name = "whoami")]
async fn who_am_i(name: ToolName, suffix: String) -> String {
    format!("{}{suffix}", name.0)
}

/// Never runs.
#[tool]
async fn guarded(_denied: Denied, runs: State<Arc<AtomicUsize>>) -> usize {
    runs.fetch_add(1, Ordering::SeqCst)
}

/// Uses the API key.
#[tool]
async fn keyed(key: ApiKey) -> String {
    key.0
}

#[tokio::test]
async fn user_extractors_are_injected_and_not_in_the_schema() {
    let client = connect(
        Server::builder("s")
            .tools(tools![who_am_i])
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!(
        property_names(&input_schema(&client, "whoami").await),
        ["suffix"]
    );
    let result = client
        .call_tool("whoami", json!({"suffix": "!"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "whoami!");
}

#[tokio::test]
async fn a_failing_extractor_stops_the_call_before_the_fn_runs() {
    let runs = Arc::new(AtomicUsize::new(0));
    let client = connect(
        Server::builder("s")
            .state(runs.clone())
            .tools(tools![guarded])
            .build()
            .unwrap(),
    )
    .await;
    let result = client.call_tool("guarded", json!({})).await.unwrap();
    assert!(result.is_error(), "{result:?}");
    assert_eq!(result.text(), "access denied");
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn user_extractor_requirements_are_checked_by_build() {
    let error = Server::builder("s")
        .tools(tools![keyed])
        .build()
        .unwrap_err();
    assert!(
        matches!(error, Error::MissingState { .. }),
        "expected MissingState, got {error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("`keyed`") && message.contains("Keys>"),
        "{message}"
    );

    let client = connect(
        Server::builder("s")
            .state(Keys("secret"))
            .tools(tools![keyed])
            .build()
            .unwrap(),
    )
    .await;
    assert_eq!(
        property_names(&input_schema(&client, "keyed").await),
        Vec::<String>::new()
    );
    let result = client.call_tool("keyed", json!({})).await.unwrap();
    assert_eq!(result.text(), "secret");
}

// ---- a client that records progress -------------------------------------------------------

/// An rmcp client that records the progress notifications it receives.
#[derive(Clone, Default)]
struct Recorder {
    progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
}

impl ClientHandler for Recorder {
    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _cx: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }
}

struct RecordingClient {
    recorder: Recorder,
    service: RunningService<RoleClient, Recorder>,
}

impl RecordingClient {
    async fn connect(server: Server) -> Self {
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        tokio::spawn(server.serve(server_io));
        let recorder = Recorder::default();
        let service = recorder.clone().serve(client_io).await.expect("handshake");
        Self { recorder, service }
    }

    /// Waits (up to 10 s) until `n` progress notifications arrived, and returns them.
    async fn wait_for_progress(&self, n: usize) -> Vec<ProgressNotificationParam> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let progress = self.recorder.progress.lock().unwrap().clone();
            if progress.len() >= n || tokio::time::Instant::now() > deadline {
                return progress;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn call(name: &'static str, arguments: Value) -> ClientRequest {
    let Value::Object(arguments) = arguments else {
        panic!("arguments must be an object");
    };
    ClientRequest::CallToolRequest(Request::new(
        CallToolRequestParams::new(name).with_arguments(arguments),
    ))
}
