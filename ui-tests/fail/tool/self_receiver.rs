// A tool is a free function: a method taking `self` (here `&self` in an impl block) is
// rejected on the receiver; shared data goes in `State<T>` instead. Only our error is emitted:
// no marker struct or `const _` inside the `impl` for rustc to reject as well.
use mcp_runtime::prelude::*;

struct Calculator;

impl Calculator {
    /// Add two integers.
    #[tool]
    async fn add(&self, a: i64, b: i64) -> i64 {
        a + b
    }
}

fn main() {}
