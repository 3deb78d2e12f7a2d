// A middleware takes at most four injected parameters between the request and `next`: the
// fifth is reported on its name, and `.middleware(f)` also rejects the function.
use mcp_runtime::prelude::*;

struct A;
struct B;
struct C;
struct D;
struct E;

#[middleware]
async fn audit(
    req: ToolCall,
    a: State<A>,
    b: State<B>,
    c: State<C>,
    d: State<D>,
    e: State<E>,
    next: Next,
) -> Result<CallToolResult, McpError> {
    let _ = (a, b, c, d, e);
    next.run(req).await
}

fn main() {
    let _ = Server::builder("x").middleware(audit);
}
