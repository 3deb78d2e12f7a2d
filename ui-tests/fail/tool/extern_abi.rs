// A tool cannot have an `extern` ABI.
use mcp_runtime::prelude::*;

/// The answer.
#[tool]
async extern "C" fn answer() -> i64 {
    42
}

fn main() {}
