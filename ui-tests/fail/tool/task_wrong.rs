// `task` is "optional" or "required".
use mcp_runtime::prelude::*;

/// Renders a report.
#[tool(task = "sometimes")]
async fn report() -> String {
    String::new()
}

fn main() {}
