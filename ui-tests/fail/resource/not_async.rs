// A resource must be an `async fn`.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index")]
fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
