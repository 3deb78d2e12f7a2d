// In `Result<T, E>`, `E` must convert into `PromptError`; a struct that is not a
// `std::error::Error` does not.
use mcp_runtime::prelude::*;

struct Oops;

/// Always fails.
#[prompt]
async fn broken() -> Result<String, Oops> {
    Err(Oops)
}

fn main() {}
