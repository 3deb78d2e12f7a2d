// Two different functions given the same tool name with `name = "…"`: the error names both.
use mcp_runtime::prelude::*;

/// One.
#[tool(name = "same")]
async fn one() -> i64 {
    1
}

/// Two.
#[tool(name = "same")]
async fn two() -> i64 {
    2
}

fn main() {
    let _ = tools![one, two];
}
