// `name` takes a string literal, not a number.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(name = 5)]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
