// Several mistakes in one resource are all reported in one compile: an unknown key, a MIME
// type that is not one, a priority out of range, and a function that is not `async`.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource(
    "notes://index",
    mime_type = "markdown",
    titel = "Index",
    annotations(priority = 2.0)
)]
fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
