// The same resource listed twice.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {
    let _ = resources![index, index];
}
