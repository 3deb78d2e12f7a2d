//! Serving a [`Server`] over streamable HTTP: rmcp's streamable HTTP service on an axum router,
//! with DNS-rebinding protection, a body size limit, bearer-token auth, health, readiness,
//! Prometheus metrics and graceful shutdown.
//!
//! | route | what |
//! |---|---|
//! | `POST/GET/DELETE {path}` (`/mcp`) | MCP (streamable HTTP) |
//! | `GET /healthz` | 200 while the process serves |
//! | `GET /readyz` | 200 once the startup hooks finished, 503 before and while stopping |
//! | `GET /metrics` | Prometheus text format (see [`telemetry`](crate::telemetry)) |
//! | `GET /.well-known/oauth-protected-resource[{path}]` | RFC 9728 metadata, when auth is on |

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::{Value, json};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::auth::{AuthError, Identity, TokenVerifier};
use crate::config::Settings;
use crate::error::Error;
use crate::server::Server;

/// How [`Server::serve_http`] serves: address, endpoint, sessions, host and origin checks,
/// body limit, and the public URL for auth metadata. [`HttpOptions::from_settings`] reads them
/// from [`Settings`] (`MCP_HOST`, `MCP_PORT`, `MCP_PATH`, `MCP_HTTP__*`, `MCP_AUTH__RESOURCE`).
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
        }
    }

    /// Listens on `host`.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// Listens on `port` (0: any free port; [`HttpServer::local_addr`] tells which).
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

    fn rmcp_config(&self, cancel: CancellationToken) -> StreamableHttpServerConfig {
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

/// A server listening on HTTP, from [`Server::bind_http`]: where it listens, and how to stop
/// it gracefully.
#[derive(Debug)]
pub struct HttpServer {
    addr: SocketAddr,
    path: String,
    stop: CancellationToken,
    task: JoinHandle<Result<(), Error>>,
}

impl HttpServer {
    /// The address it listens on (with the real port when the options asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The MCP endpoint's URL, like `http://127.0.0.1:8000/mcp`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.addr, self.path)
    }

    /// A token that stops the server when cancelled (what a signal handler cancels).
    pub fn stop_token(&self) -> CancellationToken {
        self.stop.clone()
    }

    /// Stops gracefully: `/readyz` turns 503 and new MCP requests are refused (503), requests
    /// in flight finish (within the server's shutdown grace), the shutdown hooks run, then open
    /// streams close and the listener stops.
    pub async fn shutdown(self) -> Result<(), Error> {
        self.stop.cancel();
        self.wait().await
    }

    /// Serves until stopped (by [`stop_token`](Self::stop_token) or a failed startup hook).
    pub async fn wait(self) -> Result<(), Error> {
        match self.task.await {
            Ok(outcome) => outcome,
            Err(error) => Err(Error::Session(format!(
                "the HTTP server task failed: {error}"
            ))),
        }
    }
}

impl Server {
    /// Serves MCP over streamable HTTP until SIGINT or SIGTERM, then shuts down gracefully
    /// (see [`HttpServer::shutdown`]). `serve --transport http` runs this with the options
    /// from the settings.
    pub async fn serve_http(self, options: HttpOptions) -> Result<(), Error> {
        let stop_signal = crate::lifespan::StopSignal::install();
        let running = self.bind_http(options).await?;
        tracing::info!(url = running.url(), "serving MCP over streamable HTTP");
        let stop = running.stop_token();
        let on_signal = tokio::spawn(async move {
            stop_signal.recv().await;
            tracing::info!("stopping: draining in-flight requests");
            stop.cancel();
        });
        let outcome = running.wait().await;
        on_signal.abort();
        outcome
    }

