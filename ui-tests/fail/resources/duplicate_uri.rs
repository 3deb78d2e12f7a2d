// Two resources with the same URI template: the error names both.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id}")]
async fn note(id: u64) -> String {
    format!("note {id}")
}

/// The same note, as JSON.
#[resource("notes://{id}")]
async fn note_json(id: u64) -> Vec<u64> {
    vec![id]
}

fn main() {
    let _ = resources![note, note_json];
}
