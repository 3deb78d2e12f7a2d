// `priority` is a number from 0.0 to 1.0, not a word.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", annotations(priority = "high"))]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
