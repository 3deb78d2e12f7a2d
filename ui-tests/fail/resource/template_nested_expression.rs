// Expressions cannot nest: `{a{b}}`.
use mcp_runtime::prelude::*;

/// One note.
#[resource("notes://{a{b}}")]
async fn note(a: String, b: String) -> String {
    a + &b
}

fn main() {}
