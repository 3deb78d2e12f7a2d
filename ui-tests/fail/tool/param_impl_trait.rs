// A parameter cannot be `impl Trait`: its schema is generated from a concrete type.
use mcp_runtime::prelude::*;

/// Echo the text back.
#[tool]
async fn echo(text: impl Into<String>) -> String {
    text.into()
}

fn main() {}
