// An icon's `mime_type` is a full `image/…` type.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", icons = [icon(src = "https://example.com/notes.png", mime_type = "png")])]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
