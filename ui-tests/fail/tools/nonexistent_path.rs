// A name that does not exist (here a typo) is an unresolved path.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    let _ = tools![ad];
}
