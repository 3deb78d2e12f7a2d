// A middleware takes `next: Next` last: one that takes only the request cannot pass it on, and
// the error says what the signature looks like.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall) -> Result<CallToolResult, McpError> {
    let _ = req;
    Ok(CallToolResult::success(vec![]))
}

fn main() {}
