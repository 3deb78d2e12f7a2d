// A parameter named `_` has no name for the schema.
use mcp_runtime::prelude::*;

/// The answer, whatever the question.
#[tool]
async fn answer(_: String) -> i64 {
    42
}

fn main() {}
