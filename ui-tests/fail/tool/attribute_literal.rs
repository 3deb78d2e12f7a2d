// Keys are named: a bare string is not taken as the name.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool("add")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
