// `=` (like `,`, `!`, `@`, `|`) is an operator RFC 6570 reserves for future use.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{=id}")]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
