// A template variable's type must implement `FromStr`: the value comes from the URI's text.
use mcp_runtime::prelude::*;

struct NoteId {
    value: u64,
}

/// One note, by id.
#[resource("notes://{id}")]
async fn note(id: NoteId) -> String {
    format!("note {}", id.value)
}

fn main() {}
