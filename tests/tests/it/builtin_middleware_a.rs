//! Built-in middleware, through the public API: `Logging`, `Timing`, `ErrorHandling`,
//! `Timeout`, `SizeLimit` and `Audit`.
//!
//! `tracing` output is captured with a thread-default subscriber: each test runs on a
//! current-thread runtime, where the server's spawned tasks run too.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_runtime::middleware::{
    Audit, AuditRecord, CorrelationId, ErrorHandling, Logging, Outcome, SizeLimit, Timeout, Timing,
};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::{ClientError, TestClient};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::registry::LookupSpan;

// ---- capturing `tracing` output ------------------------------------------------------------

/// One captured event: its target, level, fields, and the fields of the spans around it.
#[derive(Debug, Clone)]
struct Captured {
    target: String,
    level: Level,
    fields: BTreeMap<String, String>,
    spans: BTreeMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
    fn message(&self) -> &str {
        self.field("message").unwrap_or_default()
    }
}

/// A layer that keeps every event.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl Capture {
    /// Installs the capture as this thread's subscriber until the guard drops.
    fn install() -> (Self, tracing::subscriber::DefaultGuard) {
        let capture = Self::default();
        let guard =
            tracing::subscriber::set_default(tracing_subscriber::registry().with(capture.clone()));
        (capture, guard)
    }

    fn events(&self, target: &str) -> Vec<Captured> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|event| event.target == target)
            .cloned()
            .collect()
    }

    fn all(&self) -> Vec<Captured> {
        self.0.lock().unwrap().clone()
    }
}

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// The fields of a span, kept in its extensions.
struct SpanFields(BTreeMap<String, String>);

impl<S> Layer<S> for Capture
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.0));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut spans = BTreeMap::new();
        if let Some(scope) = ctx.event_scope(event) {
            for span in scope.from_root() {
                if let Some(SpanFields(fields)) = span.extensions().get::<SpanFields>() {
                    spans.extend(fields.clone());
                }
            }
        }
        self.0.lock().unwrap().push(Captured {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields: fields.0,
            spans,
        });
    }
}

fn rpc_error(error: ClientError) -> McpError {
    match error {
        ClientError::Rpc(error) => error,
        other => panic!("not a JSON-RPC error: {other}"),
    }
}

// ---- components ------------------------------------------------------------------------------

/// Logs a user in.
#[tool]
async fn login(user: String, password: String) -> String {
    format!("welcome {user} ({} characters)", password.len())
}

/// A session.
#[derive(Serialize, JsonSchema)]
struct Session {
    user: String,
    token: String,
}

/// Opens a session.
#[tool]
async fn open_session(user: String) -> Session {
    Session {
        user,
        token: "tok-very-secret".to_owned(),
    }
}

/// Always refuses.
#[tool]
async fn refuse() -> Result<String, ToolError> {
    Err(ToolError::new("not today"))
}

/// Fails inside: a database error the caller must not see.
#[tool]
async fn broken() -> Result<String, ToolError> {
    Err(ToolError::internal("connection to 10.0.0.7 refused"))
}

/// Which correlation id the request has.
#[tool]
async fn my_correlation_id(id: Extension<CorrelationId>) -> String {
    id.as_str().to_owned()
}

/// Sleeps `ms` milliseconds.
#[tool]
async fn nap(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "rested".to_owned()
}

/// A note; `7` fails with a visible message.
#[resource("notes://{id}")]
async fn note(id: u64) -> Result<String, ResourceError> {
    match id {
        7 => Err(ResourceError::new("note 7 is locked")),
        _ => Ok(format!("note {id}")),
    }
}

fn basic_tools() -> ToolSet {
    tools![login, open_session, refuse, broken, my_correlation_id, nap]
}

// ---- Logging -------------------------------------------------------------------------------

