// A resource URI starts with a scheme: `notes/{id}` is a relative path, not a URI.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes/{id}")]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
