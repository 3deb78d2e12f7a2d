//! [`SandboxOutput`]: how a run ended and what it printed.

use std::borrow::Cow;
use std::time::Duration;

use super::{Limit, SandboxError};

/// How the program ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitStatus {
    /// It exited with this code.
    Code(i32),
    /// A signal ended it (9, `SIGKILL`, when the sandbox or the kernel killed it).
    Signal(i32),
}

impl ExitStatus {
    /// Whether it exited with code 0.
    pub fn success(self) -> bool {
        self == ExitStatus::Code(0)
    }

    /// The exit code, if it exited.
    pub fn code(self) -> Option<i32> {
        match self {
            ExitStatus::Code(code) => Some(code),
            ExitStatus::Signal(_) => None,
        }
    }

    /// The signal that ended it, if one did.
    pub fn signal(self) -> Option<i32> {
        match self {
            ExitStatus::Code(_) => None,
            ExitStatus::Signal(signal) => Some(signal),
        }
    }
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExitStatus::Code(code) => write!(f, "exit code {code}"),
            ExitStatus::Signal(signal) => write!(f, "signal {signal}"),
        }
    }
}

/// What a [`Sandbox`](super::Sandbox) run gives back: how it ended, stdout and stderr (each
/// cut at [`SandboxPolicy::max_output`](super::SandboxPolicy::max_output)), the time it took,
/// and the limit that stopped it, if one did.
///
/// A program that fails on its own (a syntax error, an exception) is an output too, with a
/// non-zero [`status`](Self::status): the model reads its stderr. [`check`](Self::check)
/// turns a run stopped by a limit into an error naming it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxOutput {
    /// How the program ended.
    pub status: ExitStatus,
    /// What it wrote to stdout (at most the output cap).
    pub stdout: Vec<u8>,
    /// What it wrote to stderr (at most the output cap).
    pub stderr: Vec<u8>,
    /// From the start to the end of the whole process tree.
    pub wall_time: Duration,
    /// The CPU time it used (user and system, its waited-for children included), where the
    /// executor can tell.
    pub cpu_time: Option<Duration>,
    /// Its peak resident memory in bytes, where the executor can tell.
    pub peak_memory: Option<u64>,
    /// The limit that stopped it, if one did. Wall time and output are known (the sandbox
    /// killed the run), CPU time nearly so (the kernel's `SIGKILL` at the limit); memory,
    /// file size and processes are refused to the program with an error it may handle, so
    /// they are read from the end of its stderr when it failed (`MemoryError`, `File too
    /// large`, `Resource temporarily unavailable`…): a program could fake or hide them.
    pub limit: Option<Limit>,
    /// The value of that limit, in words, filled in by [`Sandbox::run`](super::Sandbox::run).
    pub(super) allowed: Option<String>,
}

impl SandboxOutput {
    /// An output, for an [`Executor`](super::Executor) to return.
    pub fn new(status: ExitStatus, stdout: Vec<u8>, stderr: Vec<u8>, wall_time: Duration) -> Self {
        Self {
            status,
            stdout,
            stderr,
            wall_time,
            cpu_time: None,
            peak_memory: None,
            limit: None,
            allowed: None,
        }
    }

    /// Says which limit stopped the run.
    pub fn stopped_by(mut self, limit: Limit) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Whether it exited with code 0 and no limit stopped it.
    pub fn success(&self) -> bool {
        self.status.success() && self.limit.is_none()
    }

    /// stdout as text (invalid UTF-8 replaced).
    pub fn stdout_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stdout)
    }

    /// stderr as text (invalid UTF-8 replaced).
    pub fn stderr_text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stderr)
    }

    /// The output, or [`SandboxError::Limit`] naming the limit that stopped the run (which a
    /// tool's `?` turns into a message the model reads). A program that failed on its own is
    /// still `Ok`: look at [`status`](Self::status).
    pub fn check(self) -> Result<Self, SandboxError> {
        match self.limit {
            Some(limit) => Err(SandboxError::Limit {
                limit,
                allowed: self.allowed,
            }),
            None => Ok(self),
        }
    }
}

/// The limit that most likely made a program fail on its own, read from the end of its stderr:
/// an allocation refused at the memory limit, a write refused at the file size limit, a
/// process refused at the process limit. The kernel refuses these with an error the program
/// sees (`ENOMEM`, `EFBIG`, `EAGAIN`), not a signal, so its message is all there is to go by.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(super) fn limit_from_stderr(stderr: &[u8]) -> Option<Limit> {
    const TAIL: usize = 4096;
    let tail = String::from_utf8_lossy(&stderr[stderr.len().saturating_sub(TAIL)..]);
    const MEMORY: &[&str] = &[
        "MemoryError",
        "Cannot allocate memory",
        "out of memory",
        "bad_alloc",
        "memory allocation of",
    ];
    if MEMORY.iter().any(|marker| tail.contains(marker)) {
        return Some(Limit::Memory);
    }
    if tail.contains("File too large") {
        return Some(Limit::FileSize);
    }
    // EAGAIN from fork (RLIMIT_NPROC, or the filter when no process may start).
    if tail.contains("Resource temporarily unavailable") {
        return Some(Limit::Processes);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_names_the_limit_its_message_points_at() {
        let python =
            b"Traceback (most recent call last):\n  File \"<string>\", line 1\nMemoryError\n";
        assert_eq!(limit_from_stderr(python), Some(Limit::Memory));
        let fork = b"BlockingIOError: [Errno 11] Resource temporarily unavailable\n";
        assert_eq!(limit_from_stderr(fork), Some(Limit::Processes));
        let write = b"OSError: [Errno 27] File too large\n";
        assert_eq!(limit_from_stderr(write), Some(Limit::FileSize));
        assert_eq!(
            limit_from_stderr(b"NameError: name 'x' is not defined"),
            None
        );
    }

    #[test]
    fn check_turns_a_limit_into_an_error() {
        let output = SandboxOutput::new(
            ExitStatus::Signal(9),
            Vec::new(),
            Vec::new(),
            Duration::ZERO,
        )
        .stopped_by(Limit::WallTime);
        assert!(!output.success());
        assert_eq!(output.check().unwrap_err().limit(), Some(Limit::WallTime));
        let fine = SandboxOutput::new(ExitStatus::Code(1), Vec::new(), Vec::new(), Duration::ZERO);
        assert!(fine.check().is_ok());
    }
}
