// A prompt parameter is an argument (text, so any `FromStr` type) or injected; a plain struct
// is neither.
use mcp_runtime::prelude::*;

struct Topic {
    name: String,
}

/// Ask the model to summarise a topic.
#[prompt]
async fn summarize(topic: Topic) -> String {
    format!("Summarise {}.", topic.name)
}

fn main() {}
