// `#[resource]` goes on an `async fn`, not on a struct.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index")]
struct Index;

fn main() {}
