// The same tool listed twice through two different paths.
use mcp_runtime::prelude::*;

mod math {
    use mcp_runtime::prelude::*;

    /// Add two integers.
    #[tool]
    pub async fn add(a: i64, b: i64) -> i64 {
        a + b
    }
}

use math::add;

fn main() {
    let _ = tools![add, math::add];
}
