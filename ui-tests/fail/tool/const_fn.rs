// A tool cannot be a `const fn`.
use mcp_runtime::prelude::*;

/// The answer.
#[tool]
const async fn answer() -> i64 {
    42
}

fn main() {}
