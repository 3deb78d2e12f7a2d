// Parameter names starting with `__mcp` belong to generated code.
use mcp_runtime::prelude::*;

/// Echo the text back.
#[tool]
async fn echo(__mcp_text: String) -> String {
    __mcp_text
}

fn main() {}
