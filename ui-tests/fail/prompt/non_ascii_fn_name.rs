// Without `name = "…"` the function's name is the prompt's name; a non-ASCII identifier is
// not a valid prompt name, and the error says how to set one.
use mcp_runtime::prelude::*;

/// Ask the model to summarise a topic.
#[prompt]
async fn résumé(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