#[tokio::test]
async fn logging_records_method_component_outcome_duration_and_sizes_without_payloads() {
    let (capture, _guard) = Capture::install();
    let server = Server::builder("t")
        .middleware(Logging::new())
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let arguments = json!({"user": "ada", "password": "hunter2"});
    let result = client.call_tool("login", arguments.clone()).await.unwrap();
    assert!(!result.is_error(), "{}", result.text());
    client.call_tool("refuse", json!({})).await.unwrap();
    let unknown = client.call_tool("nope", json!({})).await.unwrap_err();
    assert_eq!(unknown.code(), Some(-32602));
    client.list_tools().await.unwrap();

    let events = capture.events(Logging::TARGET);
    assert_eq!(events.len(), 4, "{events:#?}");
    let [ok, tool_error, error, list] = &events[..] else {
        unreachable!()
    };

    assert_eq!(ok.level, Level::INFO);
    assert_eq!(ok.field("method"), Some("tools/call"));
    assert_eq!(ok.field("component"), Some("login"));
    assert_eq!(ok.field("outcome"), Some("ok"));
    let duration: f64 = ok.field("duration_ms").unwrap().parse().unwrap();
    assert!(duration >= 0.0);
    assert!(ok.field("request_id").is_some());
    let request_bytes = serde_json::to_vec(&arguments).unwrap().len().to_string();
    assert_eq!(ok.field("request_bytes"), Some(request_bytes.as_str()));
    let response_bytes: usize = ok.field("response_bytes").unwrap().parse().unwrap();
    // The result as serialized; the server's copy may still carry
    // `"resultType":"complete"`, which rmcp drops for peers of older protocol versions.
    let received = serde_json::to_vec(&result.0).unwrap().len();
    let result_type = r#","resultType":"complete""#.len();
    assert!(
        response_bytes == received || response_bytes == received + result_type,
        "{response_bytes} bytes logged, {received} received"
    );
    // No payloads by default, so no secret either.
    assert_eq!(ok.field("request"), None);
    assert_eq!(ok.field("response"), None);
    for event in &events {
        assert!(
            !event.fields.values().any(|value| value.contains("hunter2")),
            "{event:?}"
        );
    }

    assert_eq!(tool_error.field("component"), Some("refuse"));
    assert_eq!(tool_error.field("outcome"), Some("tool_error"));

    assert_eq!(error.level, Level::WARN);
    assert_eq!(error.field("outcome"), Some("error"));
    assert_eq!(error.field("component"), Some("nope"));
    assert_eq!(error.field("error_code"), Some("-32602"));
    assert_eq!(error.field("error"), Some("unknown tool `nope`"));

    assert_eq!(list.field("method"), Some("tools/list"));
    assert_eq!(list.field("component"), Some(""));
    assert_eq!(list.field("request_bytes"), Some("0"));
}

#[tokio::test]
async fn logging_payloads_are_logged_when_enabled_with_secrets_redacted() {
    let (capture, _guard) = Capture::install();
    let server = Server::builder("t")
        .middleware(Logging::new().with_payloads(true).redact(["user"]))
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    client
        .call_tool("login", json!({"user": "ada", "password": "hunter2"}))
        .await
        .unwrap();
    let session = client
        .call_tool("open_session", json!({"user": "bob"}))
        .await
        .unwrap();
    // The client itself gets the real token.
    assert!(
        session.text().contains("tok-very-secret"),
        "{}",
        session.text()
    );

    let events = capture.events(Logging::TARGET);
    assert_eq!(events.len(), 2, "{events:#?}");
    let request: Value = serde_json::from_str(events[0].field("request").unwrap()).unwrap();
    assert_eq!(
        request,
        json!({"user": "[redacted]", "password": "[redacted]"}),
        "default keys and added keys are redacted"
    );
    let response = events[0].field("response").unwrap();
    assert!(response.contains("welcome ada"), "{response}");

    let response = events[1].field("response").unwrap();
    assert!(
        !response.contains("tok-very-secret"),
        "the token leaked, in the structured result or its text copy: {response}"
    );
    let response: Value = serde_json::from_str(response).unwrap();
    assert_eq!(
        response["structuredContent"],
        json!({"user": "[redacted]", "token": "[redacted]"})
    );
}

// ---- Timing --------------------------------------------------------------------------------

