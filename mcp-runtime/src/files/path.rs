//! The string checks made before any system call, so the common escapes get a precise reason.
//! They are a first line only: cap-std resolves every path beneath the root's handle, which is
//! what actually stops `..` and symlinks out.

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
    fn the_root_is_recognised_in_its_spellings() {
        assert!(is_root(""));
        assert!(is_root("."));
        assert!(is_root("./"));
        assert!(is_root("./."));
        assert!(!is_root("a"));
        assert!(!is_root("./a"));
    }
}
