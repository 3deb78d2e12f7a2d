// `meta` takes `key = value` pairs in parentheses.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(meta = "rank")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
