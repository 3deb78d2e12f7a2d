// `priority` is between 0.0 and 1.0.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", annotations(priority = 1.5))]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
