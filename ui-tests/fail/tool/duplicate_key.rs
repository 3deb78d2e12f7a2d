// A key given twice is rejected.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(name = "add", name = "plus")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
