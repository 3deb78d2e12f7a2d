// Without `name = "…"` the function's name is the tool's name; a non-ASCII identifier
// (legal Rust) is not a valid tool name, and the error says how to set one.
use mcp_runtime::prelude::*;

/// Order a coffee.
#[tool]
async fn café() -> String {
    "espresso".to_owned()
}

fn main() {}
