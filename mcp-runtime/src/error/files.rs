//! [`FileError`]: why a file a model named could not be used. It lives here, beside
//! [`ToolError`](super::ToolError), which turns its refusals into messages the caller sees;
//! its public path is `files::FileError`.

use std::io;
use std::path::PathBuf;

/// Why a [`FileRoot`](crate::files::FileRoot) operation failed.
///
/// The messages are written for the model that named the path: they say what to change and
/// never show where the root lives on the host (only [`FileError::OpenRoot`], which comes from
/// [`FileRoot::open`](crate::files::FileRoot::open) and never from a path a model named, does).
///
/// A tool may use `?` on it: [`Escape`](FileError::Escape), [`NotFound`](FileError::NotFound),
/// [`TooLarge`](FileError::TooLarge), [`ReadOnly`](FileError::ReadOnly) and
/// [`NotAFile`](FileError::NotAFile) become messages the caller sees; the rest are internal
/// errors (logged, masked by default).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The path leads outside the root: `..`, an absolute path, a drive or UNC prefix, a NUL
    /// byte, or a symlink pointing out. Refused before anything is read or written.
    #[error(
        "{path:?} is outside the directory this server may use: it {reason}; name a path relative to that directory, such as `notes/today.md`"
    )]
    Escape {
        /// The path as the caller gave it.
        path: String,
        /// What is wrong with it ("contains a `..` segment", …).
        reason: &'static str,
    },
    /// Nothing exists at the path.
    #[error("{path:?} does not exist")]
    NotFound {
        /// The path as the caller gave it.
        path: String,
    },
    /// The file, or the data to write, is over the size cap.
    #[error("{path:?} is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The path as the caller gave it.
        path: String,
        /// The cap, in bytes ([`FileRoot::max_file_size`](crate::files::FileRoot::max_file_size)).
        limit: u64,
    },
    /// The root is read-only: writing, removing and creating directories are refused.
    #[error("{path:?} cannot be changed: the files are read-only")]
    ReadOnly {
        /// The path as the caller gave it.
        path: String,
    },
    /// The path names a directory (or a device, a pipe…) where a regular file is needed, a
    /// file where a directory is needed, or a directory that is not empty to remove.
    #[error("{path:?} {problem}")]
    NotAFile {
        /// The path as the caller gave it.
        path: String,
        /// What it is instead ("is a directory", …).
        problem: &'static str,
    },
    /// The root directory could not be opened (from [`FileRoot::open`](crate::files::FileRoot::open)).
    #[error("the file root {} cannot be opened: {source}", dir.display())]
    OpenRoot {
        /// The directory given to `open`.
        dir: PathBuf,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
    /// Any other I/O failure.
    #[error("{path:?}: {source}")]
    Io {
        /// The path as the caller gave it.
        path: String,
        /// The operating system's error (it names no host path).
        #[source]
        source: io::Error,
    },
}

impl FileError {
    /// Whether the path was refused for leading outside the root.
    pub fn is_escape(&self) -> bool {
        matches!(self, Self::Escape { .. })
    }

    /// Whether nothing exists at the path.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    /// Whether the caller (a model) can act on the message: everything but I/O failures and
    /// the root failing to open.
    pub(crate) fn is_for_caller(&self) -> bool {
        !matches!(self, Self::Io { .. } | Self::OpenRoot { .. })
    }

    /// Classifies an I/O error from cap-std for `path`.
    pub(crate) fn from_io(path: &str, source: io::Error) -> Self {
        let path = path.to_owned();
        if source.kind() == io::ErrorKind::NotFound {
            return Self::NotFound { path };
        }
        let problem = match source.kind() {
            io::ErrorKind::IsADirectory => Some("is a directory, not a file"),
            io::ErrorKind::NotADirectory => Some("goes through a file as if it were a directory"),
            io::ErrorKind::DirectoryNotEmpty => Some("is a directory that is not empty"),
            _ => None,
        };
        if let Some(problem) = problem {
            return Self::NotAFile { path, problem };
        }
        if is_escape_attempt(&source) {
            return Self::Escape {
                path,
                reason: "leads out of it (through a symlink or `..`)",
            };
        }
        Self::Io { path, source }
    }
}

/// cap-std reports a path leading outside its directory (a `..` or symlink out, `EXDEV` from
/// `openat2(RESOLVE_BENEATH)`) as `PermissionDenied` with this message, and only that.
fn is_escape_attempt(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::PermissionDenied
        && error
            .get_ref()
            .is_some_and(|inner| inner.to_string() == "a path led outside of the filesystem")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_std_escapes_and_plain_denials_are_told_apart() {
        let escape = io::Error::new(
            io::ErrorKind::PermissionDenied,
            "a path led outside of the filesystem",
        );
        assert!(FileError::from_io("link", escape).is_escape());
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(matches!(
            FileError::from_io("x", denied),
            FileError::Io { .. }
        ));
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert!(FileError::from_io("x", missing).is_not_found());
    }
}
