//! [`HttpOptions`]: where and how the HTTP transport serves.

use std::time::Duration;

use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
use tokio_util::sync::CancellationToken;

use crate::config::{Secret, Settings};

/// How [`Server::serve_http`](crate::Server::serve_http) serves: address, endpoint, sessions, host and origin checks,
/// body limit, and the public URL for auth metadata. [`HttpOptions::from_settings`] reads them
/// from [`Settings`] (`MCP_HOST`, `MCP_PORT`, `MCP_PATH`, `MCP_HTTP__*`, `MCP_AUTH__RESOURCE`,
/// `MCP_METRICS__SHOW_RESTRICTED`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpOptions {
    /// The address to listen on (`127.0.0.1` by default).
    pub host: String,
    /// The port (8000 by default; 0 picks a free one).
    pub port: u16,
    /// The MCP endpoint's path (`/mcp` by default).
    pub path: String,
    /// No sessions: any replica can serve any request.
    pub stateless: bool,
    /// Plain JSON responses where no streaming is needed (stateless mode).
    pub json_response: bool,
    /// Accepted `Host` values (`localhost`, `127.0.0.1`, `::1` by default; `*` for any).
    pub allowed_hosts: Vec<String>,
    /// Accepted browser `Origin`s (by default loopback pages: `http://localhost:*`,
    /// `http://127.0.0.1:*`, `http://[::1]:*`; any other `Origin` is refused; `*` for any).
    pub allowed_origins: Vec<String>,
    /// The largest request body, in bytes (4 MiB by default).
    pub max_body: usize,
    /// This server's public URL (`MCP_AUTH__RESOURCE`), for the protected resource metadata;
    /// by default derived from the request's `Host` and the path.
    pub resource: Option<String>,
    /// The bearer token `/metrics` asks for (none by default: `/metrics` answers any request
    /// whose `Host` is allowed). Compared in constant time.
    pub metrics_token: Option<Secret<String>>,
    /// Serve `/metrics` on this address alone (`host:port`; port 0 picks a free one,
    /// [`HttpServer::metrics_addr`](super::HttpServer::metrics_addr) tells which) instead of
    /// beside the MCP endpoint. The `Host` check and the token apply there too.
    pub metrics_addr: Option<String>,
    /// Name the components that declare scopes in the metrics (`false` by default: their
    /// series are counted together under `component="(restricted)"`).
    pub metrics_show_restricted: bool,
    /// How long a client has to send a request's headers; also how long an idle keep-alive
    /// connection stays open (10 s by default).
    pub header_timeout: Duration,
    /// How long a client has to send a request's body after its headers (30 s by default;
    /// slower gets `408`).
    pub body_timeout: Duration,
    /// The most connections open at once (1024 by default); more wait in the listen queue.
    pub max_connections: usize,
    /// The most connections open at once from one IP address (128 by default); more are
    /// closed as soon as they are accepted.
    pub max_connections_per_client: usize,
    /// Requests an HTTP/1.1 connection serves before it is closed after the response
    /// (10,000 by default; 0: no limit).
    pub max_requests_per_connection: usize,
    /// The most sessions open at once (1024 by default): at the cap, the session idle
    /// longest is closed for a new one, and `initialize` gets `503` when none is idle.
    pub max_sessions: usize,
    /// The most sessions one client holds (64 by default): its token's subject when auth is
    /// on, else its IP address.
    pub max_sessions_per_client: usize,
    /// Sessions with no request for this long are closed (2 minutes by default).
    pub session_idle_timeout: Duration,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self::from_settings(&Settings::default())
    }
}

impl HttpOptions {
    /// The defaults: `127.0.0.1:8000/mcp`, stateful, loopback hosts only.
    pub fn new() -> Self {
        Self::default()
    }

