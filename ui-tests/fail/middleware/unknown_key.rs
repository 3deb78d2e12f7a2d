// `#[middleware]` has one key, `crate`: another is rejected on the key.
use mcp_runtime::prelude::*;

#[middleware(name = "audit")]
async fn audit(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    next.run(req).await
}

fn main() {}
