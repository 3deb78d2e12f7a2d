// Two template variables without parameters: both are reported, in one compile.
use mcp_runtime::prelude::*;

/// One version of a note.
#[resource("notes://{id}/versions/{version}")]
async fn note_version() -> String {
    "note".to_owned()
}

fn main() {}
