// An icon's `theme` is `light` or `dark`.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = [icon(src = "https://example.com/add.png", theme = "sepia")])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
