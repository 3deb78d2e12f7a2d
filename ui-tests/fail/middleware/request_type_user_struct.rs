// A user type cannot be a middleware's request type, even one that looks like a request:
// the error is on the type and lists the request types.
use mcp_runtime::prelude::*;

struct MyRequest {
    name: String,
}

#[middleware]
async fn audit(req: MyRequest, next: Next) -> Result<CallToolResult, McpError> {
    let _ = (req.name, next);
    Ok(CallToolResult::success(vec![]))
}

fn main() {}
