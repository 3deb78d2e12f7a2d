// Two different prompts given the same name with `name = "…"`: the error names both.
use mcp_runtime::prelude::*;

/// Summarise briefly.
#[prompt(name = "summarize")]
async fn short(topic: String) -> String {
    format!("Summarise {topic} in one sentence.")
}

/// Summarise at length.
#[prompt(name = "summarize")]
async fn long(topic: String) -> String {
    format!("Summarise {topic} in ten sentences.")
}

fn main() {
    let _ = prompts![short, long];
}
