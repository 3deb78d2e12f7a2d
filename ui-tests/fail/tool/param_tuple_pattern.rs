// A parameter must be a plain name (the argument's name in the schema), not a pattern.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool]
async fn add((a, b): (i64, i64)) -> i64 {
    a + b
}

fn main() {}
