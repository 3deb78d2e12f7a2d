//! `[request_state]`: how the answers a client gave across rounds are sealed (protocol
//! 2026-07-28's `requestState`, see [`Ctx::elicit`](crate::Ctx::elicit)).

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{DURATION, Problem, Secret};

/// How long a `requestState` stays valid by default.
pub(crate) const DEFAULT_TTL: Duration = Duration::from_secs(600);
/// The largest `requestState` by default, in bytes.
pub(crate) const DEFAULT_MAX_SIZE: usize = 64 * 1024;
/// The shortest key that seals request states, in bytes (rmcp's `RequestStateCodec` minimum).
pub(crate) const MIN_KEY_LENGTH: usize = 32;

/// How `requestState` is sealed (`[request_state]`, `MCP_REQUEST_STATE__*`): the key, how long
/// a state stays valid and how large it may grow.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RequestStateSettings {
    /// The HMAC key, at least 32 bytes (`MCP_REQUEST_STATE__KEY`). By default a random key of
    /// the process, so a state opens only on the replica that sealed it: give every replica
    /// behind a load balancer the same key.
    pub key: Option<Secret<String>>,
    /// How long a state stays valid (`MCP_REQUEST_STATE__TTL`, default 10 minutes).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub ttl: Duration,
    /// The largest state, in bytes (`MCP_REQUEST_STATE__MAX_SIZE`, default 64 KiB).
    pub max_size: usize,
}

impl Default for RequestStateSettings {
    fn default() -> Self {
        Self {
            key: None,
            ttl: DEFAULT_TTL,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

impl RequestStateSettings {
    /// The first value that does not pass validation (a short key is shown redacted).
    pub(super) fn problem(&self) -> Option<Problem> {
        if let Some(key) = &self.key
            && key.expose().len() < MIN_KEY_LENGTH
        {
            return Some(
                Problem::new(
                    &["key"],
                    format!("{} ({} bytes)", super::secret::REDACTED, key.expose().len()),
                )
                .secret(),
            );
        }
        if self.ttl.is_zero() {
            return Some(Problem::new(&["ttl"], "\"0s\""));
        }
        if self.max_size < 1024 {
            return Some(Problem::new(&["max_size"], self.max_size.to_string()));
        }
        None
    }
}

/// What the setting at `key` (inside `[request_state]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["key"] => "a secret of at least 32 bytes (the same on every replica)",
        ["ttl"] => DURATION,
        ["max_size"] => "a number of bytes, at least 1024",
        _ => return None,
    })
}

#[cfg(all(test, feature = "config"))]
mod tests {
    use crate::config::test_util::config;

    #[test]
    fn the_key_ttl_and_cap_come_from_the_environment() {
        let key = "k".repeat(40);
        let settings = config(&[
            ("MCP_REQUEST_STATE__KEY", key.as_str()),
            ("MCP_REQUEST_STATE__TTL", "90s"),
            ("MCP_REQUEST_STATE__MAX_SIZE", "4096"),
        ])
        .settings()
        .expect("valid");
        let request_state = &settings.request_state;
        assert_eq!(
            request_state.key.as_ref().map(|k| k.expose().as_str()),
            Some(&*key)
        );
        assert_eq!(request_state.ttl, std::time::Duration::from_secs(90));
        assert_eq!(request_state.max_size, 4096);
    }

    #[test]
    fn a_short_key_is_refused_without_showing_it() {
        let error = config(&[("MCP_REQUEST_STATE__KEY", "hunter2")])
            .settings()
            .unwrap_err()
            .to_string();
        assert!(error.contains("MCP_REQUEST_STATE__KEY"), "{error}");
        assert!(error.contains("at least 32 bytes"), "{error}");
        assert!(!error.contains("hunter2"), "{error}");
    }
}
