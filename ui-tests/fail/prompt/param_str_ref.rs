// A prompt parameter must be owned: `&str` is rejected with a pointer to `String`.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt]
async fn summarize(topic: &str) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
