// A function without `#[tool]` cannot be listed.
use mcp_runtime::prelude::*;

/// Add two integers.
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    let _ = tools![add];
}
