// A parameter that is neither a template variable nor injected: the message names the
// parameter and the template.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id}")]
async fn note(id: u64, extra: String) -> String {
    format!("note {id} {extra}")
}

fn main() {}
