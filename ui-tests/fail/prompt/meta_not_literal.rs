// A `meta` value is a literal, not an expression.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(meta(max_words = 100 + 100))]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
