// A scheme alone is not an icon URL.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = ["https://"])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
