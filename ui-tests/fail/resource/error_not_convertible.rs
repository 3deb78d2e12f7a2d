// In `Result<T, E>`, `E` must convert into `ResourceError`; a struct that is not a
// `std::error::Error` does not.
use mcp_runtime::prelude::*;

struct Missing;

/// One note, by id.
#[resource("notes://{id}")]
async fn note(id: u64) -> Result<String, Missing> {
    if id == 1 {
        Ok("note".to_owned())
    } else {
        Err(Missing)
    }
}

fn main() {}
