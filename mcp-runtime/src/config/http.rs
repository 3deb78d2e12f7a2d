//! `[http]`: the streamable HTTP transport's options.

use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::parse::list;
use super::{BOOL, Problem};

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
        _ => return None,
    })
}
