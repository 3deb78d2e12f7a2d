// An icon size is `WxH` or `any`: one number is not a size.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(icons = [icon(src = "https://example.com/add.png", sizes = ["48x48", "48"])])]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
