// A malformed template beside a signature mistake: both are reported.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id")]
fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
