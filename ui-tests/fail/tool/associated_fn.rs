// `#[tool]` on an associated function (no `self`) inside an impl block: tools are free
// functions, because the macro adds an item beside the function. The macro cannot see the
// `impl`, so the errors are rustc's, about the struct and `const _` it adds there.
use mcp_runtime::prelude::*;

struct Calculator;

impl Calculator {
    /// Add two integers.
    #[tool]
    async fn add(a: i64, b: i64) -> i64 {
        a + b
    }
}

fn main() {}
