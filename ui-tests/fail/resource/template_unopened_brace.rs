// A `}` without a matching `{` is not a template expression.
use mcp_runtime::prelude::*;

/// One note, by id.
#[resource("notes://id}")]
async fn note() -> String {
    "note".to_owned()
}

fn main() {}
