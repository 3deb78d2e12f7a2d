// An icon is a string or `icon(…)`, not a number.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = [42])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
