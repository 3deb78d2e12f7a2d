//! The run's scratch directory: fresh, private, and removed after.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::sandbox::SandboxError;

/// A directory under the system's temporary directory, `0700`, holding the command's files.
#[derive(Debug)]
pub(super) struct Scratch {
    path: PathBuf,
}

impl Scratch {
    /// Creates the directory and writes `files` into it. Blocking.
    pub(super) fn create<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<Scratch, SandboxError> {
        static COUNT: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        let scratch = loop {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.subsec_nanos());
            let name = format!(
                "mcp-sandbox-{}-{}-{nanos:08x}",
                std::process::id(),
                COUNT.fetch_add(1, Ordering::Relaxed)
            );
            let path = base.join(name);
            match std::fs::DirBuilder::new().mode(0o700).create(&path) {
                Ok(()) => break Scratch { path },
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(error) => {
                    return Err(SandboxError::setup("creating the scratch directory")(error));
                }
            }
        };
        match scratch.write(files) {
            Ok(()) => Ok(scratch),
            Err(error) => {
                scratch.remove();
                Err(error)
            }
        }
    }

    fn write<'a>(
        &self,
        files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    ) -> Result<(), SandboxError> {
        for (name, contents) in files {
            let relative = checked(name)?;
            let path = self.path.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::DirBuilder::new()
                    .mode(0o700)
                    .recursive(true)
                    .create(parent)
                    .map_err(SandboxError::setup("creating a directory for a file"))?;
            }
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut file| file.write_all(contents))
                .map_err(|error| match error.kind() {
                    std::io::ErrorKind::AlreadyExists => SandboxError::InvalidFile {
                        name: name.to_owned(),
                        reason: "is given twice",
                    },
                    _ => SandboxError::setup("writing a file into the scratch directory")(error),
                })?;
        }
        Ok(())
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the directory and everything the program left in it, even what it made
    /// unreadable. Blocking.
    pub(super) fn remove(self) {
        if std::fs::remove_dir_all(&self.path).is_ok() {
            return;
        }
        make_writable(&self.path);
        if let Err(error) = std::fs::remove_dir_all(&self.path) {
            tracing::warn!(
                path = %self.path.display(),
                %error,
                "could not remove a sandbox's scratch directory"
            );
        }
    }
}

/// Gives the owner back every permission on the directories beneath `dir`.
fn make_writable(dir: &Path) {
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            make_writable(&entry.path());
        }
    }
}

/// `name` as a path beneath the scratch directory, or why it is not one.
fn checked(name: &str) -> Result<&Path, SandboxError> {
    let invalid = |reason| SandboxError::InvalidFile {
        name: name.to_owned(),
        reason,
    };
    if name.contains('\0') {
        return Err(invalid("contains a NUL byte"));
    }
    let path = Path::new(name);
    let mut normal = 0;
    for component in path.components() {
        match component {
            Component::Normal(_) => normal += 1,
            Component::CurDir => {}
            Component::ParentDir => return Err(invalid("contains a `..` segment")),
            Component::RootDir | Component::Prefix(_) => return Err(invalid("is absolute")),
        }
    }
    if normal == 0 {
        return Err(invalid("names no file"));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_stay_beneath_the_scratch_directory() {
        assert!(checked("main.py").is_ok());
        assert!(checked("data/in.csv").is_ok());
        for bad in ["../x", "/etc/passwd", "", ".", "a/../../b", "a\0b"] {
            assert!(
                matches!(checked(bad), Err(SandboxError::InvalidFile { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_scratch_directory_holds_the_files_and_goes_away() {
        let scratch = Scratch::create([("a/b.txt", &b"hi"[..])]).unwrap();
        let path = scratch.path().to_owned();
        assert_eq!(std::fs::read(path.join("a/b.txt")).unwrap(), b"hi");
        std::fs::set_permissions(path.join("a"), std::fs::Permissions::from_mode(0o500)).unwrap();
        scratch.remove();
        assert!(!path.exists());
    }
}
