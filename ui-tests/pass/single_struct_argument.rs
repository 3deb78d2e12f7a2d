// A tool whose one argument is a struct takes the arguments object itself; the struct may
// carry `#[schemars(…)]` validation.
use mcp_runtime::prelude::*;

/// A note to create.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct NewNote {
    /// The title
    #[schemars(length(min = 1, max = 80))]
    title: String,
    /// The body
    body: Option<String>,
}

/// A created note.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct Note {
    id: u64,
    title: String,
}

/// Create a note.
#[tool]
async fn create(note: NewNote) -> Note {
    let _ = note.body;
    Note {
        id: 1,
        title: note.title,
    }
}

/// Create a note, with the context injected beside the object.
#[tool]
async fn create_with_ctx(ctx: Ctx, note: NewNote) -> Result<Note, ToolError> {
    let _ = ctx;
    Ok(Note {
        id: 2,
        title: note.title,
    })
}

fn main() {
    let _ = tools![create, create_with_ctx];
}
