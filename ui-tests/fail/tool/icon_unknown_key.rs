// A misspelled key inside `icon(…)` gets a suggestion of the right one.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = [icon(src = "https://example.com/add.png", size = ["48x48"])])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
