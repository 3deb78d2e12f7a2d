//! `[tasks]`: how long tasks are kept and how many may run (the tasks extension, see
//! [`crate::tasks`]).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{DURATION, Problem};

/// How long a task and its result are kept by default (and how long its run may take).
const DEFAULT_TTL: Duration = Duration::from_secs(600);
/// How often a client is told to poll by default.
const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Tasks running at once for one caller, by default.
const DEFAULT_MAX_PER_CLIENT: usize = 16;
/// Tasks running at once in all, by default.
const DEFAULT_MAX_RUNNING: usize = 256;

/// Tasks (`[tasks]`, `MCP_TASKS__*`): their time to live, the polling interval clients are
/// told, and how many may run at once.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TaskSettings {
    /// How long a task and its result are kept, and how long its run may take unless the
    /// tool has its own timeout (`MCP_TASKS__TTL`, default 10 minutes).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub ttl: Duration,
    /// How often clients are told to poll `tasks/get` (`MCP_TASKS__POLL_INTERVAL`, default
    /// 1 second).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub poll_interval: Duration,
    /// Tasks running at once for one caller, by token subject (`MCP_TASKS__MAX_PER_CLIENT`,
    /// default 16).
    pub max_per_client: usize,
    /// Tasks running at once in all (`MCP_TASKS__MAX_RUNNING`, default 256).
    pub max_running: usize,
}

impl Default for TaskSettings {
    fn default() -> Self {
        Self {
            ttl: DEFAULT_TTL,
            poll_interval: DEFAULT_POLL_INTERVAL,
            max_per_client: DEFAULT_MAX_PER_CLIENT,
            max_running: DEFAULT_MAX_RUNNING,
        }
    }
}

impl TaskSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.ttl.is_zero() {
            return Some(Problem::new(&["ttl"], "\"0s\""));
        }
        if self.poll_interval.is_zero() {
            return Some(Problem::new(&["poll_interval"], "\"0s\""));
        }
        if self.max_per_client == 0 {
            return Some(Problem::new(&["max_per_client"], "0"));
        }
        if self.max_running == 0 {
            return Some(Problem::new(&["max_running"], "0"));
        }
        None
    }
}

/// What the setting at `key` (inside `[tasks]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["ttl"] | ["poll_interval"] => DURATION,
        ["max_per_client"] | ["max_running"] => "a whole number, at least 1",
        _ => return None,
    })
}
