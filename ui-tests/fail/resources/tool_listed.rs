// A `#[tool]` is not a resource: it goes in `tools![…]`.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    let _ = resources![add];
}
