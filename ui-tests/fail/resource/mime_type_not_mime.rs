// `mime_type` is a MIME type like "text/markdown", not a format's name.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", mime_type = "markdown")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
