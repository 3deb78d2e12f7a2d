// Keys alone are not enough: the URI comes first, as a positional string, before the keys.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource(mime_type = "text/markdown")]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
