// A middleware without parameters has neither a request nor `next`: the error, on the empty
// parentheses, shows the signature to write.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit() -> Result<CallToolResult, McpError> {
    Ok(CallToolResult::success(vec![]))
}

fn main() {}