    /// Binds the listener and serves in the background: startup hooks run once it listens
    /// (`/readyz` says when they are done). Port 0 picks a free port.
    pub async fn bind_http(self, options: HttpOptions) -> Result<HttpServer, Error> {
        let listener = tokio::net::TcpListener::bind((options.host.as_str(), options.port))
            .await
            .map_err(|error| {
                Error::Io(std::io::Error::new(
                    error.kind(),
                    format!(
                        "cannot listen on {}:{}: {error}",
                        options.host, options.port
                    ),
                ))
            })?;
        let addr = listener.local_addr()?;
        crate::telemetry::enable();
        let sessions = CancellationToken::new();
        let exchanges = Arc::new(Exchanges::default());
        let router = self.router(&options, sessions.clone(), exchanges.clone());
        let stop = CancellationToken::new();
        let server = self;
        let task_stop = stop.clone();
        let task = tokio::spawn(async move {
            let closed = CancellationToken::new();
            let serving = tokio::spawn(
                axum::serve(listener, router)
                    .with_graceful_shutdown(closed.clone().cancelled_owned())
                    .into_future(),
            );
            let started = tokio::select! {
                started = server.start() => started,
                () = task_stop.cancelled() => Ok(()),
            };
            match &started {
                Ok(()) => task_stop.cancelled().await,
                Err(error) => tracing::error!(%error, "stopping: the server could not start"),
            }
            // Drain: refuse new requests, and let the exchanges in flight finish (their whole
            // response written, not only the handler returned), within the grace period.
            exchanges.draining.store(true, Ordering::Release);
            let grace = server.shutdown_grace();
            if tokio::time::timeout(grace, exchanges.idle()).await.is_err() {
                tracing::warn!(
                    left = exchanges.open.load(Ordering::Acquire),
                    "the shutdown grace period ended with HTTP requests in flight"
                );
            }
            // Then the shutdown hooks (nothing is left to drain; none after a failed start, as
            // on stdio), streams and the listener.
            if started.is_ok() {
                server.shutdown().await;
            }
            sessions.cancel();
            closed.cancel();
            let abort = serving.abort_handle();
            match tokio::time::timeout(Duration::from_secs(5), serving).await {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(error))) => tracing::warn!(%error, "the HTTP listener failed"),
                Ok(Err(error)) => tracing::warn!(%error, "the HTTP listener task failed"),
                Err(_) => {
                    tracing::warn!("connections still open 5s after shutdown: closing them");
                    abort.abort();
                }
            }
            started
        });
        Ok(HttpServer {
            addr,
            path: options.path,
            stop,
            task,
        })
    }

    /// The axum router [`bind_http`](Self::bind_http) serves, to nest in an application of
    /// your own (`Router::new().merge(server.http_router(&options))`). Run
    /// [`start`](Self::start) before serving it, and call
    /// [`telemetry::enable`](crate::telemetry::enable) for `/metrics`.
    pub fn http_router(&self, options: &HttpOptions) -> axum::Router {
        self.router(options, CancellationToken::new(), Arc::default())
    }

    fn router(
        &self,
        options: &HttpOptions,
        sessions: CancellationToken,
        exchanges: Arc<Exchanges>,
    ) -> axum::Router {
        let config = options.rmcp_config(sessions);
        let factory = {
            let server = self.clone();
            move || Ok(server.clone())
        };
        let mcp = if options.stateless {
            endpoint(StreamableHttpService::new(
                factory,
                NeverSessionManager::default().into(),
                config,
            ))
        } else {
            endpoint(StreamableHttpService::new(
                factory,
                crate::http_sessions::Sessions::default().into(),
                config,
            ))
        };
        let guard = Arc::new(Guard {
            server: self.clone(),
            verifier: self.verifier().cloned(),
            scopes: self.declared_scopes(),
            path: options.path.clone(),
            resource: options.resource.clone(),
            max_body: options.max_body,
            exchanges,
            mcp,
            bindings: (self.verifier().is_some() && !options.stateless).then(bindings),
            allowed_hosts: options.allowed_hosts.clone(),
        });
        let mut router = axum::Router::new()
            .route(&options.path, axum::routing::any(mcp_endpoint))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics));
        if guard.verifier.is_some() {
            let metadata = get(protected_resource_metadata);
            router = router
                .route(WELL_KNOWN, metadata.clone())
                .route(&format!("{WELL_KNOWN}{}", options.path), metadata);
        }
        router.with_state(guard)
    }
}

const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The MCP exchanges (POSTs) in flight, counted until their response body is finished, so
/// a graceful shutdown waits for answers to be written, not only computed.
#[derive(Default)]
struct Exchanges {
    open: AtomicUsize,
    idle: tokio::sync::Notify,
    draining: AtomicBool,
}

