//! `[sandbox]`: a [`Sandbox`](crate::sandbox::Sandbox) for tools that run code, and its limits.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::{BOOL, DURATION, Problem};

/// The default limits of a sandboxed run, shared by these settings and `SandboxPolicy`.
pub(crate) mod defaults {
    use std::time::Duration;

    pub(crate) const WALL_TIME: Duration = Duration::from_secs(10);
    pub(crate) const CPU_TIME: Duration = Duration::from_secs(10);
    pub(crate) const MEMORY: u64 = 512 * 1024 * 1024;
    pub(crate) const MAX_PROCESSES: u32 = 1;
    pub(crate) const MAX_OUTPUT: usize = 1024 * 1024;
    pub(crate) const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;
}

/// Running code a model wrote (`[sandbox]`, `MCP_SANDBOX__*`). With `enabled`,
/// [`ServerBuilder::settings`](crate::ServerBuilder::settings) gives the server a `Sandbox`
/// with these limits (unless one was given with `.state(…)`), so tools take
/// `sandbox: Sandbox`. Isolation features are always required from settings; opting out of
/// one is code's business (`SandboxPolicy::require_landlock(false)`…).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct SandboxSettings {
    /// Give the server a sandbox (`MCP_SANDBOX__ENABLED`, default `false`).
    pub enabled: bool,
    /// Wall-clock time of a run before its processes are killed (`MCP_SANDBOX__WALL_TIME`,
    /// default `10s`).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub wall_time: Duration,
    /// CPU time of a run, rounded up to whole seconds (`MCP_SANDBOX__CPU_TIME`, default
    /// `10s`).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub cpu_time: Duration,
    /// Address space per process, in bytes (`MCP_SANDBOX__MEMORY`, default 512 MiB).
    pub memory: u64,
    /// Processes at once; 1 allows none to be started (`MCP_SANDBOX__MAX_PROCESSES`, default
    /// 1).
    pub max_processes: u32,
    /// Bytes kept of stdout and of stderr; more stops the run (`MCP_SANDBOX__MAX_OUTPUT`,
    /// default 1 MiB).
    pub max_output: usize,
    /// The largest file a run may write, in bytes (`MCP_SANDBOX__MAX_FILE_SIZE`, default
    /// 16 MiB).
    pub max_file_size: u64,
}

impl Default for SandboxSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            wall_time: defaults::WALL_TIME,
            cpu_time: defaults::CPU_TIME,
            memory: defaults::MEMORY,
            max_processes: defaults::MAX_PROCESSES,
            max_output: defaults::MAX_OUTPUT,
            max_file_size: defaults::MAX_FILE_SIZE,
        }
    }
}

impl SandboxSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.wall_time.is_zero() {
            return Some(Problem::new(&["wall_time"], quoted("0s")));
        }
        if self.cpu_time.is_zero() {
            return Some(Problem::new(&["cpu_time"], quoted("0s")));
        }
        for (key, value) in [
            ("memory", self.memory),
            ("max_processes", u64::from(self.max_processes)),
            ("max_output", self.max_output as u64),
            ("max_file_size", self.max_file_size),
        ] {
            if value == 0 {
                return Some(Problem::new(&[key], "0"));
            }
        }
        None
    }
}

/// What the setting at `key` (inside `[sandbox]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["enabled"] => BOOL,
        ["wall_time" | "cpu_time"] => DURATION,
        ["memory" | "max_output" | "max_file_size"] => "a number of bytes, at least 1",
        ["max_processes"] => "a whole number, at least 1",
        _ => return None,
    })
}
