// A middleware written with `#[middleware]` is a free function: a method taking `&self` is
// rejected on the receiver (implement `Middleware` for the type instead). Only our error is
// emitted.
use mcp_runtime::prelude::*;

struct Audit;

impl Audit {
    #[middleware]
    async fn audit(&self, req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
        next.run(req).await
    }
}

fn main() {}
