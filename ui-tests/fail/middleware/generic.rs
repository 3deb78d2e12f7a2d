// A middleware cannot be generic over its request type: the error is on the type parameter;
// take `Request` to see every request.
use mcp_runtime::middleware::HookRequest;
use mcp_runtime::prelude::*;

#[middleware]
async fn audit<R: HookRequest>(req: R, next: Next) -> Result<R::Response, McpError> {
    next.run(req).await
}

fn main() {}
