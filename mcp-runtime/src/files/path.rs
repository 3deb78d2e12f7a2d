//! The string checks made before any system call, so the common escapes get a precise reason.
//! They are a first line only: cap-std resolves every path beneath the root's handle, which is
//! what actually stops `..` and symlinks out. [`RelativePath`] is a string that passed them.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use super::FileError;

/// Refuses a path that names something outside the root on its face: a NUL byte, a `..`
/// segment, an absolute path, a Windows drive (`C:`) or UNC (`\\server\share`) prefix.
pub(crate) fn check(path: &str) -> Result<(), FileError> {
    match problem(path) {
        None => Ok(()),
        Some(reason) => Err(FileError::Escape {
            path: path.to_owned(),
            reason,
        }),
    }
}

fn problem(path: &str) -> Option<&'static str> {
    if path.contains('\0') {
        return Some("contains a NUL byte");
    }
    if path.starts_with("\\\\") || path.starts_with("//") {
        return Some("is a UNC path (`\\\\server\\share`)");
    }
    let bytes = path.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Some("starts with a drive (`C:`)");
    }
    if path.starts_with(['/', '\\']) {
        return Some("is an absolute path");
    }
    // Backslashes count as separators too: on Windows they are, and a `..\x` that means
    // nothing on Unix is still a model trying to climb out.
    if path.split(['/', '\\']).any(|segment| segment == "..") {
        return Some("contains a `..` segment");
    }
    None
}

/// What [`RelativePath`] adds to [`check`]: a path must name something.
const EMPTY: &str = "is empty, which names no file: give a path relative to the directory, such as `notes/today.md`";

/// A path relative to a [`FileRoot`](super::FileRoot), checked on its face: not empty, no NUL
/// byte, no `..` segment, not absolute, no drive (`C:`) or UNC (`\\server\share`) prefix.
///
/// These are the checks every [`FileRoot`](super::FileRoot) method makes before any system
/// call (the same function), so a `RelativePath` is never refused for its spelling there; what
/// it names is still resolved beneath the root's handle, where a symlink out is refused too.
///
/// Parse one with [`RelativePath::new`] or [`str::parse`]; a refusal is a [`FileError`]
/// ([`Escape`](FileError::Escape), or [`NotAFile`](FileError::NotAFile) for an empty path).
/// As the type of a `#[resource]` template variable (`{+path}`), a refused value is the read's
/// `-32602` invalid-params error naming the variable and the reason. It derefs to `str`, so
/// `root.read(&path)` takes it as it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelativePath(String);

impl RelativePath {
    /// Checks `path`: see the [type's docs](Self).
    pub fn new(path: impl Into<String>) -> Result<Self, FileError> {
        let path = path.into();
        if path.is_empty() {
            return Err(FileError::NotAFile {
                path,
                problem: EMPTY,
            });
        }
        check(&path)?;
        Ok(Self(path))
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path, as an owned `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl FromStr for RelativePath {
    type Err = FileError;

    fn from_str(path: &str) -> Result<Self, FileError> {
        Self::new(path)
    }
}

impl Deref for RelativePath {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for RelativePath {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RelativePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<RelativePath> for String {
    fn from(path: RelativePath) -> String {
        path.0
    }
}

/// Whether the path names the root itself (`""`, `"."`, `"./"`).
pub(crate) fn is_root(path: &str) -> bool {
    path.split(['/', '\\'])
        .all(|segment| segment.is_empty() || segment == ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_escape_has_its_own_reason() {
        assert_eq!(problem("a\0b"), Some("contains a NUL byte"));
        assert_eq!(problem("../x"), Some("contains a `..` segment"));
        assert_eq!(problem("a/../../x"), Some("contains a `..` segment"));
        assert_eq!(problem("a\\..\\x"), Some("contains a `..` segment"));
        assert_eq!(problem("/etc/passwd"), Some("is an absolute path"));
        assert_eq!(problem("\\x"), Some("is an absolute path"));
        assert_eq!(problem("C:\\x"), Some("starts with a drive (`C:`)"));
        assert_eq!(problem("c:x"), Some("starts with a drive (`C:`)"));
        assert_eq!(
            problem("\\\\server\\share"),
            Some("is a UNC path (`\\\\server\\share`)")
        );
        assert_eq!(
            problem("//server/share"),
            Some("is a UNC path (`\\\\server\\share`)")
        );
    }

    #[test]
    fn ordinary_relative_paths_pass() {
        for path in ["a", "a/b.txt", "a/b..c/d", "..hidden", "./a", "a/./b", ""] {
            assert_eq!(problem(path), None, "{path}");
        }
    }

    #[test]
    fn a_relative_path_refuses_what_the_root_refuses_and_the_empty_path() {
        for path in [
            "a\0b",
            "../x",
            "a/../../x",
            "/etc/passwd",
            "C:\\x",
            "//server/share",
        ] {
            let refused = RelativePath::new(path).unwrap_err();
            assert!(refused.is_escape(), "{path}: {refused}");
            assert_eq!(check(path).unwrap_err().to_string(), refused.to_string());
        }
        let empty = "".parse::<RelativePath>().unwrap_err();
        assert!(empty.to_string().contains("is empty"), "{empty}");
        for path in ["a", "a/b.txt", "a/b..c/d", "..hidden", "./a", "."] {
            let parsed: RelativePath = path.parse().unwrap();
            assert_eq!(&*parsed, path);
            assert_eq!(check(&parsed).ok(), Some(()));
        }
    }

    #[test]
    fn the_root_is_recognised_in_its_spellings() {
        assert!(is_root(""));
        assert!(is_root("."));
        assert!(is_root("./"));
        assert!(is_root("./."));
        assert!(!is_root("a"));
        assert!(!is_root("./a"));
    }
}
