// An icon's `src` is an `https:`, `http:` or `data:` URI: `ftp:` is not one.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", icons = ["ftp://example.com/notes.png"])]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
