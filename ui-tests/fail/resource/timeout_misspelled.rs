// A misspelled shared key on a resource gets a suggestion of the right one.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", timout = "5s")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
