// A tool name is at most 128 characters: this one has 129.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(
    name = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
)]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
