// `name = "…"` must follow MCP's tool-name rule: a space is not allowed.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(name = "has space")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
