//! A lean MCP server: two tools over stdio, on `mcp-runtime` with `default-features = false`.
//!
//! It keeps what a local server needs (the macros, schemas, middleware, stdio, the command
//! line, logging to stderr) and leaves out HTTP, auth, metrics, config files, rate limiting,
//! caching and JSON Schema validation, so it builds faster and ships a smaller binary.
//!
//! ```text
//! cargo run -p lean -- call add '{"a": 2, "b": 3}'   # one call, in memory
//! cargo run -p lean -- inspect                       # the tools and their schemas
//! cargo run -p lean                                  # serve over stdio (for MCP clients)
//! ```
#![forbid(unsafe_code)]

use mcp_runtime::middleware::{ErrorHandling, Timeout};
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(annotations(read_only, idempotent, open_world = false))]
async fn add(
    /// Left operand
    a: i64,
    /// Right operand
    b: i64,
) -> Result<i64, ToolError> {
    a.checked_add(b)
        .ok_or_else(|| ToolError::new(format!("{a} + {b} overflows a 64-bit integer")))
}

/// Echo the text back, unchanged.
#[tool(annotations(read_only, idempotent, open_world = false))]
async fn echo(
    /// The text to send back
    text: String,
) -> String {
    text
}

/// The server: its identity, middleware and tools.
fn server() -> Result<Server, mcp_runtime::Error> {
    Server::builder("lean")
        .version(env!("CARGO_PKG_VERSION"))
        .instructions(
            "Arithmetic and echo: call `add` to sum two integers, `echo` to get text back.",
        )
        // Built-in middleware needs no feature; `RUST_LOG` filters the logs (on stderr).
        .middleware(ErrorHandling::new())
        .middleware(Timeout::new(std::time::Duration::from_secs(30)))
        .tools(tools![add, echo])
        .build()
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    server()?.run().await
}

// The in-memory `TestClient` needs no feature: a lean server tests itself as the full kit does.
#[cfg(test)]
mod tests {
    use mcp_runtime::testing::TestClient;

    #[tokio::test]
    async fn add_sums_and_refuses_an_overflow() {
        let client = TestClient::connect(super::server().expect("builds"))
            .await
            .expect("connects");
        let sum = client
            .call_tool("add", serde_json::json!({ "a": 2, "b": 3 }))
            .await
            .expect("answers");
        assert_eq!(sum.json::<i64>().expect("a number"), 5);

        let overflow = client
            .call_tool("add", serde_json::json!({ "a": i64::MAX, "b": 1 }))
            .await
            .expect("answers");
        assert!(overflow.is_error());
        assert!(overflow.text().contains("overflows"), "{}", overflow.text());
    }
}
