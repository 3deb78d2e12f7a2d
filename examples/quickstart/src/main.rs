//! The smallest useful MCP server: two tools, served over stdio.
//!
//! ```text
//! cargo run -p quickstart -- call add '{"a": 2, "b": 3}'   # one call, in memory
//! cargo run -p quickstart -- inspect                       # the tools and their schemas
//! cargo run -p quickstart                                  # serve over stdio (for MCP clients)
//! ```
#![forbid(unsafe_code)]

use mcp_runtime::prelude::*;

/// Add two integers.
#[tool(annotations(read_only, idempotent, open_world = false))]
async fn add(
    /// Left operand
    a: i64,
    /// Right operand
    b: i64,
) -> Result<i64, ToolError> {
    a.checked_add(b)
        .ok_or_else(|| ToolError::new(format!("{a} + {b} overflows a 64-bit integer")))
}

/// Echo the text back, unchanged.
#[tool(annotations(read_only, idempotent, open_world = false))]
async fn echo(
    /// The text to send back
    text: String,
) -> String {
    text
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    // Before anything can print: `println!` goes to stderr, stdout stays the protocol's.
    mcp_runtime::logging::protect_stdout()?;
    Server::builder("quickstart")
        .version(env!("CARGO_PKG_VERSION"))
        // Defaults, `mcp.toml`, `.env` and `MCP_*` variables; installs the default middleware.
        .settings(mcp_runtime::Settings::load()?)
        .instructions(
            "Arithmetic and echo: call `add` to sum two integers, `echo` to get text back.",
        )
        .tools(tools![add, echo])
        .build()?
        .run()
        .await
}
