// An empty expression `{}` names no variable.
use mcp_runtime::prelude::*;

/// One note.
#[resource("notes://{}")]
async fn note() -> String {
    "note".to_owned()
}

fn main() {}
