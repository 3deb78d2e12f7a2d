// A completion function is `async fn(Completion) -> Vec<String>`: one returning a single
// `String` is rejected.
use mcp_runtime::prelude::*;

async fn ids(completion: Completion) -> String {
    completion.value().to_owned()
}

/// One note, by id.
#[resource("notes://{id}", complete(id = ids))]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
