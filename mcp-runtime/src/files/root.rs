//! [`FileRoot`]: a directory handle, and the file operations beneath it.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use cap_std::ambient_authority;
use cap_std::fs::{Dir, DirBuilder, OpenOptions};

use super::FileError;
use super::path::{check, is_root};

/// The default cap on a file read or written: 10 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// A directory that tools may read and write files in, and nothing outside it.
///
/// Every path is relative to the root. `..`, absolute paths, drive and UNC prefixes and NUL
/// bytes are refused with [`FileError::Escape`] before any system call; the rest is resolved
/// beneath the root's directory handle by [cap-std](https://docs.rs/cap-std) (`openat2` with
/// `RESOLVE_BENEATH` on Linux), so a symlink that points outside the root (absolute symlinks
/// included, even into the root), or one swapped in between a check and the use, fails in the
/// kernel with [`FileError::Escape`] too. Symlinks that stay inside the root (relative ones)
/// work.
///
/// New files are created `0600` and new directories `0700` (on Unix, before the umask);
/// reads and writes are capped at [`max_file_size`](Self::max_file_size) bytes (10 MiB by
/// default); a [`read_only`](Self::read_only) root refuses every change.
///
/// `FileRoot` is cheap to clone (the handle is shared). Put it on the builder with
/// [`.state(root)`](crate::ServerBuilder::state), and a tool takes it as a parameter: either
/// `root: FileRoot` or `root: State<FileRoot>`.
///
/// The methods are `async`: the file operations run on Tokio's blocking pool.
#[derive(Clone)]
pub struct FileRoot {
    dir: Arc<Dir>,
    options: Options,
}

#[derive(Debug, Clone, Copy)]
struct Options {
    read_only: bool,
    max_file_size: u64,
    file_mode: u32,
    dir_mode: u32,
}

impl std::fmt::Debug for FileRoot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileRoot")
            .field("read_only", &self.options.read_only)
            .field("max_file_size", &self.options.max_file_size)
            .finish_non_exhaustive()
    }
}

/// One entry of a directory, from [`FileRoot::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirEntry {
    /// The entry's name (not its path), lossily converted to UTF-8.
    pub name: String,
    /// Whether it is a directory (a symlink is not: it is listed as itself).
    pub is_dir: bool,
    /// Its size in bytes (0 for a directory).
    pub size: u64,
}

/// What [`FileRoot::metadata`] tells about a path.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileMetadata {
    /// The size in bytes (0 for a directory).
    pub size: u64,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// When it was last modified, where the platform says.
    pub modified: Option<SystemTime>,
}

impl FileRoot {
    /// Opens `dir` as the root. The directory must exist. Not async: call it at startup.
    pub fn open(dir: impl AsRef<Path>) -> Result<FileRoot, FileError> {
        let dir = dir.as_ref();
        let handle = Dir::open_ambient_dir(dir, ambient_authority()).map_err(|source| {
            FileError::OpenRoot {
                dir: dir.to_owned(),
                source,
            }
        })?;
        Ok(FileRoot {
            dir: Arc::new(handle),
            options: Options {
                read_only: false,
                max_file_size: DEFAULT_MAX_FILE_SIZE,
                file_mode: 0o600,
                dir_mode: 0o700,
            },
        })
    }

    /// The root the `[files]` settings describe (`root`, `read_only`, `max_file_size`); `None`
    /// when they set no `root`. [`ServerBuilder::settings`](crate::ServerBuilder::settings)
    /// gives the server this root as state.
    pub fn from_settings(
        settings: &crate::config::FilesSettings,
    ) -> Result<Option<FileRoot>, FileError> {
        let Some(dir) = &settings.root else {
            return Ok(None);
        };
        Ok(Some(
            FileRoot::open(dir)?
                .read_only(settings.read_only)
                .max_file_size(settings.max_file_size),
        ))
    }

