// A prompt's `timeout` of zero would fail every get.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(timeout = "0s")]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
