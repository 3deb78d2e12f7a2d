// `blocking` is a flag: a value is rejected on the value, and the synchronous `fn` under it
// gets no second error.
use mcp_runtime::prelude::*;

/// Hash a file.
#[tool(blocking = true)]
fn hash(path: String) -> String {
    path
}

fn main() {}
