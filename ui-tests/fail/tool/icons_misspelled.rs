// `icon = …` is not a key: the suggestion is `icons`.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icon = ["https://example.com/add.png"])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
