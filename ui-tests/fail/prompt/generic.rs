// A prompt cannot be generic.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt]
async fn summarize<T: std::fmt::Display>(topic: T) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
