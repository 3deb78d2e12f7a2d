//! `[cache]`: the result cache.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::{BOOL, DURATION, Problem};

/// The result cache (`[cache]`, `MCP_CACHE__*`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CacheSettings {
    /// Whether results are cached (`MCP_CACHE__ENABLED`, default `false`).
    pub enabled: bool,
    /// How long an entry lives (`MCP_CACHE__TTL`, default `60s`).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub ttl: Duration,
    /// The most entries kept (`MCP_CACHE__MAX_ENTRIES`, default 1000).
    pub max_entries: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            ttl: Duration::from_secs(60),
            max_entries: 1000,
        }
    }
}

impl CacheSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.ttl.is_zero() {
            return Some(Problem::new(&["ttl"], quoted("0s")));
        }
        if self.max_entries == 0 {
            return Some(Problem::new(&["max_entries"], "0"));
        }
        None
    }
}

/// What the setting at `key` (inside `[cache]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["enabled"] => BOOL,
        ["ttl"] => DURATION,
        ["max_entries"] => "a whole number, at least 1",
        _ => return None,
    })
}
