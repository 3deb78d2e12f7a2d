// An audience is "user" or "assistant", MCP's two roles: "model" is neither.
use mcp_runtime::prelude::*;

/// The index of all notes.
#[resource("notes://index", annotations(audience = ["user", "model"]))]
async fn index() -> String {
    "# Notes".to_owned()
}

fn main() {}
