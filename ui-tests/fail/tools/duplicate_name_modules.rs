// Functions with the same name in two modules have the same tool name.
use mcp_runtime::prelude::*;

mod v1 {
    use mcp_runtime::prelude::*;

    /// Version one.
    #[tool]
    pub async fn version() -> i64 {
        1
    }
}

mod v2 {
    use mcp_runtime::prelude::*;

    /// Version two.
    #[tool]
    pub async fn version() -> i64 {
        2
    }
}

fn main() {
    let _ = tools![v1::version, v2::version];
}
