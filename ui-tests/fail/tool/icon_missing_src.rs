// `icon(…)` without `src` is rejected.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = [icon(mime_type = "image/png")])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
