// The full path a server takes: tools and state into the builder, `build()`.
use mcp_runtime::prelude::*;

struct Greeting(String);

/// Add two integers.
#[tool(annotations(read_only, idempotent, open_world = false))]
async fn add(
    /// Left operand
    a: i64,
    /// Right operand
    b: i64,
) -> Result<i64, ToolError> {
    a.checked_add(b)
        .ok_or_else(|| ToolError::new("the sum overflows"))
}

/// Greet someone.
#[tool]
async fn greet(greeting: State<Greeting>, name: String) -> String {
    format!("{}, {name}!", greeting.0)
}

fn main() {
    let server: Result<Server, mcp_runtime::Error> = Server::builder("x")
        .state(Greeting("Hello".to_owned()))
        .tools(tools![add, greet])
        .build();
    let _ = server;
}