impl Exchanges {
    fn open(self: &Arc<Self>) -> ExchangeGuard {
        self.open.fetch_add(1, Ordering::AcqRel);
        ExchangeGuard(self.clone())
    }

    async fn idle(&self) {
        loop {
            let idle = self.idle.notified();
            if self.open.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }
}

/// One exchange in flight; dropped with the response body.
struct ExchangeGuard(Arc<Exchanges>);

impl Drop for ExchangeGuard {
    fn drop(&mut self) {
        if self.0.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// rmcp's streamable HTTP service, called by reference (its `Service::call` clones the whole
/// service, configuration included, on every request).
type McpService =
    Arc<dyn Fn(Request) -> futures::future::BoxFuture<'static, Response> + Send + Sync>;

fn endpoint<M>(service: StreamableHttpService<Server, M>) -> McpService
where
    M: rmcp::transport::streamable_http_server::session::SessionManager,
{
    let service = Arc::new(service);
    Arc::new(move |request: Request| {
        let service = service.clone();
        Box::pin(async move { service.handle(request).await.map(Body::new) })
    })
}

/// What the MCP route's guard and the metadata route know.
struct Guard {
    server: Server,
    verifier: Option<Arc<dyn TokenVerifier>>,
    /// Every scope components declare (none: no request body needs reading for scopes).
    scopes: Vec<&'static str>,
    path: String,
    resource: Option<String>,
    max_body: usize,
    exchanges: Arc<Exchanges>,
    mcp: McpService,
    bindings: Option<Bindings>,
    /// `HttpOptions::allowed_hosts`, checked here too when auth is on, so that nothing built
    /// from a foreign `Host` (the metadata URL of a challenge) is ever answered.
    allowed_hosts: Vec<String>,
}

impl Guard {
    /// Whether the request's `Host` is one this server answers to: a listed host name (any
    /// port), a listed `host:port`, or anything when the list has `*`. The same rule as rmcp's
    /// DNS-rebinding check on the MCP route.
    fn host_allowed(&self, headers: &HeaderMap) -> bool {
        if self.allowed_hosts.iter().any(|host| host == "*") {
            return true;
        }
        let Some(authority) = headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
        else {
            return false;
        };
        let authority = authority.trim().to_ascii_lowercase();
        let hostname = match authority.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or_default(),
            None => authority
                .rsplit_once(':')
                .map_or(authority.as_str(), |(host, _)| host),
        };
        self.allowed_hosts.iter().any(|allowed| {
            let allowed = allowed.to_ascii_lowercase();
            let bare = allowed.trim_start_matches('[').trim_end_matches(']');
            bare == hostname || allowed == authority
        })
    }

    fn is_stopping(&self) -> bool {
        self.exchanges.draining.load(Ordering::Acquire) || self.server.is_stopping()
    }

    /// The URL of the protected resource metadata, for `WWW-Authenticate`.
    fn metadata_url(&self, headers: &HeaderMap) -> String {
        format!("{}{WELL_KNOWN}{}", self.origin(headers), self.path)
    }

    /// `scheme://host[:port]` of this server: from the configured resource URL, else from the
    /// request's `Host`.
    fn origin(&self, headers: &HeaderMap) -> String {
        if let Some(resource) = &self.resource
            && let Ok(uri) = resource.parse::<http::Uri>()
            && let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority())
        {
            return format!("{scheme}://{authority}");
        }
        let host = headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .unwrap_or("localhost");
        format!("http://{host}")
    }

