// An icon needs a source: an empty `src` is rejected on the string.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = [""])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
