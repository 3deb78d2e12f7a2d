//! `[http]`: the streamable HTTP transport's options.

use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::parse::list;
use super::{BOOL, Problem, REDACTED, Secret};

/// The HTTP transport's options (`[http]`, `MCP_HTTP__*`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HttpSettings {
    /// No sessions: every request stands alone, so any replica behind a load balancer can
    /// serve it (`MCP_HTTP__STATELESS`, default `false`).
    pub stateless: bool,
    /// Plain JSON responses instead of SSE streams where a request needs no streaming, in
    /// stateless mode (`MCP_HTTP__JSON_RESPONSE`, default `false`).
    pub json_response: bool,
    /// The `Host` values accepted (DNS-rebinding protection): host names, or `host:port`
    /// (`MCP_HTTP__ALLOWED_HOSTS`, default `localhost,127.0.0.1,::1`). `*` accepts any host.
    #[serde(deserialize_with = "list")]
    pub allowed_hosts: Vec<String>,
    /// The browser `Origin`s accepted, like `https://app.example.com` or `http://localhost:*`
    /// (`MCP_HTTP__ALLOWED_ORIGINS`, default: pages served from this machine,
    /// `http://localhost:*`, `http://127.0.0.1:*` and `http://[::1]:*`, matching the default
    /// `allowed_hosts`). A request with any other `Origin` header is refused (403); one without
    /// is served. An empty list refuses every `Origin`.
    #[serde(deserialize_with = "list")]
    pub allowed_origins: Vec<String>,
    /// The largest request body accepted, in bytes (`MCP_HTTP__MAX_BODY`, default 4 MiB).
    pub max_body: usize,
    /// The bearer token `/metrics` asks for (`MCP_HTTP__METRICS_TOKEN`); none by default, so
    /// `/metrics` answers any request that passes the `Host` check. A secret: never printed.
    pub metrics_token: Option<Secret<String>>,
    /// A separate address serving `/metrics` alone, like `127.0.0.1:9090`
    /// (`MCP_HTTP__METRICS_ADDR`); by default `/metrics` is served beside the MCP endpoint.
    pub metrics_addr: Option<String>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            stateless: false,
            json_response: false,
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            // Loopback pages only: a DNS-rebinding page keeps its own origin, so it is
            // refused, while a page on this machine (what `allowed_hosts` admits) is served.
            allowed_origins: vec![
                "http://localhost:*".into(),
                "http://127.0.0.1:*".into(),
                "http://[::1]:*".into(),
            ],
            max_body: 4 * 1024 * 1024,
            metrics_token: None,
            metrics_addr: None,
        }
    }
}

impl HttpSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.max_body == 0 {
            return Some(Problem::new(&["max_body"], "0"));
        }
        if let Some(bad) = self
            .allowed_origins
            .iter()
            .find(|origin| *origin != "null" && !origin.contains("://"))
        {
            return Some(Problem::new(&["allowed_origins"], quoted(bad)));
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|token| token.expose().trim().is_empty())
        {
            return Some(Problem::new(&["metrics_token"], REDACTED));
        }
        if let Some(addr) = &self.metrics_addr
            && !is_address(addr)
        {
            return Some(Problem::new(&["metrics_addr"], quoted(addr)));
        }
        None
    }
}

/// What the setting at `key` (inside `[http]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["stateless" | "json_response"] => BOOL,
        ["allowed_hosts", ..] => "a list of host names or host:port, like localhost,example.com",
        ["allowed_origins", ..] => {
            "a list of origins with their scheme, like https://app.example.com,http://localhost:*"
        }
        ["max_body"] => "a number of bytes, at least 1",
        ["metrics_token"] => "a token (not empty)",
        ["metrics_addr"] => "a host and a port (1-65535), like 127.0.0.1:9090 or [::1]:9090",
        _ => return None,
    })
}

/// Whether `addr` is `host:port`, with a host and a port from 1 to 65535 (IPv6 in brackets).
fn is_address(addr: &str) -> bool {
    let Some((host, port)) = addr.rsplit_once(':') else {
        return false;
    };
    let host_ok = match host.strip_prefix('[') {
        Some(v6) => v6
            .strip_suffix(']')
            .is_some_and(|v6| v6.parse::<std::net::Ipv6Addr>().is_ok()),
        None => !host.is_empty() && !host.contains(':') && !host.contains(char::is_whitespace),
    };
    host_ok && port.parse::<u16>().is_ok_and(|port| port != 0)
}

#[cfg(test)]
mod tests {
    use super::is_address;

    #[test]
    fn metrics_addresses() {
        for good in [
            "127.0.0.1:9090",
            "[::1]:9090",
            "metrics.internal:1",
            "0.0.0.0:65535",
        ] {
            assert!(is_address(good), "{good}");
        }
        for bad in [
            "9090",
            ":9090",
            "127.0.0.1",
            "127.0.0.1:0",
            "::1:9090",
            "[::1]",
            "host:x",
        ] {
            assert!(!is_address(bad), "{bad}");
        }
    }
}
