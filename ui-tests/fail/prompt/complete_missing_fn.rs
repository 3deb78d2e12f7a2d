// The completion function named in `complete(…)` must exist.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(complete(topic = topicz))]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
