//! [`SandboxPolicy`]: the limits of a run and the isolation it requires.

use std::path::PathBuf;
use std::time::Duration;

use super::Limit;
use crate::config::sandbox::defaults;

/// What a [`Sandbox`](super::Sandbox) allows the code it runs: limits, extra read-only paths
/// and environment, and which isolation features must be present.
///
/// The defaults suit a snippet a model wrote: 10 s of wall time, 10 s of CPU, 512 MiB of
/// address space, no child processes, 1 MiB of output per stream, 16 MiB per file written, 256
/// open files, and every isolation feature required.
///
/// ```
/// use std::time::Duration;
/// use mcp_runtime::sandbox::SandboxPolicy;
///
/// let policy = SandboxPolicy::new()
///     .wall_time(Duration::from_secs(5))
///     .cpu_time(Duration::from_secs(2))
///     .memory(256 * 1024 * 1024)
///     .max_output(64 * 1024);
/// assert_eq!(policy.max_processes, 1);
/// ```
///
/// # Isolation that is required
///
/// On Linux, a run always asks for its own user, network, PID, IPC and UTS namespaces, a
/// Landlock ruleset and a seccomp filter. When the kernel lacks one, `run` fails with
/// [`SandboxError::Unsupported`](super::SandboxError::Unsupported) naming it, unless the
/// policy opts out ([`require_landlock(false)`](Self::require_landlock),
/// [`require_seccomp(false)`](Self::require_seccomp),
/// [`require_namespaces(false)`](Self::require_namespaces),
/// [`require_process_limit(false)`](Self::require_process_limit)); a run that goes without a
/// feature logs a warning each time.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SandboxPolicy {
    /// Wall-clock time before the whole process tree is killed ([`Limit::WallTime`]).
    pub wall_time: Duration,
    /// CPU time (`RLIMIT_CPU`, rounded up to whole seconds) before the kernel kills the
    /// program ([`Limit::CpuTime`]).
    pub cpu_time: Duration,
    /// Address space in bytes (`RLIMIT_AS`) per process ([`Limit::Memory`]).
    pub memory: u64,
    /// Processes at once, the first one included; `1` (the default) forbids starting any
    /// ([`Limit::Processes`]). Above 1 it is `RLIMIT_NPROC` in the run's own user namespace,
    /// where threads count too; the kernel does not apply that limit to root, so a server
    /// running as root can only have `1` unless it opts out with
    /// [`require_process_limit(false)`](Self::require_process_limit).
    pub max_processes: u32,
    /// Bytes kept of stdout, and of stderr; more stops the run ([`Limit::Output`]).
    pub max_output: usize,
    /// The largest file the program may write, in bytes (`RLIMIT_FSIZE`,
    /// [`Limit::FileSize`]).
    pub max_file_size: u64,
    /// Open files per process (`RLIMIT_NOFILE`).
    pub max_open_files: u64,
    /// Paths the program may read (and execute) besides the interpreter's installation and
    /// the system's libraries.
    pub read_only_paths: Vec<PathBuf>,
    /// Environment variables besides `PATH`, `HOME`, `TMPDIR`, `LANG` and Python's.
    pub env: Vec<(String, String)>,
    /// Refuse to run without Landlock (default `true`).
    pub require_landlock: bool,
    /// Refuse to run without a seccomp filter (default `true`).
    pub require_seccomp: bool,
    /// Refuse to run without user, network and PID namespaces (default `true`).
    pub require_namespaces: bool,
    /// Refuse to run when [`max_processes`](Self::max_processes) cannot be enforced (default
    /// `true`).
    pub require_process_limit: bool,
}

impl Default for SandboxPolicy {
    fn default() -> Self {
        Self {
            wall_time: defaults::WALL_TIME,
            cpu_time: defaults::CPU_TIME,
            memory: defaults::MEMORY,
            max_processes: defaults::MAX_PROCESSES,
            max_output: defaults::MAX_OUTPUT,
            max_file_size: defaults::MAX_FILE_SIZE,
            max_open_files: 256,
            read_only_paths: Vec::new(),
            env: Vec::new(),
            require_landlock: true,
            require_seccomp: true,
            require_namespaces: true,
            require_process_limit: true,
        }
    }
}

