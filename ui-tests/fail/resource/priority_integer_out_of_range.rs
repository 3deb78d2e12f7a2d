// An integer `priority` is range-checked like a float: `2` is outside 0.0 to 1.0.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", annotations(priority = 2))]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
