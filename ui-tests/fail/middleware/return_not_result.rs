// A middleware returns `Result<response, McpError>`: the bare response is rejected on the
// return type.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next) -> CallToolResult {
    next.run(req)
        .await
        .unwrap_or_else(|error| CallToolResult::error(vec![Content::text(error.message)]))
}

fn main() {}
