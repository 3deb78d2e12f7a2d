// A variable name is letters, digits and `_` (it binds a parameter): `{note-id}` is not one.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{note-id}")]
async fn note(note_id: u64) -> String {
    format!("note {note_id}")
}

fn main() {}
