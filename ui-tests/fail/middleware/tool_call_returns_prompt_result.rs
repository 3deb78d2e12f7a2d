// A `ToolCall` middleware answers with a `CallToolResult`: returning a `GetPromptResult` is
// rejected on the return type, with a note listing each request type's response.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next) -> Result<GetPromptResult, McpError> {
    let _ = (req, next);
    Ok(GetPromptResult::new(vec![]))
}

fn main() {}
