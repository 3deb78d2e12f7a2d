// `.middleware(x)` takes middleware (an `async fn` or a `Middleware` value): an integer is
// rejected on the argument, saying what to pass.
use mcp_runtime::prelude::*;

fn main() {
    let _ = Server::builder("x").middleware(42);
}
