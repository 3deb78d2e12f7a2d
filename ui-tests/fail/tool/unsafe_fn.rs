// A tool cannot be `unsafe`: a client may call it with any arguments.
use mcp_runtime::prelude::*;

/// The answer.
#[tool]
async unsafe fn answer() -> i64 {
    42
}

fn main() {}