#[tokio::test]
async fn timing_records_a_duration_per_request() {
    let (capture, _guard) = Capture::install();
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let sink = recorded.clone();
    let server = Server::builder("t")
        .middleware(Timing::new().slow(Duration::from_millis(150)).on_record(
            move |method, component, duration| {
                sink.lock().unwrap().push((
                    method.to_owned(),
                    component.map(str::to_owned),
                    duration,
                ));
            },
        ))
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    client.call_tool("nap", json!({"ms": 40})).await.unwrap();
    client.list_tools().await.unwrap();
    client.call_tool("nap", json!({"ms": 200})).await.unwrap();

    let recorded = recorded.lock().unwrap().clone();
    assert_eq!(recorded.len(), 3, "{recorded:?}");
    assert_eq!(recorded[0].0, "tools/call");
    assert_eq!(recorded[0].1.as_deref(), Some("nap"));
    assert!(recorded[0].2 >= Duration::from_millis(40), "{recorded:?}");
    assert_eq!(
        (recorded[1].0.as_str(), recorded[1].1.as_deref()),
        ("tools/list", None)
    );
    assert!(recorded[1].2 < recorded[0].2, "{recorded:?}");
    assert!(recorded[2].2 >= Duration::from_millis(200), "{recorded:?}");

    let events = capture.events(Timing::TARGET);
    assert_eq!(events.len(), 3, "{events:#?}");
    let logged: f64 = events[0].field("duration_ms").unwrap().parse().unwrap();
    assert!(logged >= 40.0, "{logged}");
    assert_eq!(events[0].field("component"), Some("nap"));
    assert_eq!(events[0].level, Level::DEBUG);
    assert_eq!(events[2].level, Level::WARN, "over the slow threshold");
    assert_eq!(events[2].message(), "slow request");
}

// ---- ErrorHandling -------------------------------------------------------------------------

/// Fails with an internal error that carries a secret, as a `?` in middleware would.
#[middleware]
async fn leaky(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    if req.name == "login" {
        return Err(McpError::internal_error(
            "pool exhausted: postgres://admin:s3cret@db",
            None,
        ));
    }
    next.run(req).await
}

/// Panics on `refuse`.
#[middleware]
async fn panicky(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    if req.name == "refuse" {
        panic!("the middleware fell over");
    }
    next.run(req).await
}

fn error_server(handling: ErrorHandling) -> Server {
    Server::builder("t")
        .middleware(handling)
        .middleware(leaky)
        .middleware(panicky)
        .tools(basic_tools())
        .resources(resources![note])
        .build()
        .unwrap()
}

