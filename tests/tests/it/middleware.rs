//! The middleware pipeline, through the public API: order, extensions, short-circuits,
//! catch-all hooks, per-component and mounted middleware.

use std::sync::{Arc, Mutex};

use mcp_runtime::middleware::{Middleware, PromptGet, Request, ResourceRead, Response, ToolCall};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use mcp_runtime::tool::BoxFuture;
use serde_json::json;

/// Where each layer records that it ran.
#[derive(Default, Clone)]
struct Trace(Arc<Mutex<Vec<String>>>);

impl Trace {
    fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A middleware that records its name before and after the rest of the pipeline.
struct Layer {
    name: &'static str,
    trace: Trace,
}

impl Middleware for Layer {
    fn on_request(
        &self,
        request: Request,
        next: mcp_runtime::middleware::Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        Box::pin(async move {
            self.trace
                .push(format!("{} in {}", self.name, request.method()));
            let response = next.run_request(request).await;
            self.trace.push(format!("{} out", self.name));
            response
        })
    }
}

/// Echoes back.
#[tool(middleware = [inner_layer()])]
async fn echo(trace: State<Trace>, text: String) -> String {
    trace.push("echo");
    text
}

fn inner_layer() -> Layer {
    Layer {
        name: "component",
        trace: TRACE.with(Clone::clone),
    }
}

thread_local! {
    // Per-component middleware is built by `build()`; the test hands it the trace this way.
    static TRACE: Trace = Trace::default();
}

/// Says hi.
#[tool]
async fn hi() -> String {
    "hi".to_owned()
}

#[tokio::test]
async fn middleware_runs_global_then_mounted_then_per_component_innermost() {
    let trace = TRACE.with(Clone::clone);
    let child = Server::builder("child")
        .state(trace.clone())
        .middleware(Layer {
            name: "mounted",
            trace: trace.clone(),
        })
        .tools(tools![echo])
        .build()
        .unwrap();
    let server = Server::builder("parent")
        .middleware(Layer {
            name: "first",
            trace: trace.clone(),
        })
        .middleware(Layer {
            name: "second",
            trace: trace.clone(),
        })
        .tools(tools![hi])
        .mount("child", child)
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    trace.take();

    let result = client
        .call_tool("child_echo", json!({"text": "x"}))
        .await
        .unwrap();
    assert_eq!(result.text(), "x");
    assert_eq!(
        trace.take(),
        [
            "first in tools/call",
            "second in tools/call",
            "mounted in tools/call",
            "component in tools/call",
            "echo",
            "component out",
            "mounted out",
            "second out",
            "first out",
        ]
    );

    // A parent tool sees only the parent's middleware.
    client.call_tool("hi", json!({})).await.unwrap();
    assert_eq!(
        trace.take(),
        [
            "first in tools/call",
            "second in tools/call",
            "second out",
            "first out"
        ]
    );

    // Lists go through global middleware too.
    client.list_tools().await.unwrap();
    assert_eq!(
        trace.take(),
        [
            "first in tools/list",
            "second in tools/list",
            "second out",
            "first out"
        ]
    );
}

/// The tenant a middleware resolved.
#[derive(Debug, Clone, PartialEq)]
struct Tenant(String);

/// Reads the tenant from the request's `_meta`-less arguments and hands it to tools.
#[middleware]
async fn tenant(mut req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    req.extensions_mut().insert(Tenant("acme".to_owned()));
    next.run(req).await
}

/// Which tenant is calling.
#[tool]
async fn whoami(tenant: Extension<Tenant>) -> String {
    tenant.0.0.clone()
}

#[tokio::test]
async fn middleware_hands_typed_extensions_to_tools() {
    let server = Server::builder("t")
        .middleware(tenant)
        .tools(tools![whoami])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let result = client.call_tool("whoami", json!({})).await.unwrap();
    assert!(!result.is_error(), "{}", result.text());
    assert_eq!(result.text(), "acme");
}

#[tokio::test]
async fn a_missing_extension_is_an_error_naming_the_type() {
    let server = Server::builder("t")
        .mask_internal_errors(false)
        .tools(tools![whoami])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let result = client.call_tool("whoami", json!({})).await.unwrap();
    assert!(result.is_error());
    // The type's full path, which starts with this test crate's name (`it`).
    assert!(
        result.text().contains("Extension<it::middleware::Tenant>"),
        "{}",
        result.text()
    );
}

#[tokio::test]
async fn a_missing_extension_says_what_to_insert_even_when_errors_are_masked() {
    let (logs, _guard) = crate::builtin_middleware::capture::Capture::install();
    // Masking is on (the default): this is a wiring mistake, shown as such.
    let server = Server::builder("t").tools(tools![whoami]).build().unwrap();
    let client = TestClient::new(server).await;
    let result = client.call_tool("whoami", json!({})).await.unwrap();
    assert!(result.is_error());
    let text = result.text();
    assert_eq!(
        text,
        "`whoami` takes `Extension<it::middleware::Tenant>`, but no middleware inserted a \
         `it::middleware::Tenant` into this request; add a middleware that calls \
         `request.extensions_mut().insert(…)` with a `it::middleware::Tenant` value, and make \
         sure it runs for this component"
    );
    // The same message is in the server's log, as an error.
    let logged = logs
        .all()
        .into_iter()
        .find(|event| event.message() == text)
        .unwrap_or_else(|| panic!("not logged: {:#?}", logs.all()));
    assert_eq!(logged.level, tracing::Level::ERROR);
}

/// Counts calls that reached it.
#[derive(Default)]
struct Calls(std::sync::atomic::AtomicUsize);

/// Counts and answers.
#[tool]
async fn guarded(calls: State<Calls>) -> String {
    calls.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    "ran".to_owned()
}

/// Refuses tools whose arguments carry `"deny": true`, without running them.
#[middleware]
async fn deny_flag(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    if req.arguments.get("deny") == Some(&json!(true)) {
        return Ok(CallToolResult::error(vec![Content::text(
            "denied by policy",
        )]));
    }
    next.run(req).await
}

#[tokio::test]
async fn middleware_can_short_circuit_before_the_tool_runs() {
    let server = Server::builder("t")
        .state(Calls::default())
        .middleware(deny_flag)
        .tools(tools![guarded, seen])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let denied = client
        .call_tool("guarded", json!({"deny": true}))
        .await
        .unwrap();
    assert!(denied.is_error());
    assert_eq!(denied.text(), "denied by policy");
    let count = |result: mcp_runtime::testing::ToolResult| result.json::<usize>().unwrap();
    assert_eq!(
        count(client.call_tool("seen", json!({})).await.unwrap()),
        0,
        "the tool ran"
    );
    let allowed = client.call_tool("guarded", json!({})).await.unwrap();
    assert_eq!(allowed.text(), "ran");
    assert_eq!(count(client.call_tool("seen", json!({})).await.unwrap()), 1);
}

/// Routes the old name of a tool to its new one: global middleware runs before routing.
#[middleware]
async fn alias(mut req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    if req.name == "greet" {
        req.name = "hi".to_owned();
    }
    next.run(req).await
}

#[tokio::test]
async fn global_middleware_runs_before_routing_and_can_rewrite_the_name() {
    let server = Server::builder("t")
        .middleware(alias)
        .tools(tools![hi])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    assert_eq!(
        client.call_tool("greet", json!({})).await.unwrap().text(),
        "hi"
    );
    let unknown = client.call_tool("nope", json!({})).await.unwrap_err();
    assert_eq!(unknown.code(), Some(-32602));
}

/// The greeting prefix, shared state for a middleware.
struct Prefix(&'static str);

/// Prefixes every text result, using injected state.
#[middleware]
async fn prefix(
    req: ToolCall,
    prefix: State<Prefix>,
    next: Next,
) -> Result<CallToolResult, McpError> {
    let mut result = next.run(req).await?;
    for block in &mut result.content {
        if let Some(text) = block.as_text() {
            *block = Content::text(format!("{}{}", prefix.0, text.text));
        }
    }
    Ok(result)
}

#[tokio::test]
async fn middleware_takes_injected_parameters() {
    let server = Server::builder("t")
        .state(Prefix(">> "))
        .middleware(prefix)
        .tools(tools![hi])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    assert_eq!(
        client.call_tool("hi", json!({})).await.unwrap().text(),
        ">> hi"
    );
}

/// A static resource.
#[resource("memo://today")]
async fn today() -> String {
    "rest".to_owned()
}

/// A prompt.
#[prompt]
async fn plan() -> String {
    "plan the day".to_owned()
}

/// Rewrites resource reads of `memo://yesterday` to today.
#[middleware]
async fn redirect(
    mut req: ResourceRead,
    next: Next,
) -> Result<mcp_runtime::rmcp::model::ReadResourceResult, McpError> {
    if req.uri == "memo://yesterday" {
        req.uri = "memo://today".to_owned();
    }
    next.run(req).await
}

/// Refuses every prompt.
#[middleware]
async fn no_prompts(_req: PromptGet, _next: Next) -> Result<GetPromptResult, McpError> {
    Err(McpError::invalid_request("prompts are disabled here", None))
}

#[tokio::test]
async fn typed_hooks_only_see_their_own_request_kind() {
    let server = Server::builder("t")
        .middleware(redirect)
        .middleware(no_prompts)
        .tools(tools![hi])
        .resources(resources![today])
        .prompts(prompts![plan])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    // The resource hook rewrote the URI; the prompt hook did not touch it.
    assert_eq!(client.read_text("memo://yesterday").await.unwrap(), "rest");
    // The prompt hook refused the prompt; tools pass both untouched.
    let refused = client.get_prompt("plan", json!({})).await.unwrap_err();
    assert_eq!(refused.message(), Some("prompts are disabled here"));
    assert_eq!(
        client.call_tool("hi", json!({})).await.unwrap().text(),
        "hi"
    );
}

/// Counts every request, whatever its kind.
#[middleware]
async fn count_all(req: Request, counter: State<Calls>, next: Next) -> Result<Response, McpError> {
    counter.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    next.run(req).await
}

/// How many requests the counter saw.
#[tool]
async fn seen(counter: State<Calls>) -> usize {
    counter.0.load(std::sync::atomic::Ordering::SeqCst)
}

#[tokio::test]
async fn a_catch_all_middleware_sees_every_request() {
    let server = Server::builder("t")
        .state(Calls::default())
        .middleware(count_all)
        .tools(tools![seen])
        .resources(resources![today])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    client.list_tools().await.unwrap();
    client.list_resources().await.unwrap();
    client.read_text("memo://today").await.unwrap();
    // list_tools, list_resources, read, and this call itself.
    assert_eq!(
        client
            .call_tool("seen", json!({}))
            .await
            .unwrap()
            .json::<usize>()
            .unwrap(),
        4
    );
}

/// Panics on every request.
#[middleware]
async fn explode(_req: Request, _next: Next) -> Result<Response, McpError> {
    panic!("middleware bug")
}

#[tokio::test]
async fn a_panicking_middleware_is_an_error_not_a_hang() {
    let server = Server::builder("t")
        .middleware(explode)
        .tools(tools![hi])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let call = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        client.call_tool("hi", json!({})),
    )
    .await
    .expect("the client got an answer");
    let error = call.unwrap_err();
    assert_eq!(error.code(), Some(-32603));
    assert_eq!(error.message(), Some("internal error"));
    // The session still answers (every request meets the same middleware).
    let listed = tokio::time::timeout(std::time::Duration::from_secs(10), client.list_tools())
        .await
        .expect("the client got an answer");
    assert_eq!(listed.unwrap_err().code(), Some(-32603));
}
