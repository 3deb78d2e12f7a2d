// A parameter must be owned: `&str` is rejected with a pointer to `String`.
use mcp_runtime::prelude::*;

/// Echo the text back.
#[tool]
async fn echo(text: &str) -> String {
    text.to_owned()
}

fn main() {}
