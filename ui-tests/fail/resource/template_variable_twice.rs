// Each variable appears once: it binds one parameter.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id}/versions/{id}")]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
