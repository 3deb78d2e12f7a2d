// `icons` takes a list, even for one icon.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = "https://example.com/add.png")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
