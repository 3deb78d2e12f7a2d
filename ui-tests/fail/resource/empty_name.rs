// `name = ""` is rejected: remove it to use the function's name.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", name = "")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
