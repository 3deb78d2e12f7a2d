// A misspelled annotation is rejected with a suggestion of the right one.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(annotations(read_onyl))]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
