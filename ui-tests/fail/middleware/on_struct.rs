// `#[middleware]` goes on an `async fn`; a struct that is middleware implements `Middleware`.
use mcp_runtime::prelude::*;

#[middleware]
struct Audit {
    verbose: bool,
}

fn main() {}
