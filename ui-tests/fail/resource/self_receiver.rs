// A resource is a free function: a method taking `&self` is rejected, with only that error.
use mcp_runtime::prelude::*;

struct Notes;

impl Notes {
    /// The index of all notes.
    #[resource("notes://index")]
    async fn index(&self) -> String {
        "# Notes".to_owned()
    }
}

fn main() {}