    /// The options that `settings` describe.
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            host: settings.host.clone(),
            port: settings.port,
            path: settings.path.clone(),
            stateless: settings.http.stateless,
            json_response: settings.http.json_response,
            allowed_hosts: settings.http.allowed_hosts.clone(),
            allowed_origins: settings.http.allowed_origins.clone(),
            max_body: settings.http.max_body,
            resource: settings
                .auth
                .as_ref()
                .and_then(|auth| auth.resource.clone()),
            metrics_token: settings.http.metrics_token.clone(),
            metrics_addr: settings.http.metrics_addr.clone(),
            metrics_show_restricted: settings.metrics.show_restricted,
            header_timeout: settings.http.header_timeout,
            body_timeout: settings.http.body_timeout,
            max_connections: settings.http.max_connections,
            max_connections_per_client: settings.http.max_connections_per_client,
            max_requests_per_connection: settings.http.max_requests_per_connection,
            max_sessions: settings.http.max_sessions,
            max_sessions_per_client: settings.http.max_sessions_per_client,
            session_idle_timeout: settings.http.session_idle_timeout,
        }
    }

    /// Listens on `host`.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// Listens on `port` (0: any free port; [`HttpServer::local_addr`](super::HttpServer::local_addr) tells which).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Serves MCP at `path`.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Stateless mode (no sessions), with or without plain JSON responses.
    pub fn stateless(mut self, json_response: bool) -> Self {
        self.stateless = true;
        self.json_response = json_response;
        self
    }

    /// Accepts these `Host` values.
    pub fn allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// Accepts these browser `Origin`s.
    pub fn allowed_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Refuses bodies larger than `bytes` (413).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// This server's public URL, for the protected resource metadata.
    pub fn resource(mut self, url: impl Into<String>) -> Self {
        self.resource = Some(url.into());
        self
    }

    /// Asks for `Authorization: Bearer <token>` on `/metrics`.
    pub fn metrics_token(mut self, token: impl Into<String>) -> Self {
        self.metrics_token = Some(Secret::new(token.into()));
        self
    }

    /// Serves `/metrics` on `addr` (`host:port`) alone, not beside the MCP endpoint.
    pub fn metrics_addr(mut self, addr: impl Into<String>) -> Self {
        self.metrics_addr = Some(addr.into());
        self
    }

    /// Names (`true`) or hides (`false`, the default) the components that declare scopes in
    /// the metrics.
    pub fn metrics_show_restricted(mut self, show: bool) -> Self {
        self.metrics_show_restricted = show;
        self
    }

    /// Gives clients `timeout` to send a request's headers (and closes keep-alive connections
    /// idle that long).
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.header_timeout = timeout;
        self
    }

    /// Gives clients `timeout` to send a request's body.
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Serves at most `total` connections at once, and at most `per_client` from one IP
    /// address.
    pub fn max_connections(mut self, total: usize, per_client: usize) -> Self {
        self.max_connections = total.max(1);
        self.max_connections_per_client = per_client.max(1);
        self
    }

    /// Closes an HTTP/1.1 connection after it served `requests` (0: never).
    pub fn max_requests_per_connection(mut self, requests: usize) -> Self {
        self.max_requests_per_connection = requests;
        self
    }

    /// Keeps at most `total` sessions open, and at most `per_client` for one client.
    pub fn max_sessions(mut self, total: usize, per_client: usize) -> Self {
        self.max_sessions = total.max(1);
        self.max_sessions_per_client = per_client.max(1);
        self
    }

    /// Closes sessions that had no request for `timeout`.
    pub fn session_idle_timeout(mut self, timeout: Duration) -> Self {
        self.session_idle_timeout = timeout;
        self
    }

    /// rmcp's configuration for these options; `cancel` closes its sessions.
    pub(super) fn rmcp_config(&self, cancel: CancellationToken) -> StreamableHttpServerConfig {
        let mut config = StreamableHttpServerConfig::default()
            .with_legacy_session_mode(!self.stateless)
            .with_json_response(self.json_response)
            .with_max_request_body_bytes(self.max_body)
            .with_cancellation_token(cancel);
        config = if self.allowed_hosts.iter().any(|host| host == "*") {
            config.disable_allowed_hosts()
        } else {
            config.with_allowed_hosts(self.allowed_hosts.clone())
        };
        if self.allowed_origins.iter().any(|origin| origin == "*") {
            config.disable_allowed_origins()
        } else {
            // Enforced even when empty: an empty list refuses every `Origin`.
            config
                .with_allowed_origins(self.allowed_origins.clone())
                .enforce_origin_validation()
        }
    }
}
