// A space cannot appear in a URI (the literal text of a template is used as-is): the error
// says to percent-encode it.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://my notes/{id}")]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
