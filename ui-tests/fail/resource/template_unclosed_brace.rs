// A template expression opened with `{` must be closed with `}`.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id")]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
