// A prompt returns messages (`String`, `PromptMessage`, `Vec<PromptMessage>`,
// `GetPromptResult`, or a `Result` of these): an `i64` is not a message.
use mcp_runtime::prelude::*;

/// The answer.
#[prompt]
async fn answer() -> i64 {
    42
}

fn main() {}
