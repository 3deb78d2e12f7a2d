// Entries are separated by commas.
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Echo the text back.
#[tool]
async fn echo(text: String) -> String {
    text
}

fn main() {
    let _ = tools![add echo];
}
