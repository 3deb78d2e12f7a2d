// A middleware's future must be `Send` (the server runs requests on any thread): holding an
// `Rc` across an `.await` passes `#[middleware]`'s checks today, and `.middleware(f)` rejects
// the function.
use std::rc::Rc;

use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next) -> Result<CallToolResult, McpError> {
    let name = Rc::new(req.name.clone());
    let result = next.run(req).await;
    let _ = name;
    result
}

fn main() {
    let _ = Server::builder("x").middleware(audit);
}
