// Every template variable binds a parameter of the same name: `{id}` has none here.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id}")]
async fn note() -> String {
    "note".to_owned()
}

fn main() {}
