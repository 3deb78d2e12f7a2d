// A resource returns text, bytes, `ResourceContents` or a `Serialize` value: a struct that is
// not `Serialize` is none of these.
use mcp_runtime::prelude::*;

struct Note {
    title: String,
}

/// One note.
#[resource("notes://first")]
async fn first() -> Note {
    Note {
        title: "First".to_owned(),
    }
}

fn main() {}
