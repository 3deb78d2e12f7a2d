//! `[rate_limit]`: token buckets per client and for the whole server.

use serde::{Deserialize, Serialize};

use super::Problem;

/// Rate limits (`[rate_limit]`, `MCP_RATE_LIMIT__*`): none unless set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RateLimitSettings {
    /// The limit for each client (`MCP_RATE_LIMIT__PER_CLIENT__*`).
    pub per_client: Option<RateSpec>,
    /// The limit for the whole server (`MCP_RATE_LIMIT__GLOBAL__*`).
    pub global: Option<RateSpec>,
}

impl RateLimitSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        for (name, spec) in [("per_client", &self.per_client), ("global", &self.global)] {
            let Some(spec) = spec else { continue };
            if !(spec.per_second.is_finite() && spec.per_second > 0.0) {
                return Some(Problem::new(
                    &[name, "per_second"],
                    spec.per_second.to_string(),
                ));
            }
            if spec.burst == 0 {
                return Some(Problem::new(&[name, "burst"], "0"));
            }
        }
        None
    }
}

/// What the setting at `key` (inside `[rate_limit]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        [_, "per_second"] => "a number of requests per second greater than 0, like 10 or 0.5",
        [_, "burst"] => "a whole number of requests, at least 1",
        _ => return None,
    })
}

/// A token-bucket rate: `per_second` sustained, bursts of up to `burst` requests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawRateSpec")]
pub struct RateSpec {
    /// Requests per second, greater than 0 (`0.5` is one request every two seconds).
    pub per_second: f64,
    /// The most requests at once, at least 1; defaults to `per_second` rounded up.
    pub burst: u32,
}

impl RateSpec {
    /// `per_second` sustained, with bursts of `burst`.
    pub fn new(per_second: f64, burst: u32) -> Self {
        Self { per_second, burst }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRateSpec {
    per_second: f64,
    burst: Option<u32>,
}

impl From<RawRateSpec> for RateSpec {
    fn from(raw: RawRateSpec) -> Self {
        let burst = raw.burst.unwrap_or_else(|| {
            // Saturating float-to-int: a huge rate gets the largest burst.
            raw.per_second.ceil().max(1.0) as u32
        });
        Self {
            per_second: raw.per_second,
            burst,
        }
    }
}

#[cfg(all(test, feature = "config"))]
mod tests {
    use crate::config::test_util::settings_error;

    #[test]
    fn rates_are_positive() {
        let error = settings_error(&[("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND", "0")]);
        assert_eq!(
            error.env_var(),
            Some("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND")
        );
        let error = settings_error(&[
            ("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND", "2"),
            ("MCP_RATE_LIMIT__PER_CLIENT__BURST", "0"),
        ]);
        assert_eq!(
            error.to_string(),
            "MCP_RATE_LIMIT__PER_CLIENT__BURST=0: expected a whole number of requests, at least 1"
        );
        let error = settings_error(&[("MCP_RATE_LIMIT__PER_CLIENT__BURST", "3")]);
        assert_eq!(
            error.to_string(),
            "missing setting `rate_limit.per_client.per_second`: set \
             MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND, or `per_second` under \
             `[rate_limit.per_client]` in the config file"
        );
    }
}
