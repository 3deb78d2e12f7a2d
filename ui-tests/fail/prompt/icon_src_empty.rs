// `icon(src = "")` is rejected on the string.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(icons = [icon(src = "", mime_type = "image/png")])]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
