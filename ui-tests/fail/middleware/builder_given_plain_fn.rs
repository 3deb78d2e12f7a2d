// `.middleware(f)` with a function that is not middleware (not `async`, no request, no
// `next`) is rejected on the argument.
use mcp_runtime::prelude::*;

fn double(x: i32) -> i32 {
    x * 2
}

fn main() {
    let _ = Server::builder("x").middleware(double);
}
