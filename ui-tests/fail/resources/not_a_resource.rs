// A function without `#[resource]` cannot be listed.
use mcp_runtime::prelude::*;

/// The index of all notes.
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {
    let _ = resources![index];
}
