//! The servers the benchmarks compare: `add` written with this runtime, and the same tool
//! written directly against rmcp's macros.

use mcp_runtime::rmcp;
use mcp_runtime::tool;

/// Add two integers.
#[tool]
pub async fn add(
    /// Left operand
    a: i64,
    /// Right operand
    b: i64,
) -> i64 {
    a + b
}

/// The same tool, written directly against rmcp's macros.
pub mod hand {
    use rmcp::handler::server::router::tool::ToolRouter;
    use rmcp::handler::server::wrapper::{Json, Parameters};
    use rmcp::{ServerHandler, tool, tool_handler, tool_router};
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::rmcp;

    /// The arguments of `add`.
    #[derive(Deserialize, JsonSchema)]
    pub struct AddArgs {
        /// Left operand
        pub a: i64,
        /// Right operand
        pub b: i64,
    }

    /// The result of `add`, shaped like the runtime's wrapped scalar: `{"result": …}`.
    #[derive(Serialize, JsonSchema)]
    pub struct AddOutput {
        /// The sum.
        pub result: i64,
    }

    /// A server whose router is built once and stored, rmcp's fast form.
    #[derive(Clone)]
    pub struct HandServer {
        tool_router: ToolRouter<Self>,
    }

    #[tool_router]
    impl HandServer {
        /// Builds the server and its router.
        pub fn new() -> Self {
            Self {
                tool_router: Self::tool_router(),
            }
        }

        /// Add two integers.
        #[tool]
        async fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> Json<AddOutput> {
            Json(AddOutput { result: a + b })
        }
    }

    #[tool_handler(router = self.tool_router)]
    impl ServerHandler for HandServer {}
}
