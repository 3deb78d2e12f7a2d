// A variable is completed by one function: `complete(id = a, id = b)` names it twice.
use mcp_runtime::prelude::*;

async fn ids(completion: Completion) -> Vec<String> {
    vec![completion.value().to_owned()]
}

async fn more_ids(completion: Completion) -> Vec<String> {
    vec![completion.value().to_owned()]
}

/// One note, by id.
#[resource("notes://{id}", complete(id = ids, id = more_ids))]
async fn note(id: u64) -> String {
    format!("note {id}")
}

fn main() {}
