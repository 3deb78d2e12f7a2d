// `blocking` is a `#[tool]` key: a resource is an `async fn`.
use mcp_runtime::prelude::*;

/// A file's contents.
#[resource("file:///{name}", blocking)]
fn file(name: String) -> String {
    name
}

fn main() {}
