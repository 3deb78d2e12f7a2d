// A `#[resource]` is not a prompt: it goes in `resources![…]`.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {
    let _ = prompts![index];
}
