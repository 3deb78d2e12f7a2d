// A middleware's error type is `McpError` (a JSON-RPC error): `ToolError` is rejected on the
// return type.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next) -> Result<CallToolResult, ToolError> {
    next.run(req)
        .await
        .map_err(|error| ToolError::new(error.message))
}

fn main() {}
