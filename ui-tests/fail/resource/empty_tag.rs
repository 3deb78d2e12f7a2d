// A tag is a non-empty word.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", tags = [""])]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
