// `read_only` and `destructive` contradict each other.
use mcp_runtime::prelude::*;

/// Delete everything, or maybe not.
#[tool(annotations(read_only, destructive))]
async fn purge() -> String {
    "done".to_owned()
}

fn main() {}
