// A template variable is owned: `&str` is rejected with a pointer to `String`.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id}")]
async fn note(id: &str) -> String {
    id.to_owned()
}

fn main() {}
