// A prompt has no URI: a positional string (as `#[resource]` takes) is rejected.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt("prompts://summarize")]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
