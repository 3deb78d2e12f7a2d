// Every mistake is reported in one compile: an unknown key, a missing `async`, and a missing
// `next`.
use mcp_runtime::prelude::*;

#[middleware(nmae = "audit")]
fn audit(req: ToolCall) -> Result<CallToolResult, McpError> {
    let _ = req;
    Ok(CallToolResult::success(vec![]))
}

fn main() {}
