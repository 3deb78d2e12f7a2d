// `title = ""` is rejected: a title must say something (or be left out).
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(title = "")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
