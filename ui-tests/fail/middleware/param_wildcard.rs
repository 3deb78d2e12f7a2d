// `_` as a middleware parameter is rejected today, on the pattern: write `_req` for an unused
// request. (Middleware parameters are named nowhere, so accepting `_` would be fine too.)
use mcp_runtime::prelude::*;

#[middleware]
async fn refuse(_: ToolCall, _next: Next) -> Result<CallToolResult, McpError> {
    Ok(CallToolResult::error(vec![Content::text("refused")]))
}

fn main() {}
