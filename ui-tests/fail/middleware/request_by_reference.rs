// A middleware owns its request (it passes it on to `next`): `&ToolCall` is rejected on the
// referenced type.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: &ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    let _ = (req, next);
    Ok(CallToolResult::success(vec![]))
}

fn main() {}
