// `blocking` runs a synchronous `fn` on the blocking thread pool: on an `async fn` it is
// rejected on the `async` keyword.
use mcp_runtime::prelude::*;

/// Hash a file.
#[tool(blocking)]
async fn hash(path: String) -> String {
    path
}

fn main() {}
