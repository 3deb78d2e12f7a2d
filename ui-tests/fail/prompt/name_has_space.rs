// `name = "…"` follows the same rule as tool names: a space is not allowed.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(name = "has space")]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
