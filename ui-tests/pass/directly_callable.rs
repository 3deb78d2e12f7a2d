// A `#[tool]` function stays an ordinary function: it can still be called (and awaited)
// directly, for instance from the crate's own tests.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

async fn call_it() -> i64 {
    add(1, 2).await
}

fn main() {
    let _ = add(1, 2);
    let _ = call_it();
    let _ = tools![add];
}
