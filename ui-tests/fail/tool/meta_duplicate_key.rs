// A `meta` key given twice is rejected on the second, whether written as a name or a string.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(meta(rank = 1, "rank" = 2))]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
