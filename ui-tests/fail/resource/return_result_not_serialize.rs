// Inside `Result<T, E>`, `T` must still be resource contents.
use mcp_runtime::prelude::*;

struct Note {
    title: String,
}

/// One note.
#[resource("notes://first")]
async fn first() -> Result<Note, ResourceError> {
    Ok(Note {
        title: "First".to_owned(),
    })
}

fn main() {}
