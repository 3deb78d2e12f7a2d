// Entries are separated by commas.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index")]
async fn index() -> String {
    "# Notes".to_owned()
}

/// One note, by id.
#[resource("notes://{id}")]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {
    let _ = resources![index note];
}
