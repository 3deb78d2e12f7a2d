use mcp_runtime::prelude::*;

/// Writes notes.
#[tool(scopes = ["notes:write admin"])]
async fn write_note(text: String) -> String {
    text
}

fn main() {}