    fn resource_url(&self, headers: &HeaderMap) -> String {
        self.resource
            .clone()
            .unwrap_or_else(|| format!("{}{}", self.origin(headers), self.path))
    }
}

/// Refuses MCP requests while stopping, and without a valid token (or the scopes the named
/// component needs) when auth is on; attaches the verified [`Identity`] for the pipeline.
async fn mcp_endpoint(State(guard): State<Arc<Guard>>, request: Request) -> Response {
    // A POST is an exchange: counted until its response body is written (or dropped). GET
    // streams stay open for the session's life and are closed by shutdown instead.
    if request.method() != Method::POST {
        return admit(&guard, request).await;
    }
    let exchange = guard.exchanges.open();
    let response = admit(&guard, request).await;
    let (parts, body) = response.into_parts();
    let body = Body::new(Tracked {
        body,
        _exchange: exchange,
    });
    Response::from_parts(parts, body)
}

/// A response body holding its exchange open until it is finished or dropped. Frames, the
/// end of stream and the size hint pass through, so a JSON answer keeps its length.
struct Tracked {
    body: Body,
    _exchange: ExchangeGuard,
}

impl http_body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

async fn admit(guard: &Arc<Guard>, request: Request) -> Response {
    if guard.is_stopping() {
        return unavailable("the server is shutting down");
    }
    if !guard.server.is_ready() {
        return unavailable("the server is starting");
    }
    let Some(verifier) = &guard.verifier else {
        return (guard.mcp)(request).await;
    };
    if !guard.host_allowed(request.headers()) {
        return foreign_host();
    }
    let identity = match bearer_token(request.headers()) {
        Ok(token) => verifier.verify(token).await,
        Err(error) => Err(error),
    };
    let identity = match identity {
        Ok(identity) => identity,
        Err(error) => return refused(guard, request.headers(), &error),
    };
    let (mut parts, body) = request.into_parts();
    parts.extensions.insert(identity.clone());
    // A session belongs to the subject that opened it: another token cannot use its id.
    let session = parts
        .headers
        .get(SESSION_HEADER)
        .and_then(|id| id.to_str().ok())
        .map(str::to_owned);
    if let (Some(bindings), Some(session)) = (&guard.bindings, &session) {
        let owner = bindings.get(session).await;
        if owner.as_deref() != Some(identity.subject()) {
            tracing::info!(
                subject = identity.subject(),
                "refused a session opened by another subject"
            );
            return session_not_found();
        }
    }
    let closing = parts.method == Method::DELETE;
    let response = if !guard.scopes.is_empty() && parts.method == Method::POST {
        // A component request the token lacks scopes for is a 403 before it reaches the
        // server.
        let Ok(bytes) = axum::body::to_bytes(body, guard.max_body).await else {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is too large",
            )
                .into_response();
        };
        if let Some(missing) = missing_scopes(&guard.server, &identity, &bytes) {
            return insufficient_scope(guard, &parts.headers, &missing);
        }
        (guard.mcp)(Request::from_parts(parts, Body::from(bytes))).await
    } else {
        (guard.mcp)(Request::from_parts(parts, body)).await
    };
    if let Some(bindings) = &guard.bindings {
        match &session {
            Some(session) if closing && response.status().is_success() => {
                bindings.invalidate(session).await;
            }
            Some(_) => {}
            None => {
                if let Some(opened) = response
                    .headers()
                    .get(SESSION_HEADER)
                    .and_then(|id| id.to_str().ok())
                {
                    bindings
                        .insert(opened.to_owned(), Arc::from(identity.subject()))
                        .await;
                }
            }
        }
    }
    response
}

const SESSION_HEADER: &str = "mcp-session-id";

/// Which subject opened each session (auth on, stateful mode). Entries idle longer than
/// rmcp's session keep-alive (5 minutes) outlive their session; they expire after twice that,
/// and a session whose entry is gone is refused (the client opens a new one), never opened
/// to whoever asks.
type Bindings = moka::future::Cache<String, Arc<str>>;

fn bindings() -> Bindings {
    moka::future::Cache::builder()
        .time_to_idle(Duration::from_secs(600))
        .max_capacity(1_000_000)
        .build()
}

/// What rmcp answers for an unknown session, so a stranger learns nothing about the session.
fn session_not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({
            "jsonrpc": "2.0",
            "id": null,
            "error": { "code": -32600, "message": "Session not found" }
        })),
    )
        .into_response()
}

/// The scopes `identity` lacks for the component a JSON-RPC request names, if any.
fn missing_scopes(server: &Server, identity: &Identity, body: &[u8]) -> Option<Vec<&'static str>> {
    let message: Value = serde_json::from_slice(body).ok()?;
    let method = message.get("method")?.as_str()?;
    let params = message.get("params")?;
    let missing = identity.missing_scopes(server.scopes_for(method, params));
    (!missing.is_empty()).then_some(missing)
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(AuthError::Missing);
    };
    let value = value
        .to_str()
        .map_err(|_| AuthError::Malformed("the Authorization header is not text".into()))?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Malformed(format!(
            "the Authorization scheme is `{scheme}`, not `Bearer`"
        )));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(AuthError::Malformed("the bearer token is empty".into()));
    }
    Ok(token)
}

