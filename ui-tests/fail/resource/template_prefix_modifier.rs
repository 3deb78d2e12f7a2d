// The level 4 prefix modifier `{a:n}` is not supported either.
use mcp_runtime::prelude::*;

/// Notes by the first letters of their id.
#[resource("notes://{id:3}")]
async fn note(id: String) -> String {
    id
}

fn main() {}