#[tokio::test]
async fn error_handling_masks_unexpected_internal_errors_with_a_logged_correlation_id() {
    let (capture, _guard) = Capture::install();
    let client = TestClient::new(error_server(ErrorHandling::new())).await;
    let error = rpc_error(
        client
            .call_tool("login", json!({"user": "a", "password": "b"}))
            .await
            .unwrap_err(),
    );
    assert_eq!(error.code.0, -32603);
    assert!(!error.message.contains("s3cret"), "{}", error.message);
    let id = error.data.as_ref().unwrap()["correlation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(error.message, format!("internal error (ref {id})"));
    assert_eq!(
        error.data,
        Some(json!({"correlation_id": id})),
        "nothing else"
    );

    // The log has the whole error, under the same id.
    let logged = capture.events(ErrorHandling::TARGET);
    assert_eq!(logged.len(), 1, "{logged:#?}");
    assert_eq!(logged[0].level, Level::ERROR);
    assert_eq!(logged[0].field("correlation_id"), Some(id.as_str()));
    assert!(
        logged[0].field("error").unwrap().contains("s3cret"),
        "{logged:?}"
    );
}

#[tokio::test]
async fn error_handling_can_show_internal_errors() {
    let client = TestClient::new(error_server(ErrorHandling::new().show_internal(true))).await;
    let error = rpc_error(
        client
            .call_tool("login", json!({"user": "a", "password": "b"}))
            .await
            .unwrap_err(),
    );
    assert_eq!(error.code.0, -32603);
    assert_eq!(error.message, "pool exhausted: postgres://admin:s3cret@db");
    assert!(error.data.unwrap()["correlation_id"].is_string());

    // By default it follows the server's own setting.
    let server = Server::builder("t")
        .mask_internal_errors(false)
        .middleware(ErrorHandling::new())
        .middleware(leaky)
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let error = client
        .call_tool("login", json!({"user": "a", "password": "b"}))
        .await
        .unwrap_err();
    assert_eq!(
        error.message(),
        Some("pool exhausted: postgres://admin:s3cret@db")
    );
}

#[tokio::test]
async fn error_handling_keeps_codes_and_visible_messages() {
    let client = TestClient::new(error_server(ErrorHandling::new())).await;

    let unknown = rpc_error(client.call_tool("nope", json!({})).await.unwrap_err());
    assert_eq!(unknown.code.0, -32602);
    assert_eq!(unknown.message, "unknown tool `nope`");
    assert_eq!(unknown.data, Some(json!({"tool": "nope"})));

    let missing = rpc_error(client.read_resource("files://x").await.unwrap_err());
    assert_eq!(missing.code.0, -32002);
    assert_eq!(missing.message, "resource not found: `files://x`");

    let invalid = rpc_error(client.read_resource("notes://abc").await.unwrap_err());
    assert_eq!(invalid.code.0, -32602, "{invalid:?}");

    // A resource's own visible -32603 message stays, and gains the correlation id.
    let locked = rpc_error(client.read_resource("notes://7").await.unwrap_err());
    assert_eq!(locked.code.0, -32603);
    assert_eq!(locked.message, "note 7 is locked");
    let data = locked.data.unwrap();
    assert_eq!(data["uri"], "notes://7");
    assert!(data["correlation_id"].is_string(), "{data}");

    // Tool errors stay tool errors, with their message (without the panicking middleware).
    let server = Server::builder("t")
        .middleware(ErrorHandling::new())
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let refused = client.call_tool("refuse", json!({})).await.unwrap();
    assert!(refused.is_error());
    assert_eq!(refused.text(), "not today");
    let invalid = client
        .call_tool("nap", json!({"ms": "soon"}))
        .await
        .unwrap();
    assert!(invalid.is_error());
    assert!(
        invalid.text().starts_with("invalid arguments:"),
        "{}",
        invalid.text()
    );
}

#[tokio::test]
async fn error_handling_turns_a_middleware_panic_into_an_error_instead_of_silence() {
    let client = TestClient::new(error_server(ErrorHandling::new())).await;
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        client.call_tool("refuse", json!({})),
    )
    .await
    .expect("no answer: the panic was not caught");
    let error = rpc_error(answer.unwrap_err());
    assert_eq!(error.code.0, -32603);
    assert!(
        error.message.starts_with("internal error (ref "),
        "{}",
        error.message
    );
    assert!(!error.message.contains("fell over"));
    // The session is still usable.
    let ok = client.call_tool("nap", json!({"ms": 1})).await.unwrap();
    assert_eq!(ok.text(), "rested");

    let client = TestClient::new(error_server(ErrorHandling::new().show_internal(true))).await;
    let error = client.call_tool("refuse", json!({})).await.unwrap_err();
    assert!(
        error
            .message()
            .unwrap()
            .starts_with("a middleware panicked: the middleware fell over"),
        "{error}"
    );
}

#[tokio::test]
async fn error_handling_ties_masked_tool_errors_and_server_logs_to_one_id() {
    let (capture, _guard) = Capture::install();
    let server = Server::builder("t")
        .middleware(ErrorHandling::new())
        .tools(basic_tools())
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let result = client.call_tool("broken", json!({})).await.unwrap();
    assert!(result.is_error());
    let text = result.text();
    let id = text
        .strip_prefix("internal error (ref ")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(!text.contains("10.0.0.7"));
    // The server's own log line of the failure is inside the request's span.
    let logged = capture
        .all()
        .into_iter()
        .find(|event| event.message() == "tool call failed with an internal error")
        .expect("the server logged the failure");
    assert_eq!(
        logged.spans.get("correlation_id").map(String::as_str),
        Some(id)
    );
    assert!(logged.field("error").unwrap().contains("10.0.0.7"));

    // Tools can read the id; each request has its own.
    let first = client
        .call_tool("my_correlation_id", json!({}))
        .await
        .unwrap();
    let second = client
        .call_tool("my_correlation_id", json!({}))
        .await
        .unwrap();
    assert_eq!(first.text().len(), 16, "{}", first.text());
    assert_ne!(first.text(), second.text());
}

