// A function without `#[prompt]` cannot be listed.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {
    let _ = prompts![summarize];
}
