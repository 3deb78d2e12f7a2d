// Between the request and `next` come injected parameters (`State<T>`, `Server`, any
// `FromRequestCx` type): a plain struct is rejected on its type.
use mcp_runtime::prelude::*;

struct Config {
    verbose: bool,
}

#[middleware]
async fn audit(req: ToolCall, config: Config, next: Next) -> Result<CallToolResult, McpError> {
    let _ = config.verbose;
    next.run(req).await
}

fn main() {}