// ---- Timeout -------------------------------------------------------------------------------

/// Sleeps; has its own 50ms limit.
#[tool(timeout = "50ms")]
async fn quick_limit(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "done".to_owned()
}

/// Sleeps; has its own 400ms limit, longer than the default.
#[tool(timeout = "400ms")]
async fn long_limit(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "done".to_owned()
}

/// Whether the slow tool's `Ctx` saw the cancellation.
#[derive(Default)]
struct Observed {
    cancelled: AtomicBool,
    notify: tokio::sync::Notify,
}

/// Hands its cancellation token to background work, then takes forever.
#[tool]
async fn slow(ctx: Ctx, observed: State<Arc<Observed>>) -> String {
    let token = ctx.cancellation_token().clone();
    let observed = Arc::clone(&observed);
    tokio::spawn(async move {
        token.cancelled().await;
        observed.cancelled.store(true, Ordering::SeqCst);
        observed.notify.notify_one();
    });
    tokio::time::sleep(Duration::from_secs(30)).await;
    "finished".to_owned()
}

/// A slow resource.
#[resource("slow://{ms}")]
async fn slow_resource(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    "read".to_owned()
}

fn timeout_server(timeout: Timeout, observed: Arc<Observed>) -> Server {
    Server::builder("t")
        .state(observed)
        .middleware(timeout)
        .tools(tools![quick_limit, long_limit, slow, nap])
        .resources(resources![slow_resource])
        .build()
        .unwrap()
}

#[tokio::test]
async fn timeout_applies_the_default_and_a_tools_own_limit() {
    let observed = Arc::new(Observed::default());
    let client = TestClient::new(timeout_server(
        Timeout::new(Duration::from_millis(100)),
        observed,
    ))
    .await;

    // No limit of its own: the default.
    let started = Instant::now();
    let result = client.call_tool("nap", json!({"ms": 5000})).await.unwrap();
    let took = started.elapsed();
    assert!(result.is_error());
    assert_eq!(result.text(), "the tool `nap` timed out after 100ms");
    assert!(took >= Duration::from_millis(100), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");

    // Its own, shorter limit.
    let started = Instant::now();
    let result = client
        .call_tool("quick_limit", json!({"ms": 5000}))
        .await
        .unwrap();
    assert_eq!(result.text(), "the tool `quick_limit` timed out after 50ms");
    assert!(started.elapsed() < Duration::from_millis(100) + Duration::from_millis(500));

    // Its own, longer limit overrides the default: 200ms is fine for it.
    let result = client
        .call_tool("long_limit", json!({"ms": 200}))
        .await
        .unwrap();
    assert!(!result.is_error(), "{}", result.text());
    assert_eq!(result.text(), "done");
    let result = client
        .call_tool("long_limit", json!({"ms": 5000}))
        .await
        .unwrap();
    assert_eq!(result.text(), "the tool `long_limit` timed out after 400ms");

    // Fast enough: untouched.
    let result = client.call_tool("nap", json!({"ms": 1})).await.unwrap();
    assert_eq!(result.text(), "rested");
}

/// Runs outside `Timeout`: once the rest of the pipeline answered, and before the answer goes
/// back to rmcp (which cancels every request's token once it responds), records whether the
/// slow tool's background work saw the cancellation.
struct Probe {
    observed: Arc<Observed>,
    before_response: Arc<AtomicBool>,
}

impl mcp_runtime::middleware::Middleware for Probe {
    fn on_request(
        &self,
        request: mcp_runtime::middleware::Request,
        next: Next,
    ) -> mcp_runtime::tool::BoxFuture<'_, Result<mcp_runtime::middleware::Response, McpError>> {
        Box::pin(async move {
            let response = next.run_request(request).await;
            // Let the tool's background task run (the runtime has one thread).
            for _ in 0..100 {
                if self.observed.cancelled.load(Ordering::SeqCst) {
                    break;
                }
                tokio::task::yield_now().await;
            }
            self.before_response.store(
                self.observed.cancelled.load(Ordering::SeqCst),
                Ordering::SeqCst,
            );
            response
        })
    }
}

