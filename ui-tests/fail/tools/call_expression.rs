// Entries are the names of tools, not calls.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    let _ = tools![add(1, 2)];
}
