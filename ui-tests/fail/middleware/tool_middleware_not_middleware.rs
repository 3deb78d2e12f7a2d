// `#[tool(middleware = [...])]` lists middleware: an integer is rejected on the entry.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(middleware = [42])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
