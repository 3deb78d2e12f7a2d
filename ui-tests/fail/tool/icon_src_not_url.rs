// An icon's `src` is an `https:`, `http:` or `data:` URI, not a path.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = ["/static/add.png"])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
