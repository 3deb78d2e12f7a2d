// A middleware with the wrong response type that is also added to a builder: the mistake is
// reported on the return type, and `.middleware(f)` reports the function again.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next) -> Result<GetPromptResult, McpError> {
    let _ = (req, next);
    Ok(GetPromptResult::new(vec![]))
}

fn main() {
    let _ = Server::builder("x").middleware(audit);
}
