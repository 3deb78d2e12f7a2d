//! `[fetch]`: the policy of the [`Fetcher`](crate::fetch::Fetcher) tools get.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::parse::list;
use super::{BOOL, DURATION, Problem, REDACTED, RateSpec, Secret};

/// What [`Fetcher`](crate::fetch::Fetcher) tools may reach (`[fetch]`, `MCP_FETCH__*`): the
/// [`FetchPolicy`](crate::fetch::FetchPolicy), strict by default. With the `fetch` feature,
/// [`ServerBuilder::settings`](crate::ServerBuilder::settings) gives the server a `Fetcher`
/// with this policy (unless one was given with `.state(…)`), so tools take
/// `fetcher: Fetcher`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct FetchSettings {
    /// Allow plain `http` URLs too (`MCP_FETCH__ALLOW_HTTP`, default `false`: `https` only).
    pub allow_http: bool,
    /// Hosts and networks that may be reached although they are not public: names,
    /// `*.domain`, addresses, networks like `10.20.0.0/16` (`MCP_FETCH__ALLOW_HOSTS`; none by
    /// default).
    #[serde(deserialize_with = "list")]
    pub allow_hosts: Vec<String>,
    /// Hosts and networks never reached, allowed or not (`MCP_FETCH__DENY_HOSTS`; none by
    /// default).
    #[serde(deserialize_with = "list")]
    pub deny_hosts: Vec<String>,
    /// The largest response body read, in bytes (`MCP_FETCH__MAX_RESPONSE_SIZE`, default
    /// 10 MiB).
    pub max_response_size: u64,
    /// How long resolving and connecting may take (`MCP_FETCH__CONNECT_TIMEOUT`, default
    /// `10s`).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub connect_timeout: Duration,
    /// How long a whole request may take, redirects and body included
    /// (`MCP_FETCH__TIMEOUT`, default `30s`).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub timeout: Duration,
    /// How many redirects are followed, each checked like the first URL
    /// (`MCP_FETCH__MAX_REDIRECTS`, default 5; 0 refuses redirects).
    pub max_redirects: usize,
    /// A trusted egress proxy every request goes through, like `http://proxy.internal:3128`
    /// (`MCP_FETCH__PROXY`; none by default). A secret, since it may carry credentials.
    pub proxy: Option<Secret<String>>,
    /// A token bucket for each host (`MCP_FETCH__RATE_LIMIT_PER_HOST__*`); none by default.
    pub rate_limit_per_host: Option<RateSpec>,
}

impl Default for FetchSettings {
    fn default() -> Self {
        Self {
            allow_http: false,
            allow_hosts: Vec::new(),
            deny_hosts: Vec::new(),
            max_response_size: 10 * 1024 * 1024,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_redirects: 5,
            proxy: None,
            rate_limit_per_host: None,
        }
    }
}

impl FetchSettings {
    /// The first value that does not pass validation. The entries of the lists and the proxy
    /// URL are read by [`Fetcher::from_settings`](crate::fetch::Fetcher::from_settings), which
    /// `build()` calls.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.max_response_size == 0 {
            return Some(Problem::new(&["max_response_size"], "0"));
        }
        for (key, value) in [
            ("connect_timeout", self.connect_timeout),
            ("timeout", self.timeout),
        ] {
            if value.is_zero() {
                return Some(Problem::new(&[key], quoted("0s")));
            }
        }
        if let Some(rate) = &self.rate_limit_per_host {
            if !(rate.per_second.is_finite() && rate.per_second > 0.0) {
                return Some(Problem::new(
                    &["rate_limit_per_host", "per_second"],
                    rate.per_second.to_string(),
                ));
            }
            if rate.burst == 0 {
                return Some(Problem::new(&["rate_limit_per_host", "burst"], "0"));
            }
        }
        None
    }

    /// The first setting that differs from the default, with its value as shown: what asks
    /// for the `fetch` feature.
    #[allow(dead_code)] // Only a build without the `fetch` feature asks.
    pub(super) fn first_set(&self) -> Option<(&'static [&'static str], String)> {
        let default = FetchSettings::default();
        let list = |items: &[String]| format!("{items:?}");
        if self.allow_http {
            return Some((&["allow_http"], "true".into()));
        }
        if !self.allow_hosts.is_empty() {
            return Some((&["allow_hosts"], list(&self.allow_hosts)));
        }
        if !self.deny_hosts.is_empty() {
            return Some((&["deny_hosts"], list(&self.deny_hosts)));
        }
        if self.max_response_size != default.max_response_size {
            return Some((&["max_response_size"], self.max_response_size.to_string()));
        }
        if self.connect_timeout != default.connect_timeout {
            return Some((&["connect_timeout"], millis(self.connect_timeout)));
        }
        if self.timeout != default.timeout {
            return Some((&["timeout"], millis(self.timeout)));
        }
        if self.max_redirects != default.max_redirects {
            return Some((&["max_redirects"], self.max_redirects.to_string()));
        }
        if self.proxy.is_some() {
            return Some((&["proxy"], REDACTED.into()));
        }
        if let Some(rate) = &self.rate_limit_per_host {
            return Some((
                &["rate_limit_per_host", "per_second"],
                rate.per_second.to_string(),
            ));
        }
        None
    }
}

/// A duration as a setting writes it, in milliseconds: `"1500ms"`.
#[allow(dead_code)] // Only a build without the `fetch` feature asks.
fn millis(duration: Duration) -> String {
    quoted(&format!("{}ms", duration.as_millis()))
}

/// What the setting at `key` (inside `[fetch]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["allow_http"] => BOOL,
        ["allow_hosts"] | ["deny_hosts"] => {
            "a list of host names, `*.domain` entries, addresses and networks like 10.0.0.0/8"
        }
        ["max_response_size"] => "a number of bytes, at least 1",
        ["connect_timeout"] | ["timeout"] => DURATION,
        ["max_redirects"] => "a whole number of redirects (0 refuses them)",
        ["proxy"] => "an http:// or https:// proxy URL",
        ["rate_limit_per_host", "per_second"] => {
            "a number of requests per second greater than 0, like 10 or 0.5"
        }
        ["rate_limit_per_host", "burst"] => "a whole number of requests, at least 1",
        _ => return None,
    })
}
