// `#[resource]` needs its URI: with no arguments at all there is nothing to serve.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
