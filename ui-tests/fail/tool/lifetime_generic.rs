// A tool cannot have generic parameters, lifetimes included.
use mcp_runtime::prelude::*;

/// Count the characters.
#[tool]
async fn count<'a>(text: String) -> usize {
    let borrowed: &'a str = "";
    text.len() + borrowed.len()
}

fn main() {}
