//! `[files]`: the directory tools may touch through a [`FileRoot`](crate::files::FileRoot).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{BOOL, Problem};

/// Where [`FileRoot`](crate::files::FileRoot) tools work (`[files]`, `MCP_FILES__*`). With
/// `root` set, [`ServerBuilder::settings`](crate::ServerBuilder::settings) gives the server a
/// `FileRoot` there (unless one was given with `.state(…)`), so tools take `root: FileRoot`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct FilesSettings {
    /// The directory (`MCP_FILES__ROOT`); none by default. It must exist.
    pub root: Option<PathBuf>,
    /// Refuse writes, removals and new directories (`MCP_FILES__READ_ONLY`, default `false`).
    pub read_only: bool,
    /// The largest file read or written, in bytes (`MCP_FILES__MAX_FILE_SIZE`, default
    /// 10 MiB).
    pub max_file_size: u64,
}

impl Default for FilesSettings {
    fn default() -> Self {
        Self {
            root: None,
            read_only: false,
            max_file_size: 10 * 1024 * 1024,
        }
    }
}

impl FilesSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.max_file_size == 0 {
            return Some(Problem::new(&["max_file_size"], "0"));
        }
        if let Some(root) = &self.root
            && root.as_os_str().is_empty()
        {
            return Some(Problem::new(&["root"], "\"\""));
        }
        None
    }
}

/// What the setting at `key` (inside `[files]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["root"] => "a directory that exists",
        ["read_only"] => BOOL,
        ["max_file_size"] => "a number of bytes, at least 1",
        _ => return None,
    })
}