    /// Makes the root read-only (or not): `write`, `remove` and `create_dir_all` then fail
    /// with [`FileError::ReadOnly`] before touching anything.
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.options.read_only = read_only;
        self
    }

    /// Caps the size of a file read or written, in bytes ([`DEFAULT_MAX_FILE_SIZE`] unless
    /// set). Over it, [`FileError::TooLarge`].
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.options.max_file_size = bytes;
        self
    }

    /// The permission bits of new files (`0o600` unless set; Unix only, the umask applies).
    pub fn file_mode(mut self, mode: u32) -> Self {
        self.options.file_mode = mode;
        self
    }

    /// The permission bits of new directories (`0o700` unless set; Unix only, the umask
    /// applies).
    pub fn dir_mode(mut self, mode: u32) -> Self {
        self.options.dir_mode = mode;
        self
    }

    /// Whether the root refuses changes.
    pub fn is_read_only(&self) -> bool {
        self.options.read_only
    }

    /// The size cap on reads and writes, in bytes.
    pub fn size_limit(&self) -> u64 {
        self.options.max_file_size
    }

    /// Reads a whole file.
    pub async fn read(&self, path: &str) -> Result<Vec<u8>, FileError> {
        self.run(path, false, |root, path| root.read_blocking(path))
            .await
    }

    /// Reads a whole file as UTF-8 text.
    pub async fn read_to_string(&self, path: &str) -> Result<String, FileError> {
        let bytes = self.read(path).await?;
        String::from_utf8(bytes).map_err(|_| FileError::NotAFile {
            path: path.to_owned(),
            problem: "is not UTF-8 text",
        })
    }

    /// Writes a whole file, creating it (`0600`) or replacing its contents. Its directory must
    /// exist ([`create_dir_all`](Self::create_dir_all)).
    pub async fn write(&self, path: &str, contents: impl AsRef<[u8]>) -> Result<(), FileError> {
        self.precheck(path, true)?;
        let len = u64::try_from(contents.as_ref().len()).unwrap_or(u64::MAX);
        if len > self.options.max_file_size {
            return Err(FileError::TooLarge {
                path: path.to_owned(),
                limit: self.options.max_file_size,
            });
        }
        let contents = contents.as_ref().to_vec();
        self.spawn(path, move |root, path| root.write_blocking(path, &contents))
            .await
    }

    /// Creates a directory and any missing parents (`0700`).
    pub async fn create_dir_all(&self, path: &str) -> Result<(), FileError> {
        self.run(path, true, |root, path| {
            let mut builder = DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use cap_std::fs::DirBuilderExt;
                builder.mode(root.options.dir_mode);
            }
            root.dir
                .create_dir_with(path, &builder)
                .map_err(|error| FileError::from_io(path, error))
        })
        .await
    }

    /// Lists a directory (`""` or `"."` for the root), sorted by name.
    pub async fn list(&self, path: &str) -> Result<Vec<DirEntry>, FileError> {
        self.run(path, false, |root, path| root.list_blocking(path))
            .await
    }

    /// The size, kind and modification time of a file or directory.
    pub async fn metadata(&self, path: &str) -> Result<FileMetadata, FileError> {
        self.run(path, false, |root, path| {
            let metadata = if is_root(path) {
                root.dir.dir_metadata()
            } else {
                root.dir.metadata(path)
            }
            .map_err(|error| FileError::from_io(path, error))?;
            Ok(FileMetadata {
                size: if metadata.is_dir() { 0 } else { metadata.len() },
                is_dir: metadata.is_dir(),
                modified: metadata.modified().ok().map(|time| time.into_std()),
            })
        })
        .await
    }

    /// Removes a file, a symlink (not what it points to) or an empty directory.
    pub async fn remove(&self, path: &str) -> Result<(), FileError> {
        self.run(path, true, |root, path| {
            if is_root(path) {
                return Err(FileError::NotAFile {
                    path: path.to_owned(),
                    problem: "is the root itself, which cannot be removed",
                });
            }
            let metadata = root
                .dir
                .symlink_metadata(path)
                .map_err(|error| FileError::from_io(path, error))?;
            if metadata.is_dir() {
                root.dir.remove_dir(path)
            } else {
                root.dir.remove_file(path)
            }
            .map_err(|error| FileError::from_io(path, error))
        })
        .await
    }

    /// [`precheck`](Self::precheck), then [`spawn`](Self::spawn).
    async fn run<T: Send + 'static>(
        &self,
        path: &str,
        changes: bool,
        op: impl FnOnce(&FileRoot, &str) -> Result<T, FileError> + Send + 'static,
    ) -> Result<T, FileError> {
        self.precheck(path, changes)?;
        self.spawn(path, op).await
    }

    /// Refuses an escape on the face of `path`, then a change to a read-only root.
    fn precheck(&self, path: &str, changes: bool) -> Result<(), FileError> {
        check(path)?;
        if changes && self.options.read_only {
            return Err(FileError::ReadOnly {
                path: path.to_owned(),
            });
        }
        Ok(())
    }

    /// Runs `op` on Tokio's blocking pool.
    async fn spawn<T: Send + 'static>(
        &self,
        path: &str,
        op: impl FnOnce(&FileRoot, &str) -> Result<T, FileError> + Send + 'static,
    ) -> Result<T, FileError> {
        let root = self.clone();
        let owned = path.to_owned();
        tokio::task::spawn_blocking(move || op(&root, &owned))
            .await
            .map_err(|join| FileError::Io {
                path: path.to_owned(),
                source: std::io::Error::other(join.to_string()),
            })?
    }

    fn read_blocking(&self, path: &str) -> Result<Vec<u8>, FileError> {
        let io = |error| FileError::from_io(path, error);
        let mut options = OpenOptions::new();
        options.read(true);
        nonblocking(&mut options);
        let file = self.dir.open_with(path, &options).map_err(io)?;
        let metadata = file.metadata().map_err(io)?;
        regular_file(path, &metadata)?;
        let limit = self.options.max_file_size;
        let too_large = || FileError::TooLarge {
            path: path.to_owned(),
            limit,
        };
        if metadata.len() > limit {
            return Err(too_large());
        }
        // The file may grow between the `stat` and the read: read at most one byte past the cap.
        let mut contents = Vec::new();
        file.take(limit.saturating_add(1))
            .read_to_end(&mut contents)
            .map_err(io)?;
        if u64::try_from(contents.len()).unwrap_or(u64::MAX) > limit {
            return Err(too_large());
        }
        Ok(contents)
    }

    fn write_blocking(&self, path: &str, contents: &[u8]) -> Result<(), FileError> {
        let io = |error| FileError::from_io(path, error);
        if is_root(path) {
            return Err(FileError::NotAFile {
                path: path.to_owned(),
                problem: "is a directory",
            });
        }
        let mut options = OpenOptions::new();
        options.write(true).create(true);
        nonblocking(&mut options);
        #[cfg(unix)]
        {
            use cap_std::fs::OpenOptionsExt;
            options.mode(self.options.file_mode);
        }
        let mut file = self.dir.open_with(path, &options).map_err(io)?;
        let metadata = file.metadata().map_err(io)?;
        regular_file(path, &metadata)?;
        // Truncate only once the path is known to be a regular file beneath the root.
        file.set_len(0).map_err(io)?;
        file.write_all(contents).map_err(io)?;
        file.flush().map_err(io)
    }

    fn list_blocking(&self, path: &str) -> Result<Vec<DirEntry>, FileError> {
        let io = |error| FileError::from_io(path, error);
        let entries = if is_root(path) {
            self.dir.entries()
        } else {
            self.dir.read_dir(path)
        }
        .map_err(io)?;
        let mut listed = Vec::new();
        for entry in entries {
            let entry = entry.map_err(io)?;
            let metadata = entry.metadata().map_err(io)?;
            listed.push(DirEntry {
                name: entry.file_name().to_string_lossy().into_owned(),
                is_dir: metadata.is_dir(),
                size: if metadata.is_dir() { 0 } else { metadata.len() },
            });
        }
        listed.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(listed)
    }
}

/// Opening a FIFO would block until a writer came: open without blocking (a no-op for
/// regular files), and refuse anything that is not a regular file after.
fn nonblocking(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use cap_std::fs::OpenOptionsExt;
        // `O_NONBLOCK` fits an `i32` on every Unix (its bits are small constants).
        let flags = i32::try_from(rustix::fs::OFlags::NONBLOCK.bits()).unwrap_or(0);
        options.custom_flags(flags);
    }
    #[cfg(not(unix))]
    let _ = options;
}

fn regular_file(path: &str, metadata: &cap_std::fs::Metadata) -> Result<(), FileError> {
    if metadata.is_file() {
        return Ok(());
    }
    Err(FileError::NotAFile {
        path: path.to_owned(),
        problem: if metadata.is_dir() {
            "is a directory, not a file"
        } else {
            "is not a regular file"
        },
    })
}
