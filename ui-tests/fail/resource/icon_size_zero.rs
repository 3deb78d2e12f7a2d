// An icon size is at least 1 pixel wide and high.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", icons = [icon(src = "https://example.com/notes.png", sizes = ["0x48"])])]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
