// The URI is a string literal, not a path to a constant: the macro reads it at compile time.
use mcp_runtime::prelude::*;

const INDEX: &str = "notes://index";

/// The index of all notes.
#[resource(INDEX)]
async fn index() -> String {
    let _ = INDEX;
    "# Notes".to_owned()
}

fn main() {}
