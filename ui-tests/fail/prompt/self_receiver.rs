// A prompt is a free function: a method taking `&self` is rejected, with only that error.
use mcp_runtime::prelude::*;

struct Prompts;

impl Prompts {
    /// Ask the model to summarise a topic.
    #[prompt]
    async fn summarize(&self, topic: String) -> String {
        format!("Summarise {topic}.")
    }
}

fn main() {}
