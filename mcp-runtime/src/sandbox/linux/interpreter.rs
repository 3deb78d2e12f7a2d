//! Where the program lives: the real executable, and the directories it needs to read.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::sandbox::SandboxError;

/// The program to exec, and the directories it reads (its installation).
#[derive(Debug)]
pub(super) struct Interpreter {
    /// The canonical path of the executable.
    pub(super) exe: PathBuf,
    /// Its installation: read-only in the sandbox.
    pub(super) read_only: Vec<PathBuf>,
}

/// What Python says of itself: its executable (not a shim's path), its prefix and, in a
/// virtual environment, the base installation's.
const PYTHON_PROBE: &str =
    "import sys; print(sys.executable); print(sys.prefix); print(sys.base_prefix)";

/// Resolves `program` (a name on `PATH`, or a path), once per program.
pub(super) async fn resolve(program: &OsStr) -> Result<Arc<Interpreter>, SandboxError> {
    static RESOLVED: Mutex<Option<HashMap<OsString, Arc<Interpreter>>>> = Mutex::new(None);
    if let Some(found) = RESOLVED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get_or_insert_with(HashMap::new)
        .get(program)
    {
        return Ok(Arc::clone(found));
    }
    let interpreter = Arc::new(find(program).await?);
    RESOLVED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(program.to_owned(), Arc::clone(&interpreter));
    Ok(interpreter)
}

async fn find(program: &OsStr) -> Result<Interpreter, SandboxError> {
    let failed = |reason: String| SandboxError::Interpreter {
        program: program.to_string_lossy().into_owned(),
        reason,
    };
    let path = if program.as_bytes().contains(&b'/') {
        PathBuf::from(program)
    } else {
        on_path(program).ok_or_else(|| failed("not found on PATH".to_owned()))?
    };
    let exe = std::fs::canonicalize(&path)
        .map_err(|error| failed(format!("{}: {error}", path.display())))?;
    let is_python = exe
        .file_name()
        .is_some_and(|name| name.as_bytes().starts_with(b"python"))
        || program.as_bytes().starts_with(b"python");
    if !is_python {
        let read_only = vec![installation(&exe)];
        return Ok(Interpreter { exe, read_only });
    }
    // Ask Python (outside the sandbox: it is the server's own interpreter, running a fixed
    // line), so that a pyenv shim or a virtual environment resolves to the real thing.
    let probe = tokio::process::Command::new(&path)
        .args(["-I", "-c", PYTHON_PROBE])
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(30), probe)
        .await
        .map_err(|_| failed("it did not say where it lives within 30s".to_owned()))?
        .map_err(|error| failed(error.to_string()))?;
    if !output.status.success() {
        return Err(failed(format!(
            "asking it where it lives failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
    let (Some(executable), Some(prefix), Some(base)) = (lines.next(), lines.next(), lines.next())
    else {
        return Err(failed(format!("it said {text:?} of where it lives")));
    };
    let exe = std::fs::canonicalize(executable)
        .map_err(|error| failed(format!("{executable}: {error}")))?;
    let mut read_only = vec![installation(&exe)];
    for dir in [prefix, base] {
        let dir = std::fs::canonicalize(dir).map_err(|error| failed(format!("{dir}: {error}")))?;
        if dir.parent().is_none() {
            return Err(failed(
                "its installation is the whole filesystem (`/`)".to_owned(),
            ));
        }
        if !read_only.contains(&dir) {
            read_only.push(dir);
        }
    }
    Ok(Interpreter { exe, read_only })
}

/// The first executable file named `program` in the server's `PATH`.
fn on_path(program: &OsStr) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|candidate| {
            candidate.metadata().is_ok_and(|metadata| {
                metadata.is_file() && metadata.permissions().mode() & 0o111 != 0
            })
        })
}

/// The installation an executable belongs to: `/opt/node` for `/opt/node/bin/node`, else
/// its directory (never `/`: `/bin/sh` gives `/bin`).
fn installation(exe: &Path) -> PathBuf {
    let dir = exe.parent().unwrap_or(Path::new("/"));
    match (dir.file_name(), dir.parent()) {
        (Some(name), Some(prefix))
            if (name == "bin" || name == "sbin") && prefix != Path::new("/") =>
        {
            prefix.to_owned()
        }
        _ => dir.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_installation_is_the_prefix_above_bin() {
        assert_eq!(
            installation(Path::new("/opt/py/bin/python3")),
            Path::new("/opt/py")
        );
        assert_eq!(installation(Path::new("/srv/tool")), Path::new("/srv"));
        assert_eq!(installation(Path::new("/bin/sh")), Path::new("/bin"));
    }
}
