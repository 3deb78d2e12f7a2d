// A tool cannot be generic over a type: its schemas are generated from concrete types.
use mcp_runtime::prelude::*;

/// Echo the value back.
#[tool]
async fn echo<T: serde::Serialize>(value: T) -> T {
    value
}

fn main() {}