#[tokio::test]
async fn timeout_cancels_the_slow_tools_context() {
    let observed = Arc::new(Observed::default());
    let before_response = Arc::new(AtomicBool::new(false));
    let server = Server::builder("t")
        .state(observed.clone())
        .middleware(Probe {
            observed: observed.clone(),
            before_response: before_response.clone(),
        })
        .middleware(Timeout::new(Duration::from_millis(100)))
        .tools(tools![slow])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let started = Instant::now();
    let result = client.call_tool("slow", json!({})).await.unwrap();
    assert_eq!(result.text(), "the tool `slow` timed out after 100ms");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        before_response.load(Ordering::SeqCst),
        "the tool's cancellation token was not cancelled when the timeout answered"
    );
}

#[tokio::test]
async fn timeout_covers_resources_unless_limited_to_tools() {
    let observed = Arc::new(Observed::default());
    let client = TestClient::new(timeout_server(
        Timeout::new(Duration::from_millis(100)),
        observed.clone(),
    ))
    .await;
    let error = rpc_error(client.read_resource("slow://5000").await.unwrap_err());
    assert_eq!(error.code.0, -32603);
    assert_eq!(error.message, "reading `slow://5000` timed out after 100ms");
    assert_eq!(error.data.unwrap()["reason"], "timeout");
    assert_eq!(client.read_text("slow://1").await.unwrap(), "read");

    let client = TestClient::new(timeout_server(
        Timeout::new(Duration::from_millis(100)).tools_only(),
        observed,
    ))
    .await;
    assert_eq!(client.read_text("slow://300").await.unwrap(), "read");
}

// ---- SizeLimit -----------------------------------------------------------------------------

/// Returns `n` bytes of text.
#[tool]
async fn blob(n: usize) -> String {
    "x".repeat(n)
}

/// Whether `upload` ran.
static UPLOAD_RAN: AtomicBool = AtomicBool::new(false);

/// Records that it ran.
#[tool]
async fn upload(data: String) -> usize {
    UPLOAD_RAN.store(true, Ordering::SeqCst);
    data.len()
}

/// A big resource.
#[resource("big://{n}")]
async fn big(n: usize) -> String {
    "y".repeat(n)
}

#[tokio::test]
async fn size_limit_turns_an_oversized_result_into_an_error() {
    let server = Server::builder("t")
        .middleware(SizeLimit::new().max_response(2048).max_request(1024))
        .tools(tools![blob, upload])
        .resources(resources![big])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;

    let small = client.call_tool("blob", json!({"n": 100})).await.unwrap();
    assert!(!small.is_error());
    assert_eq!(small.text(), "x".repeat(100));

    let large = client.call_tool("blob", json!({"n": 5000})).await.unwrap();
    assert!(large.is_error());
    let text = large.text();
    assert!(
        text.starts_with("the result of the tool `blob` is 5.0 KiB ("),
        "{text}"
    );
    assert!(
        text.contains("over the 2.0 KiB (2048 bytes) limit"),
        "{text}"
    );
    assert!(!text.contains("xxxx"));

    let error = rpc_error(client.read_resource("big://5000").await.unwrap_err());
    assert_eq!(error.code.0, -32603);
    assert!(
        error
            .message
            .starts_with("the result of the resource `big://5000` is"),
        "{}",
        error.message
    );
    let data = error.data.unwrap();
    assert_eq!(data["reason"], "response_too_large");
    assert_eq!(data["limit"], 2048);
    assert!(data["size"].as_u64().unwrap() > 5000);
    assert_eq!(client.read_text("big://10").await.unwrap(), "y".repeat(10));

    // Oversized arguments: refused before the tool runs.
    let refused = client
        .call_tool("upload", json!({"data": "z".repeat(2000)}))
        .await
        .unwrap();
    assert!(refused.is_error());
    assert!(
        refused
            .text()
            .starts_with("the arguments of the tool `upload` are 2.0 KiB"),
        "{}",
        refused.text()
    );
    assert!(!UPLOAD_RAN.load(Ordering::SeqCst), "the tool ran");
    let accepted = client
        .call_tool("upload", json!({"data": "z"}))
        .await
        .unwrap();
    assert_eq!(accepted.json::<usize>().unwrap(), 1);
}

