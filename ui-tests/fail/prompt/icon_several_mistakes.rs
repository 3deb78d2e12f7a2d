// Every mistake in the icons is reported in one compile, each on its own value.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(icons = [
    "summary.png",
    icon(src = "https://example.com/summary.png", sizes = ["48 x 48"], theme = "night"),
])]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
