// `pub` and `pub(crate)` tools in modules are listed from outside by path.
use mcp_runtime::prelude::*;

mod math {
    use mcp_runtime::prelude::*;

    /// Add two integers.
    #[tool]
    pub async fn add(a: i64, b: i64) -> i64 {
        a + b
    }

    pub mod nested {
        use mcp_runtime::prelude::*;

        /// Multiply two integers.
        #[tool]
        pub(crate) async fn mul(a: i64, b: i64) -> i64 {
            a * b
        }
    }
}

mod text {
    use mcp_runtime::prelude::*;

    /// Echo the text back.
    #[tool]
    pub(crate) async fn echo(text: String) -> String {
        text
    }
}

use math::nested;

fn main() {
    let set = tools![math::add, crate::text::echo, nested::mul];
    let _ = set;
}
