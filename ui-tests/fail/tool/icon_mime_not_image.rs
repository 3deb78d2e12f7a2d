// An icon's `mime_type` is an image type.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = [icon(src = "https://example.com/add.txt", mime_type = "text/plain")])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
