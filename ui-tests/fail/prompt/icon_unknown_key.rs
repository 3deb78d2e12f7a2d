// A misspelled key inside `icon(…)` gets a suggestion of the right one.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(icons = [icon(src = "https://example.com/summary.png", mimetype = "image/png")])]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
