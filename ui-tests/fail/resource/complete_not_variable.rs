// `complete(var = f)` completes a template variable: `nope` is not one.
use mcp_runtime::prelude::*;

async fn ids(completion: Completion) -> Vec<String> {
    vec![completion.value().to_owned()]
}

/// One note, by id.
#[resource("notes://{id}", complete(nope = ids))]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
