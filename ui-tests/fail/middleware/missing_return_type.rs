// A middleware returns the response of its request type: a missing return type is reported
// once, on the function's name, with the type to write.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next) {
    let _ = next.run(req).await;
}

fn main() {}
