// `#[tool]` goes on an `async fn`, not on a struct.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool]
struct Add {
    a: i64,
    b: i64,
}

fn main() {}
