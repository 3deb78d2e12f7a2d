// A misspelled key is rejected with a suggestion of the right one.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt(titel = "Summarise")]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
