//! `[stdio]`: the bounds of the stdio (and byte-stream) transport.

use serde::{Deserialize, Serialize};

use super::Problem;
use crate::StdioLimits;

/// The stdio transport's bounds (`[stdio]`, `MCP_STDIO__*`): what one client can make the
/// server hold in memory.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct StdioSettings {
    /// The longest message line, in bytes (`MCP_STDIO__MAX_LINE`, default 16 MiB); a longer
    /// one is discarded and answered with `-32600`.
    pub max_line: usize,
    /// Requests in flight at once (`MCP_STDIO__MAX_IN_FLIGHT`, default 64); past it no more
    /// input is read until one is answered.
    pub max_in_flight: usize,
    /// Bytes of answers the client has not read yet (`MCP_STDIO__MAX_UNWRITTEN`, default
    /// 8 MiB); past it no more input is read until they drain.
    pub max_unwritten: usize,
}

impl Default for StdioSettings {
    fn default() -> Self {
        let limits = StdioLimits::default();
        Self {
            max_line: limits.max_line,
            max_in_flight: limits.max_in_flight,
            max_unwritten: limits.max_unwritten,
        }
    }
}

impl StdioSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        for (key, value) in [
            ("max_line", self.max_line),
            ("max_in_flight", self.max_in_flight),
            ("max_unwritten", self.max_unwritten),
        ] {
            if value == 0 {
                return Some(Problem::new(&[key], "0"));
            }
        }
        None
    }

    /// The limits these settings describe.
    pub fn limits(&self) -> StdioLimits {
        StdioLimits::default()
            .max_line(self.max_line)
            .max_in_flight(self.max_in_flight)
            .max_unwritten(self.max_unwritten)
    }
}

/// What the setting at `key` (inside `[stdio]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["max_line" | "max_unwritten"] => "a number of bytes, at least 1",
        ["max_in_flight"] => "a number, at least 1",
        _ => return None,
    })
}
