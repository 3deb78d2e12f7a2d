// The first parameter must be a request type (`ToolCall`, `ResourceRead`, …, or `Request`):
// `String` is rejected on the type, with the list of request types.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(name: String, next: Next) -> Result<CallToolResult, McpError> {
    let _ = (name, next);
    Ok(CallToolResult::success(vec![]))
}

fn main() {}
