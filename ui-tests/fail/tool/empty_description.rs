// `description = ""` is rejected: remove it to use the doc comment.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(description = "")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
