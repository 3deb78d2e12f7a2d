// A middleware names its return type: `impl Trait` is rejected on the trait.
use mcp_runtime::prelude::*;

#[middleware]
async fn audit(req: ToolCall, next: Next) -> impl Send {
    next.run(req).await
}

fn main() {}
