// A resource cannot be generic.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://{id}")]
async fn note<T: std::str::FromStr>(id: T) -> String {
    let _ = id;
    "note".to_owned()
}

fn main() {}
