// A tool cannot have a `where` clause, even one with no generic parameters.
use mcp_runtime::prelude::*;

/// Count the characters.
#[tool]
async fn count(text: String) -> usize
where
    String: Clone,
{
    text.len()
}

fn main() {}
