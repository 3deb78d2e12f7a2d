// A tool private to its module cannot be listed from outside: make it `pub` or `pub(crate)`.
use mcp_runtime::prelude::*;

mod math {
    use mcp_runtime::prelude::*;

    /// Add two integers.
    #[tool]
    async fn add(a: i64, b: i64) -> i64 {
        a + b
    }
}

fn main() {
    let _ = tools![math::add];
}
