// `complete(argument = f)` completes an argument of the prompt: `nope` is not a parameter.
use mcp_runtime::prelude::*;

async fn topics(completion: Completion) -> Vec<String> {
    vec![completion.value().to_owned()]
}

/// Ask the model to summarise a topic.
#[prompt(complete(nope = topics))]
async fn summarize(topic: String) -> String {
    format!("Summarise {topic}.")
}

fn main() {}
