// A tool name cannot be empty.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(name = "")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
