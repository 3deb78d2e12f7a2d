// The URI is positional: `uri = "…"` is not a key.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource(uri = "notes://index")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