/// A `WWW-Authenticate` parameter value: quotes and backslashes escaped.
fn quoted(value: &str) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    quoted.push('"');
    for c in value.chars().filter(|c| !c.is_control()) {
        if matches!(c, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    quoted
}

fn refused(guard: &Guard, headers: &HeaderMap, error: &AuthError) -> Response {
    let (status, code, reason) = match error {
        AuthError::Missing => (StatusCode::UNAUTHORIZED, None, "missing"),
        AuthError::Malformed(_) => (StatusCode::UNAUTHORIZED, Some("invalid_token"), "malformed"),
        AuthError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, None, "unavailable"),
        _ => (StatusCode::UNAUTHORIZED, Some("invalid_token"), "invalid"),
    };
    crate::telemetry::auth_failure(reason);
    tracing::info!(reason, %error, "refused a request");
    let description = error.to_string();
    let mut challenge = format!(
        "Bearer resource_metadata={}",
        quoted(&guard.metadata_url(headers))
    );
    if let Some(code) = code {
        challenge.push_str(&format!(
            ", error={}, error_description={}",
            quoted(code),
            quoted(&description)
        ));
    }
    let body = json!({
        "error": code.unwrap_or(if status == StatusCode::UNAUTHORIZED { "unauthorized" } else { "temporarily_unavailable" }),
        "error_description": description,
    });
    with_challenge(status, &challenge, body)
}

fn insufficient_scope(guard: &Guard, headers: &HeaderMap, missing: &[&str]) -> Response {
    crate::telemetry::auth_failure("forbidden");
    let scope = missing.join(" ");
    let description = format!("this request needs the scope `{scope}`");
    let challenge = format!(
        "Bearer error=\"insufficient_scope\", scope={}, resource_metadata={}, error_description={}",
        quoted(&scope),
        quoted(&guard.metadata_url(headers)),
        quoted(&description)
    );
    let body = json!({
        "error": "insufficient_scope",
        "error_description": description,
        "required_scopes": missing,
    });
    with_challenge(StatusCode::FORBIDDEN, &challenge, body)
}

fn with_challenge(status: StatusCode, challenge: &str, body: Value) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn unavailable(message: &str) -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        axum::Json(json!({ "error": "unavailable", "error_description": message })),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

async fn healthz() -> Response {
    axum::Json(json!({ "status": "ok" })).into_response()
}

async fn readyz(State(guard): State<Arc<Guard>>) -> Response {
    let server = &guard.server;
    let (status, state) = if guard.is_stopping() {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping")
    } else if server.is_ready() {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "starting")
    };
    (status, axum::Json(json!({ "status": state }))).into_response()
}

async fn metrics() -> Response {
    match crate::telemetry::render() {
        Some(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "metrics go to the application's own recorder",
        )
            .into_response(),
    }
}

fn foreign_host() -> Response {
    (
        StatusCode::FORBIDDEN,
        "Forbidden: Host header is not allowed",
    )
        .into_response()
}

/// RFC 9728 protected resource metadata.
async fn protected_resource_metadata(
    State(guard): State<Arc<Guard>>,
    headers: HeaderMap,
) -> Response {
    if !guard.host_allowed(&headers) {
        return foreign_host();
    }
    let authorization_servers = guard
        .verifier
        .as_ref()
        .map(|verifier| verifier.authorization_servers())
        .unwrap_or_default();
    let mut metadata = json!({
        "resource": guard.resource_url(&headers),
        "bearer_methods_supported": ["header"],
        "resource_name": guard.server.name(),
    });
    if !authorization_servers.is_empty() {
        metadata["authorization_servers"] = json!(authorization_servers);
    }
    if !guard.scopes.is_empty() {
        metadata["scopes_supported"] = json!(guard.scopes);
    }
    axum::Json(metadata).into_response()
}
