// An annotation is a flag or `= true`/`= false`, not a string.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(annotations(read_only = "yes"))]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
