// In `Result<T, E>`, `E` must convert into `ToolError`; a plain struct that is not a
// `std::error::Error` does not.
use mcp_runtime::prelude::*;

struct Oops;

/// Always fails.
#[tool]
async fn fail() -> Result<i64, Oops> {
    Err(Oops)
}

fn main() {}
