use mcp_runtime::prelude::*;

/// A prompt.
#[prompt(scopes = [""])]
async fn greet() -> String {
    "hi".into()
}

fn main() {}
