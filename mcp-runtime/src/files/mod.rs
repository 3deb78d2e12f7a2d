//! Files a model names, confined to one directory: [`FileRoot`].
//!
//! A tool that reads or writes a path its caller chose must not be talked into
//! `../../home/user/.ssh/id_ed25519`. A [`FileRoot`] holds a handle to one directory and
//! resolves every path beneath it (with [cap-std](https://docs.rs/cap-std): `openat2` with
//! `RESOLVE_BENEATH` on Linux), so `..`, absolute paths, drive and UNC prefixes, NUL bytes and
//! symlinks pointing out are all refused with [`FileError::Escape`] before anything is read or
//! written, including a symlink swapped in between a check and the use.
//!
//! Put the root on the builder with [`.state(…)`](crate::ServerBuilder::state); a tool takes it
//! as a parameter (`FileRoot` or `State<FileRoot>`), and `?` turns a refusal into a message the
//! model reads:
//!
//! ```
//! use mcp_runtime::files::FileRoot;
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::testing::TestClient;
//!
//! /// Read a note.
//! #[tool]
//! async fn read_note(root: FileRoot, path: String) -> Result<String, ToolError> {
//!     Ok(root.read_to_string(&path).await?)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = std::env::temp_dir().join(format!("files-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let root = FileRoot::open(&dir)?.max_file_size(1024 * 1024);
//! root.write("hello.md", "# Hello").await?;
//! assert_eq!(root.read_to_string("hello.md").await?, "# Hello");
//! assert!(root.read("../etc/passwd").await.unwrap_err().is_escape());
//!
//! let server = Server::builder("notes")
//!     .state(root)
//!     .tools(tools![read_note])
//!     .build()?;
//! let client = TestClient::new(server).await;
//! let result = client.call_tool("read_note", serde_json::json!({"path": "/etc/passwd"})).await?;
//! assert!(result.is_error());
//! assert!(result.text().contains("outside the directory"));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```
//!
//! # Resources: `{+path}` as a [`RelativePath`]
//!
//! A resource template serves files with a `{+path}` variable (reserved expansion, so the value
//! may hold `/`). Give that variable the type [`RelativePath`]: the value is checked as
//! `FileRoot` checks a path (not empty, no `..` segment, not absolute, no drive or UNC prefix,
//! no NUL byte) before the function runs, and a refused one is the read's `-32602`
//! invalid-params error naming the variable and the reason. `?` on a [`FileError`] in a
//! resource works as in a tool: a refusal (escape, not found, too large, read-only) is a
//! `-32603` error whose message the client reads, any other I/O failure an internal error
//! (logged, masked by default).
//!
//! ```
//! use mcp_runtime::files::{FileRoot, RelativePath};
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::testing::TestClient;
//!
//! /// A file of the shared directory.
//! #[resource("files://{+path}")]
//! async fn file(root: FileRoot, path: RelativePath) -> Result<String, ResourceError> {
//!     Ok(root.read_to_string(&path).await?)
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let dir = std::env::temp_dir().join(format!("files-doc-resource-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir)?;
//! let root = FileRoot::open(&dir)?;
//! root.create_dir_all("docs").await?;
//! root.write("docs/readme.md", "# Read me").await?;
//!
//! let server = Server::builder("files")
//!     .state(root)
//!     .resources(resources![file])
//!     .build()?;
//! let client = TestClient::new(server).await;
//! assert_eq!(client.read_text("files://docs/readme.md").await?, "# Read me");
//!
//! // `..` (also percent-encoded) never reaches the function: a `-32602` naming the reason.
//! let refused = client.read_text("files://docs/..%2F..%2Fetc/passwd").await.unwrap_err();
//! assert_eq!(refused.code(), Some(-32602));
//! assert!(refused.message().unwrap().contains("`..` segment"), "{refused}");
//! // A file that is not there: an error the client reads, naming the path it gave.
//! let missing = client.read_text("files://docs/gone.md").await.unwrap_err();
//! assert!(missing.message().unwrap().contains("\"docs/gone.md\" does not exist"));
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok(())
//! # }
//! ```

mod path;
mod root;

pub use crate::error::files::FileError;
pub use path::RelativePath;
pub use root::{DEFAULT_MAX_FILE_SIZE, DirEntry, FileMetadata, FileRoot};

use crate::RequestCx;
use crate::ToolError;
use crate::extract::{FromRequestCx, Requirements};

/// A tool parameter `root: FileRoot` is the root given to the builder with `.state(root)`
/// (the same as `State<FileRoot>`, without the wrapper).
impl FromRequestCx for FileRoot {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        crate::State::<FileRoot>::from_request_cx(cx).map(|state| FileRoot::clone(&state))
    }

    fn requirements(requirements: &mut Requirements) {
        requirements.state::<FileRoot>();
    }
}
