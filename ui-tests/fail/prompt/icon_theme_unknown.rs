// An icon's `theme` is `light` or `dark`, in lower case.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(icons = [icon(src = "https://example.com/summary.png", theme = "Dark")])]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
