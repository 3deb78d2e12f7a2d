// A trailing comma in an expression leaves an empty variable name: `{a,}`.
use mcp_runtime::prelude::*;

/// One note.
#[resource("notes://{a,}")]
async fn note(a: String) -> String {
    a
}

fn main() {}
