//! Built-in middleware, through the public API: a module per built-in.
//!
//! The shared components: plain tools (`login`, `refuse`, `nap`, …) for the middleware that
//! observe requests, and tools that count their runs (`Runs`) for the ones that refuse, answer
//! from a cache or rerun them.

mod audit;
mod cache;
pub(crate) mod capture;
mod circuit_breaker;
mod error_handling;
mod logging;
mod rate_limit;
mod retry;
mod size_limit;
mod timeout;
mod timing;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mcp_runtime::middleware::{ClientKey, CorrelationId, Request};
use mcp_runtime::prelude::*;
use mcp_runtime::testing::ClientError;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

// ---- components of the observing middleware ----------------------------------------------

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

fn rpc_error(error: ClientError) -> McpError {
    match error {
        ClientError::Rpc(error) => error,
        other => panic!("not a JSON-RPC error: {other}"),
    }
}

// ---- counted components ------------------------------------------------------------------

/// The code of refusals by `RateLimit` and `CircuitBreaker`.
const SERVER_ERROR: i32 = -32000;

/// How many times components ran.
#[derive(Default)]
struct Runs(AtomicUsize);

impl Runs {
    fn bump(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
}

fn runs(server: &Server) -> usize {
    server.state::<Runs>().unwrap().0.load(Ordering::SeqCst)
}

/// The JSON-RPC error `data` of a refusal.
fn data(error: &ClientError) -> Value {
    match error {
        ClientError::Rpc(error) => error.data.clone().unwrap_or_default(),
        other => panic!("expected a JSON-RPC error, got {other}"),
    }
}

/// Answers.
#[tool]
async fn ping(runs: State<Runs>) -> String {
    runs.bump();
    "pong".to_owned()
}

/// A read-only lookup: the answer carries the run number, so a cached answer is recognisable.
#[tool(annotations(read_only))]
async fn lookup(runs: State<Runs>, key: String, page: Option<u32>) -> String {
    let run = runs.bump();
    format!("{key}/{}#{run}", page.unwrap_or(0))
}

/// A read-only lookup that always fails.
#[tool(annotations(read_only))]
async fn lookup_broken(runs: State<Runs>) -> Result<String, ToolError> {
    runs.bump();
    Err(ToolError::new("backend unavailable"))
}

/// Changes something: neither read-only nor idempotent.
#[tool]
async fn bump(runs: State<Runs>) -> String {
    format!("#{}", runs.bump())
}

/// One document.
#[resource("docs://{id}")]
async fn doc(runs: State<Runs>, id: u32) -> String {
    format!("doc {id} #{}", runs.bump())
}

/// Fails on its first two runs, then succeeds: safe to retry.
#[tool(annotations(idempotent))]
async fn third_time_lucky(runs: State<Runs>) -> Result<String, ToolError> {
    let run = runs.bump();
    if run < 3 {
        return Err(ToolError::new(format!("flaked on run {run}")));
    }
    Ok(format!("ok on run {run}"))
}

/// Always fails, and is safe to retry.
#[tool(annotations(idempotent))]
async fn always_down(runs: State<Runs>) -> Result<String, ToolError> {
    runs.bump();
    Err(ToolError::new("down"))
}

/// Always fails, and is not safe to retry.
#[tool]
async fn charge(runs: State<Runs>) -> Result<String, ToolError> {
    runs.bump();
    Err(ToolError::new("card declined"))
}

/// Fails when told to.
#[tool]
async fn unstable(runs: State<Runs>, fail: bool) -> Result<String, ToolError> {
    let run = runs.bump();
    if fail {
        return Err(ToolError::new(format!("failed on run {run}")));
    }
    Ok(format!("ok on run {run}"))
}

fn server(
    middleware: impl FnOnce(mcp_runtime::ServerBuilder) -> mcp_runtime::ServerBuilder,
) -> Server {
    middleware(
        Server::builder("b")
            .state(Runs::default())
            .state(CurrentUser::default()),
    )
    .tools(tools![
        ping,
        lookup,
        lookup_broken,
        bump,
        third_time_lucky,
        always_down,
        charge,
        unstable
    ])
    .resources(resources![doc])
    .build()
    .unwrap()
}

// ---- standing in for authentication --------------------------------------------------------

/// What an authentication middleware would attach.
#[derive(Clone)]
struct Identity(String);

/// Who the next requests come from, as the test sets it (stands in for credentials).
#[derive(Default)]
struct CurrentUser(std::sync::Mutex<Option<String>>);

impl CurrentUser {
    fn set(server: &Server, user: Option<&str>) {
        *server.state::<CurrentUser>().unwrap().0.lock().unwrap() = user.map(str::to_owned);
    }
}

/// Stands in for authentication: attaches the current user's identity, if any.
#[middleware]
async fn authenticate(
    mut req: ToolCall,
    user: State<CurrentUser>,
    next: Next,
) -> Result<CallToolResult, McpError> {
    let user = user.0.lock().unwrap().clone();
    if let Some(user) = user {
        req.extensions_mut().insert(Identity(user));
    }
    next.run(req).await
}

/// The documented "identity" key: the subject an authentication middleware attached.
fn by_identity() -> ClientKey {
    ClientKey::from_fn(|req: &Request| req.extensions().get::<Identity>().map(|id| id.0.clone()))
}
