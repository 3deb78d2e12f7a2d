// A tool must be an `async fn`: a plain `fn` is rejected on the `fn` keyword.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
