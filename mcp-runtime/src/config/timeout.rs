//! `[timeout]`: the limit for tools that declare none.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::{DURATION, Problem};

/// Timeouts (`[timeout]`, `MCP_TIMEOUT__*`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TimeoutSettings {
    /// The limit for a tool call when the tool declares none (`MCP_TIMEOUT__DEFAULT=30s`);
    /// no limit by default.
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub default: Option<Duration>,
}

impl TimeoutSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.default == Some(Duration::ZERO) {
            return Some(Problem::new(&["default"], quoted("0s")));
        }
        None
    }
}

/// What the setting at `key` (inside `[timeout]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["default"] => DURATION,
        _ => return None,
    })
}

#[cfg(all(test, feature = "config"))]
mod tests {
    use std::time::Duration;

    use crate::config::test_util::{config, settings_error};

    #[test]
    fn durations() {
        let settings = config(&[("MCP_TIMEOUT__DEFAULT", "250ms"), ("MCP_CACHE__TTL", "2m")])
            .settings()
            .unwrap();
        assert_eq!(settings.timeout.default, Some(Duration::from_millis(250)));
        assert_eq!(settings.cache.ttl, Duration::from_secs(120));
        let error = settings_error(&[("MCP_TIMEOUT__DEFAULT", "soon")]);
        assert!(
            error
                .to_string()
                .starts_with("MCP_TIMEOUT__DEFAULT=soon: expected a duration"),
            "{error}"
        );
        let error = settings_error(&[("MCP_CACHE__TTL", "0s")]);
        assert_eq!(error.env_var(), Some("MCP_CACHE__TTL"));
    }
}
