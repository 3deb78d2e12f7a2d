// A `ToolCall` middleware answers with a `CallToolResult`: returning a `GetPromptResult` is
// rejected on the return type (today as rustc's E0271, not `MiddlewareReturn`'s message).
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next) -> Result<GetPromptResult, McpError> {
    let _ = (req, next);
    Ok(GetPromptResult::new(vec![]))
}

fn main() {}
