// `cache_scope` is "public" or "private"; `cache_ttl` a duration.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(cache_scope = "everyone", cache_ttl = "soon")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
