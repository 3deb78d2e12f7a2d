// The same tool listed three times: one error for each listing after the first, each naming
// the first (not one per pair).
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

/// Echo the text back, under the same name.
#[tool(name = "echo")]
async fn echo_again(text: String) -> String {
    text
}

fn main() {
    let _ = tools![add, echo, add, echo_again, add];
}
