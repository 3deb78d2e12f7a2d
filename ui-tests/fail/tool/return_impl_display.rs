// A tool cannot return `impl Trait`: the output schema is generated from a concrete type.
use mcp_runtime::prelude::*;

/// The answer.
#[tool]
async fn answer() -> impl std::fmt::Display {
    42
}

fn main() {}
