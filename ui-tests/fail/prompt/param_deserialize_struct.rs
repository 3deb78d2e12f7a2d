// Unlike a tool's, a prompt's arguments are text: a `Deserialize` struct is not an argument.
use mcp_runtime::prelude::*;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Topic {
    name: String,
}

/// Ask the model to summarise a topic.
#[prompt]
async fn summarize(topic: Topic) -> String {
    format!("Summarise {}.", topic.name)
}

fn main() {}
