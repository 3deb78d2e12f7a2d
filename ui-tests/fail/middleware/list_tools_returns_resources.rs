// A list middleware answers with its own list: `ListTools` returning `Vec<Resource>` is
// rejected on the return type.
use mcp_runtime::middleware::ListTools;
use mcp_runtime::prelude::*;
use mcp_runtime::rmcp::model::Resource;

#[middleware]
async fn audit(req: ListTools, next: Next) -> Result<Vec<Resource>, McpError> {
    let _ = (req, next);
    Ok(vec![])
}

fn main() {}
