// A `meta` key cannot be empty.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", meta("" = 1))]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
