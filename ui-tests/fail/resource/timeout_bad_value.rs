// A resource's `timeout` needs a unit, as a tool's does.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", timeout = "5")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
