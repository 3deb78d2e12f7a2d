// A middleware must be an `async fn`: a plain `fn` is rejected on the `fn` keyword.
use mcp_runtime::prelude::*;

#[middleware]
fn audit(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    let _ = (req, next);
    Ok(CallToolResult::success(vec![]))
}

fn main() {}