// ---- Audit ---------------------------------------------------------------------------------

/// Moves money.
#[tool(sensitive)]
async fn transfer(account: String, amount: u64, memo: String) -> Result<String, ToolError> {
    if amount == 0 {
        return Err(ToolError::new("nothing to transfer"));
    }
    Ok(format!("sent {amount} to {account} ({} chars)", memo.len()))
}

/// Shows a balance.
#[tool]
async fn balance(account: String) -> String {
    format!("{account}: 100")
}

#[tokio::test]
async fn audit_records_sensitive_tools_only_with_arguments_redacted() {
    let (capture, _guard) = Capture::install();
    let records: Arc<Mutex<Vec<AuditRecord>>> = Arc::default();
    let sink = records.clone();
    let server = Server::builder("t")
        .middleware(ErrorHandling::new())
        .middleware(
            Audit::new()
                .allow(["account"])
                .with_sink(move |record| sink.lock().unwrap().push(record.clone())),
        )
        .tools(tools![transfer, balance])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let sent = client
        .call_tool(
            "transfer",
            json!({"account": "acc-1", "amount": 250, "memo": "rent, pin 4321"}),
        )
        .await
        .unwrap();
    assert_eq!(sent.text(), "sent 250 to acc-1 (14 chars)");
    client
        .call_tool("balance", json!({"account": "acc-1"}))
        .await
        .unwrap();
    let refused = client
        .call_tool(
            "transfer",
            json!({"account": "acc-2", "amount": 0, "memo": "-"}),
        )
        .await
        .unwrap();
    assert!(refused.is_error());

    let records = records.lock().unwrap().clone();
    assert_eq!(records.len(), 2, "only the sensitive tool: {records:#?}");
    let record = &records[0];
    assert_eq!(record.tool, "transfer");
    assert_eq!(
        record.arguments,
        json!({"account": "acc-1", "amount": "[redacted]", "memo": "[redacted]"})
    );
    assert_eq!(record.outcome, Outcome::Ok);
    assert_eq!(
        record.client.as_ref().map(|client| client.name.as_str()),
        Some("mcp-runtime-test-client")
    );
    assert!(record.correlation_id.is_some());
    assert!(record.duration < Duration::from_secs(5));
    assert_eq!(records[1].outcome, Outcome::ToolError);
    assert_eq!(records[1].arguments["account"], "acc-2");
    assert_ne!(records[0].request_id, records[1].request_id);

    let events = capture.events(Audit::TARGET);
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0].field("tool"), Some("transfer"));
    assert_eq!(events[0].field("outcome"), Some("ok"));
    assert_eq!(events[1].field("outcome"), Some("tool_error"));
    assert!(
        events[0]
            .field("client")
            .unwrap()
            .starts_with("mcp-runtime-test-client/")
    );
    let arguments = events[0].field("arguments").unwrap();
    assert!(!arguments.contains("4321"), "{arguments}");
    assert!(arguments.contains("acc-1"), "{arguments}");
    for event in capture
        .all()
        .into_iter()
        .filter(|event| event.target.starts_with("mcp_runtime"))
    {
        assert!(
            !event
                .fields
                .values()
                .any(|value| value.contains("pin 4321")),
            "the memo leaked into the logs: {event:?}"
        );
    }
}