impl SandboxPolicy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// The policy the `[sandbox]` settings describe (its limits; isolation stays required).
    pub fn from_settings(settings: &crate::config::SandboxSettings) -> Self {
        Self::default()
            .wall_time(settings.wall_time)
            .cpu_time(settings.cpu_time)
            .memory(settings.memory)
            .max_processes(settings.max_processes)
            .max_output(settings.max_output)
            .max_file_size(settings.max_file_size)
    }

    /// Sets the wall-clock limit.
    pub fn wall_time(mut self, limit: Duration) -> Self {
        self.wall_time = limit;
        self
    }

    /// Sets the CPU time limit (whole seconds, rounded up; at least one).
    pub fn cpu_time(mut self, limit: Duration) -> Self {
        self.cpu_time = limit;
        self
    }

    /// Sets the address space limit, in bytes.
    pub fn memory(mut self, bytes: u64) -> Self {
        self.memory = bytes;
        self
    }

    /// Sets how many processes may run at once (at least 1: the program itself).
    pub fn max_processes(mut self, processes: u32) -> Self {
        self.max_processes = processes.max(1);
        self
    }

    /// Sets the bytes kept of stdout and of stderr.
    pub fn max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes;
        self
    }

    /// Sets the largest file the program may write, in bytes.
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// Sets how many files a process may have open.
    pub fn max_open_files(mut self, files: u64) -> Self {
        self.max_open_files = files;
        self
    }

    /// Lets the program read (and execute) the files beneath `path`.
    pub fn read_only_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.read_only_paths.push(path.into());
        self
    }

    /// Sets an environment variable for the program.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((name.into(), value.into()));
        self
    }

    /// Whether to refuse to run without Landlock. `false` runs without it (with a warning)
    /// where the kernel lacks it: the program can then read and write whatever the server's
    /// user can.
    pub fn require_landlock(mut self, require: bool) -> Self {
        self.require_landlock = require;
        self
    }

    /// Whether to refuse to run without a seccomp filter. `false` runs without it (with a
    /// warning) where the kernel lacks it.
    pub fn require_seccomp(mut self, require: bool) -> Self {
        self.require_seccomp = require;
        self
    }

    /// Whether to refuse to run without user, network and PID namespaces. `false` runs
    /// without them (with a warning) where they cannot be created: the program then has the
    /// network, and only its process group is killed at the end.
    pub fn require_namespaces(mut self, require: bool) -> Self {
        self.require_namespaces = require;
        self
    }

    /// Whether to refuse to run when [`max_processes`](Self::max_processes) above 1 cannot be
    /// enforced (the server runs as root, or without namespaces). `false` runs without the
    /// limit (with a warning); the wall-time limit still kills every process of the run.
    pub fn require_process_limit(mut self, require: bool) -> Self {
        self.require_process_limit = require;
        self
    }

    /// The value of `limit` in this policy, in words (`2s`, `64 MiB`).
    pub fn describe(&self, limit: Limit) -> String {
        match limit {
            Limit::WallTime => crate::error::format_duration(self.wall_time),
            Limit::CpuTime => format!("{}s", cpu_seconds(self.cpu_time)),
            Limit::Memory => bytes(self.memory),
            Limit::Output => format!("{} per stream", bytes(self.max_output as u64)),
            Limit::FileSize => bytes(self.max_file_size),
            Limit::Processes => format!("{} at once", self.max_processes),
        }
    }
}

/// `RLIMIT_CPU`'s whole seconds for a limit: rounded up, at least one.
pub(super) fn cpu_seconds(limit: Duration) -> u64 {
    let seconds = limit.as_secs() + u64::from(limit.subsec_nanos() > 0);
    seconds.max(1)
}

/// `512 MiB`, `64 KiB`, `100 bytes`.
fn bytes(value: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if value >= size && value.is_multiple_of(size) {
            return format!("{} {unit}", value / size);
        }
    }
    format!("{value} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_described_in_words() {
        let policy = SandboxPolicy::new()
            .cpu_time(Duration::from_millis(1500))
            .memory(64 << 20);
        assert_eq!(policy.describe(Limit::CpuTime), "2s");
        assert_eq!(policy.describe(Limit::Memory), "64 MiB");
        assert_eq!(policy.describe(Limit::WallTime), "10s");
        assert_eq!(policy.describe(Limit::Output), "1 MiB per stream");
        assert_eq!(bytes(1000), "1000 bytes");
        assert_eq!(cpu_seconds(Duration::ZERO), 1);
    }
}
