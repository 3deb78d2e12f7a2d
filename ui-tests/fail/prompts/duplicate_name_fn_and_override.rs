// A `name = "…"` override that equals another prompt's function name.
use mcp_runtime::prelude::*;

/// Summarise.
#[prompt]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

/// Summarise, again.
#[prompt(name = "summarize")]
async fn summarize_again(topic: String) -> String {
    format!("Summarise {topic}, again.")
}

fn main() {
    let _ = prompts![summarize, summarize_again];
}
