// A `meta` integer must fit in 64 bits.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(meta(rank = 99999999999999999999))]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
