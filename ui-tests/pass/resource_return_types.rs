// Every supported resource return type compiles: text (`String`, `&'static str`), bytes
// (`Vec<u8>`), contents (`ResourceContents` and a `Vec` of them), any `Serialize` value (JSON
// text), and `Result`s of them with `ResourceError` or any error converting into it.
use mcp_runtime::prelude::*;

#[derive(serde::Serialize)]
struct Note {
    id: u64,
    title: String,
}

/// Owned text.
#[resource("notes://string")]
async fn string() -> String {
    "text".to_owned()
}

/// Static text.
#[resource("notes://static-str")]
async fn static_str() -> &'static str {
    "text"
}

/// Bytes, as a blob.
#[resource("notes://bytes", mime_type = "application/octet-stream")]
async fn bytes() -> Vec<u8> {
    vec![0, 1, 2]
}

/// One contents block built by hand.
#[resource("notes://contents")]
async fn contents() -> ResourceContents {
    ResourceContents::text("text", "notes://contents")
}

/// Several contents blocks.
#[resource("notes://contents-list")]
async fn contents_list() -> Vec<ResourceContents> {
    vec![
        ResourceContents::text("a", "notes://contents-list"),
        ResourceContents::text("b", "notes://contents-list"),
    ]
}

/// A serializable value, as JSON text.
#[resource("notes://json")]
async fn json() -> Note {
    Note {
        id: 1,
        title: "First".to_owned(),
    }
}

/// A list of serializable values.
#[resource("notes://json-list")]
async fn json_list() -> Vec<Note> {
    Vec::new()
}

/// Text or a resource error.
#[resource("notes://{id}")]
async fn with_resource_error(id: u64) -> Result<String, ResourceError> {
    match id {
        1 => Ok("first".to_owned()),
        _ => Err(ResourceError::not_found(format!("notes://{id}"))),
    }
}

/// Text or an I/O error.
#[resource("file:///etc/hostname")]
async fn with_io_error() -> Result<String, std::io::Error> {
    std::fs::read_to_string("/etc/hostname")
}

/// Bytes through the `io::Result` alias.
#[resource("file:///etc/motd")]
async fn io_result_alias() -> std::io::Result<Vec<u8>> {
    std::fs::read("/etc/motd")
}

/// A serializable value or an error.
#[resource("notes://json/{id}")]
async fn json_or_error(id: u64) -> Result<Note, ResourceError> {
    Ok(Note {
        id,
        title: "Any".to_owned(),
    })
}

fn main() {
    let set: ResourceSet = resources![
        string,
        static_str,
        bytes,
        contents,
        contents_list,
        json,
        json_list,
        with_resource_error,
        with_io_error,
        io_result_alias,
        json_or_error,
    ];
    let _ = set.uris().count();
}
