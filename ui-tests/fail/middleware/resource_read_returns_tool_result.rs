// A `ResourceRead` middleware answers with a `ReadResourceResult`: returning a
// `CallToolResult` is rejected on the return type.
use mcp_runtime::middleware::ResourceRead;
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ResourceRead, next: Next) -> Result<CallToolResult, McpError> {
    let _ = (req, next);
    Ok(CallToolResult::success(vec![]))
}

fn main() {}
