//! Helpers shared by the test modules: an in-memory client and the schemas it lists here,
//! [`http`] for real HTTP on loopback, [`process`] for the examples run as child processes.

pub mod gate;
pub mod http;
pub mod line;
pub mod process;
pub mod temp;

use mcp_runtime::Server;
use mcp_runtime::testing::{ClientError, TestClient};
use serde_json::Value;

/// JSON-RPC `invalid params`.
pub const INVALID_PARAMS: i32 = -32602;
/// JSON-RPC `internal error`.
pub const INTERNAL_ERROR: i32 = -32603;
/// MCP's resource-not-found (`-32002`) on 2025-11-25, which `TestClient` negotiates.
pub const RESOURCE_NOT_FOUND: i32 = -32002;

/// Makes `subscriber` this thread's default `tracing` subscriber until the guard drops.
///
/// The tests run on parallel threads of one process, and `tracing` caches process-wide, per
/// callsite, whether any subscriber wants its events. A callsite first hit by a test without a
/// subscriber while another test registers the process's first thread default can store
/// "nobody" after that registration updated it; rebuilding the cache once the default is set
/// makes every callsite ask this subscriber again.
///
/// That rebuild does not cover a callsite registered by another thread while this one sets its
/// default (the registration can read the list of subscribers before this one is in it, and
/// store "nobody" after the rebuild ran): such a callsite's events were lost for the rest of
/// the run. A process-wide subscriber that never takes an event but answers "ask me each
/// time" for every callsite closes that race: no callsite is ever cached as "nobody".
pub fn set_thread_default(
    subscriber: impl tracing::Subscriber + Send + Sync + 'static,
) -> tracing::subscriber::DefaultGuard {
    static ASK_EACH_TIME: std::sync::Once = std::sync::Once::new();
    ASK_EACH_TIME.call_once(|| {
        // Fails only if a global default exists already, which then decides interest instead.
        let _ = tracing::subscriber::set_global_default(AskEachTime);
    });
    let guard = tracing::subscriber::set_default(subscriber);
    tracing::callsite::rebuild_interest_cache();
    guard
}

/// The process-wide subscriber of the tests: takes nothing, caches no callsite as unwanted.
struct AskEachTime;

impl tracing::Subscriber for AskEachTime {
    fn register_callsite(
        &self,
        _: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        tracing::subscriber::Interest::sometimes()
    }
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        false
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        // Never called: `enabled` is false for every span.
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Connects a [`TestClient`] to `server`.
pub async fn connect(server: Server) -> TestClient {
    TestClient::new(server).await
}

/// The names `tools/list` returns, sorted.
pub async fn tool_names(client: &TestClient) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.to_string())
        .collect();
    names.sort();
    names
}

/// The listed tool `name`, as the JSON a client sees in `tools/list`.
pub async fn listed_tool(client: &TestClient, name: &str) -> Value {
    let tools = client.list_tools().await.expect("tools/list failed");
    let tool = tools
        .into_iter()
        .find(|tool| tool.name == name)
        .unwrap_or_else(|| panic!("tool `{name}` is not listed"));
    serde_json::to_value(tool).expect("a tool serializes")
}

/// The `inputSchema` of the listed tool `name`.
pub async fn input_schema(client: &TestClient, name: &str) -> Value {
    listed_tool(client, name).await["inputSchema"].clone()
}

/// The `outputSchema` of the listed tool `name` (`Value::Null` when it has none).
pub async fn output_schema(client: &TestClient, name: &str) -> Value {
    listed_tool(client, name)
        .await
        .get("outputSchema")
        .cloned()
        .unwrap_or(Value::Null)
}

/// Whether `key` is an object key anywhere in `value`.
pub fn has_key_anywhere(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => {
            map.contains_key(key) || map.values().any(|value| has_key_anywhere(value, key))
        }
        Value::Array(items) => items.iter().any(|value| has_key_anywhere(value, key)),
        _ => false,
    }
}

/// Whether `null` appears anywhere in `value`: as a JSON null or as the string `"null"` (a type).
pub fn mentions_null(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text == "null",
        Value::Object(map) => map.values().any(mentions_null),
        Value::Array(items) => items.iter().any(mentions_null),
        _ => false,
    }
}

/// The property names of an object schema, sorted.
pub fn property_names(schema: &Value) -> Vec<String> {
    let mut names: Vec<String> = schema["properties"]
        .as_object()
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The `required` list of an object schema, sorted (empty when absent).
pub fn required(schema: &Value) -> Vec<String> {
    let mut names: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|name| {
                    name.as_str()
                        .expect("required names are strings")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The contents of a read, as the JSON a client sees.
pub async fn read_json(client: &TestClient, uri: &str) -> Vec<Value> {
    let result = client
        .read_resource(uri)
        .await
        .unwrap_or_else(|error| panic!("reading `{uri}` failed: {error}"));
    result
        .contents
        .iter()
        .map(|contents| serde_json::to_value(contents).expect("contents serialize"))
        .collect()
}

/// Asserts that `error` is a JSON-RPC error with `code` whose message contains every `needle`.
pub fn assert_rpc(error: &ClientError, code: i32, needles: &[&str]) {
    assert_eq!(error.code(), Some(code), "unexpected error: {error}");
    let message = error.message().expect("a JSON-RPC error has a message");
    for needle in needles {
        assert!(
            message.contains(needle),
            "the message `{message}` does not contain `{needle}`"
        );
    }
}
