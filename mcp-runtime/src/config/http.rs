//! `[http]`: the streamable HTTP transport's options.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::parse::list;
use super::{BOOL, DURATION, Problem, REDACTED, Secret};

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
    /// How long a client has to send a request's headers, and how long an idle keep-alive
    /// connection stays open (`MCP_HTTP__HEADER_TIMEOUT`, default `10s`). A connection that
    /// sends its headers slower (slowloris) is closed.
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub header_timeout: Duration,
    /// How long a client has to send a request's body once its headers arrived
    /// (`MCP_HTTP__BODY_TIMEOUT`, default `30s`); slower gets `408`.
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub body_timeout: Duration,
    /// The most connections open at once (`MCP_HTTP__MAX_CONNECTIONS`, default 1024). At the
    /// cap, new connections wait in the listen queue until one closes.
    pub max_connections: usize,
    /// The most connections open at once from one IP address
    /// (`MCP_HTTP__MAX_CONNECTIONS_PER_CLIENT`, default 128); more are closed when accepted.
    pub max_connections_per_client: usize,
    /// How many requests one HTTP/1.1 connection serves before the server closes it after
    /// the response (`MCP_HTTP__MAX_REQUESTS_PER_CONNECTION`, default 10000; 0: no limit).
    pub max_requests_per_connection: usize,
    /// The most sessions open at once (`MCP_HTTP__MAX_SESSIONS`, default 1024). At the cap,
    /// the session idle longest is closed for a new one; when none is idle, `initialize` gets
    /// `503`.
    pub max_sessions: usize,
    /// The most sessions one client holds at once (`MCP_HTTP__MAX_SESSIONS_PER_CLIENT`,
    /// default 64): its token's subject when auth is on, else its IP address. At the cap, its
    /// own session idle longest is closed for a new one; when none is idle, `503`.
    pub max_sessions_per_client: usize,
    /// A session with no request for this long is closed
    /// (`MCP_HTTP__SESSION_IDLE_TIMEOUT`, default `2m`).
    #[cfg_attr(feature = "config", serde(with = "humantime_serde"))]
    pub session_idle_timeout: Duration,
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
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            max_connections_per_client: 128,
            max_requests_per_connection: 10_000,
            max_sessions: 1024,
            max_sessions_per_client: 64,
            session_idle_timeout: Duration::from_secs(120),
        }
    }
}

impl HttpSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        for (key, value) in [
            ("max_body", self.max_body),
            ("max_connections", self.max_connections),
            (
                "max_connections_per_client",
                self.max_connections_per_client,
            ),
            ("max_sessions", self.max_sessions),
            ("max_sessions_per_client", self.max_sessions_per_client),
        ] {
            if value == 0 {
                return Some(Problem::new(&[key], "0"));
            }
        }
        for (key, value) in [
            ("header_timeout", self.header_timeout),
            ("body_timeout", self.body_timeout),
            ("session_idle_timeout", self.session_idle_timeout),
        ] {
            if value.is_zero() {
                return Some(Problem::new(&[key], quoted("0s")));
            }
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
        [
            "max_connections"
            | "max_connections_per_client"
            | "max_sessions"
            | "max_sessions_per_client",
        ] => "a number, at least 1",
        ["max_requests_per_connection"] => "a number (0: no limit)",
        ["header_timeout" | "body_timeout" | "session_idle_timeout"] => DURATION,
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
