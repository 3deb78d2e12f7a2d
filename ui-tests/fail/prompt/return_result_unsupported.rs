// Inside `Result<T, E>`, `T` must still be prompt messages.
use mcp_runtime::prelude::*;

/// The answer.
#[prompt]
async fn answer() -> Result<i64, PromptError> {
    Ok(42)
}

fn main() {}
