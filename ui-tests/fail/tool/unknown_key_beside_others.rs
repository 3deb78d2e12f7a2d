// An unknown key beside an invalid name and an empty title: all three mistakes are reported in
// one compile (an unknown key does not hide the checks of the other keys).
use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(name = "has space", title = "", descripton = "Add.")]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {}
