// `next: Next` goes last, after the injected parameters: here `Next` is in the middle (not
// injectable) and `Ctx` is last (not `Next`); each is reported on its type.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next, ctx: Ctx) -> Result<CallToolResult, McpError> {
    let _ = ctx;
    next.run(req).await
}

fn main() {}
