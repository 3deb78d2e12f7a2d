// `blocking` takes no arguments either: the list is rejected on its parentheses.
use mcp_runtime::prelude::*;

/// Hash a file.
#[tool(blocking(threads = 4))]
fn hash(path: String) -> String {
    path
}

fn main() {}
