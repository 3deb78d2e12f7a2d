// A misspelled key is rejected with a suggestion of the right one.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", mime_typ = "text/markdown")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
