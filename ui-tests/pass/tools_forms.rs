// `tools![…]` accepts an empty list, one tool, and a trailing comma; the result is a
// `ToolSet`, and sets can be combined.
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
    let empty: ToolSet = tools![];
    let one: ToolSet = tools![add];
    let mut both: ToolSet = tools![add, echo,];
    both.extend([empty, one]);
    let _ = both.len();
}
