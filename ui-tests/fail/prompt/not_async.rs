// A prompt must be an `async fn`.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt]
fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
