//! Admission to the MCP endpoint: refused while starting or stopping, and, when auth is on,
//! checked for its `Host`, its bearer token, the session's owner and the scopes of the
//! component it names, before rmcp's service sees it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rmcp::transport::streamable_http_server::StreamableHttpService;
use serde_json::{Value, json};

use super::challenge::{bearer_token, insufficient_scope, refused};
use super::exchanges::{Exchanges, Tracked};
use crate::auth::{Presenter, TokenVerifier};
use crate::middleware::reply::ReplyMeter;
use crate::server::Server;

pub(super) const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// rmcp's streamable HTTP service, called by reference (its `Service::call` clones the whole
/// service, configuration included, on every request).
pub(super) type McpService =
    Arc<dyn Fn(Request) -> futures::future::BoxFuture<'static, Response> + Send + Sync>;

pub(super) fn endpoint<M>(service: StreamableHttpService<Server, M>) -> McpService
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
pub(super) struct Guard {
    pub(super) server: Server,
    pub(super) verifier: Option<Arc<dyn TokenVerifier>>,
    /// Every scope components declare (none: no request body needs reading for scopes).
    pub(super) scopes: Vec<&'static str>,
    pub(super) path: String,
    pub(super) resource: Option<String>,
    pub(super) max_body: usize,
    pub(super) body_timeout: Duration,
    /// The sessions (stateful mode), for their caps.
    pub(super) sessions: Option<Arc<super::sessions::Sessions>>,
    pub(super) exchanges: Arc<Exchanges>,
    pub(super) mcp: McpService,
    pub(super) bindings: Option<Bindings>,
    /// `HttpOptions::allowed_hosts`, checked here too when auth is on, so that nothing built
    /// from a foreign `Host` (the metadata URL of a challenge) is ever answered.
    pub(super) allowed_hosts: Vec<String>,
}

impl Guard {
    /// Whether the request's `Host` is one this server answers to (see [`host_allowed`]).
    pub(super) fn host_allowed(&self, headers: &HeaderMap) -> bool {
        host_allowed(&self.allowed_hosts, headers)
    }

    pub(super) fn is_stopping(&self) -> bool {
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

    pub(super) fn resource_url(&self, headers: &HeaderMap) -> String {
        self.resource
            .clone()
            .unwrap_or_else(|| format!("{}{}", self.origin(headers), self.path))
    }
}

/// Whether the request's `Host` is one of `allowed`: a listed host name (any port), a listed
/// `host:port`, or anything when the list has `*`. The same rule as rmcp's DNS-rebinding check
/// on the MCP route.
pub(super) fn host_allowed(allowed: &[String], headers: &HeaderMap) -> bool {
    if allowed.iter().any(|host| host == "*") {
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
    allowed.iter().any(|allowed| {
        let allowed = allowed.to_ascii_lowercase();
        let bare = allowed.trim_start_matches('[').trim_end_matches(']');
        bare == hostname || allowed == authority
    })
}

/// Refuses MCP requests while stopping, and without a valid token (or the scopes the named
/// component needs) when auth is on; attaches the verified [`Identity`] for the pipeline.
pub(super) async fn mcp_endpoint(
    State(guard): State<Arc<Guard>>,
    mut request: Request,
) -> Response {
    // A POST is an exchange: counted until its response body is written (or dropped). GET
    // streams stay open for the session's life and are closed by shutdown instead.
    if request.method() != Method::POST {
        return admit(&guard, request).await;
    }
    let exchange = guard.exchanges.open();
    // Told the size of the body once it is written; rmcp hands the request's parts, with
    // this, to the handler (where `Logging` finds it).
    let meter = ReplyMeter::default();
    request.extensions_mut().insert(meter.clone());
    let response = admit(&guard, request).await;
    let (parts, body) = response.into_parts();
    let body = Body::new(Tracked::new(body, exchange, meter));
    Response::from_parts(parts, body)
}

async fn admit(guard: &Arc<Guard>, request: Request) -> Response {
    if guard.is_stopping() {
        return unavailable("the server is shutting down");
    }
    if !guard.server.is_ready() {
        return unavailable("the server is starting");
    }
    let client = presenter(&request);
    let (mut parts, body) = request.into_parts();
    // A session belongs to the subject that opened it: another token cannot use its id.
    let session = parts
        .headers
        .get(SESSION_HEADER)
        .and_then(|id| id.to_str().ok())
        .map(str::to_owned);
    let identity = match &guard.verifier {
        None => None,
        Some(verifier) => {
            if !guard.host_allowed(&parts.headers) {
                return foreign_host();
            }
            let identity = match bearer_token(&parts.headers) {
                Ok(token) => verifier.verify_presented(token, client).await,
                Err(error) => Err(error),
            };
            let identity = match identity {
                Ok(identity) => identity,
                Err(error) => return refused(&guard.metadata_url(&parts.headers), &error),
            };
            parts.extensions.insert(identity.clone());
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
            Some(identity)
        }
    };
    let closing = parts.method == Method::DELETE;
    // rmcp answers `202` to the `DELETE` of a session it does not know; the spec's answer for
    // an unknown session is `404`.
    if closing
        && let (Some(sessions), Some(session)) = (&guard.sessions, &session)
        && !sessions.has(session).await
    {
        return session_not_found();
    }
    let mut unread = None;
    let posted = if parts.method == Method::POST {
        match read_body(body, guard.max_body, guard.body_timeout).await {
            Ok(bytes) => Some(bytes),
            Err(refusal) => return refusal,
        }
    } else {
        unread = Some(body);
        None
    };
    if let (Some(identity), Some(bytes)) = (&identity, &posted)
        && !guard.scopes.is_empty()
        && let Some(routed) = route(&guard.server, bytes)
    {
        // A component request the token lacks scopes for is a 403 before it reaches the
        // server.
        let missing = identity.missing_scopes(routed.scopes());
        if !missing.is_empty() {
            return insufficient_scope(&guard.metadata_url(&parts.headers), &missing);
        }
        // Dispatch reads what was routed here instead of routing again.
        parts.extensions.insert(routed.into_routing());
    }
    // An `initialize` without a session opens one: within the caps. (Other requests without
    // one, such as a 2026-07-28 client's, open none and are not counted.)
    let reservation = match (&guard.sessions, &posted, &session) {
        (Some(sessions), Some(bytes), None) if let Some(id) = initialize_id(bytes) => {
            let holder: Arc<str> = match &identity {
                Some(identity) => Arc::from(format!("sub:{}", identity.subject())),
                None => match client.client() {
                    Some(ip) => Arc::from(ip.to_string()),
                    None => Arc::from("unknown"),
                },
            };
            match sessions.table.reserve(holder) {
                Ok((reservation, evicted)) => {
                    for id in evicted {
                        tracing::info!(
                            session = &*id,
                            "closed the session idle longest for a new one"
                        );
                        sessions.close(&id).await;
                    }
                    Some(reservation)
                }
                Err(full) => return sessions_full(&full.message(), id),
            }
        }
        _ => None,
    };
    let json_body = posted.is_some() && is_json(&parts.headers);
    let body = match (&posted, unread) {
        (Some(bytes), _) => Body::from(bytes.clone()),
        (None, Some(body)) => body,
        (None, None) => Body::empty(),
    };
    let response = (guard.mcp)(Request::from_parts(parts, body)).await;
    let opened = response
        .headers()
        .get(SESSION_HEADER)
        .and_then(|id| id.to_str().ok())
        .filter(|_| session.is_none() && response.status().is_success());
    if let (Some(reservation), Some(sessions), Some(opened)) =
        (reservation, &guard.sessions, opened)
    {
        sessions.table.register(reservation, opened);
    }
    if let (Some(bindings), Some(identity)) = (&guard.bindings, &identity) {
        match &session {
            Some(session) if closing && response.status().is_success() => {
                bindings.invalidate(session).await;
            }
            Some(_) => {}
            None => {
                if let Some(opened) = opened {
                    bindings
                        .insert(opened.to_owned(), Arc::from(identity.subject()))
                        .await;
                }
            }
        }
    }
    // rmcp answers a body it cannot read with a plain-text 415: answer as JSON-RPC says.
    if response.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE
        && json_body
        && let Some(bytes) = &posted
        && let Some(answer) = crate::transport::line::malformed(bytes)
    {
        return jsonrpc_error(StatusCode::BAD_REQUEST, answer);
    }
    response
}

/// The id of `body` when it is an `initialize` request (what opens a session): a string or
/// number id, else `null`; `None` for anything else.
fn initialize_id(body: &[u8]) -> Option<Value> {
    #[derive(serde::Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        method: Option<std::borrow::Cow<'a, str>>,
        id: Option<Value>,
    }
    let request = serde_json::from_slice::<Envelope<'_>>(body).ok()?;
    (request.method.as_deref() == Some("initialize")).then(|| {
        (request.id)
            .filter(|id| id.is_string() || id.is_i64() || id.is_u64())
            .unwrap_or(Value::Null)
    })
}

/// Whether the request says its body is JSON.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            let essence = value.split_once(';').map_or(value, |(essence, _)| essence);
            essence.trim().eq_ignore_ascii_case("application/json")
        })
}

/// Reads a request body of at most `max` bytes within `timeout`; a refusal otherwise: `413`
/// for a larger body, `408` for one that came too slowly, `400` for one that broke off.
async fn read_body(body: Body, max: usize, timeout: Duration) -> Result<Bytes, Response> {
    use http_body::Body as _;
    let read = async {
        let mut body = std::pin::pin!(body);
        let mut collected: Option<Bytes> = None;
        let mut more = Vec::new();
        while let Some(frame) = futures::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            let Ok(data) = frame.map_err(|_| StatusCode::BAD_REQUEST)?.into_data() else {
                continue;
            };
            let len = collected.as_ref().map_or(0, Bytes::len) + more.len() + data.len();
            if len > max {
                return Err(StatusCode::PAYLOAD_TOO_LARGE);
            }
            match &collected {
                None => collected = Some(data),
                Some(first) => {
                    if more.is_empty() {
                        more.extend_from_slice(first);
                    }
                    more.extend_from_slice(&data);
                }
            }
        }
        Ok(if more.is_empty() {
            collected.unwrap_or_default()
        } else {
            Bytes::from(more)
        })
    };
    let status = match tokio::time::timeout(timeout, read).await {
        Ok(Ok(bytes)) => return Ok(bytes),
        Ok(Err(status)) => status,
        Err(_) => StatusCode::REQUEST_TIMEOUT,
    };
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!("the request body is larger than {max} bytes"),
        StatusCode::REQUEST_TIMEOUT => format!(
            "the request body did not arrive within {}",
            crate::error::format_duration(timeout)
        ),
        _ => "the request body broke off".to_owned(),
    };
    Err(jsonrpc_error(
        status,
        json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": message}}),
    ))
}

/// A JSON-RPC error answer with an HTTP status.
fn jsonrpc_error(status: StatusCode, answer: Value) -> Response {
    (status, axum::Json(answer)).into_response()
}

/// `503` for an `initialize` over the session caps, answering its `id`.
fn sessions_full(message: &str, id: Value) -> Response {
    let mut response = jsonrpc_error(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32000, "message": message}}),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

const SESSION_HEADER: &str = "mcp-session-id";

/// Who sent `request`: its peer's address, when the server was served with connect info
/// (`bind_http` is).
fn presenter(request: &Request) -> Presenter {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(Presenter::unknown, |info| Presenter::from_addr(info.0.ip()))
}

/// Which subject opened each session (auth on, stateful mode). Entries idle longer than
/// rmcp's session keep-alive (5 minutes) outlive their session; they expire after twice that,
/// and a session whose entry is gone is refused (the client opens a new one), never opened
/// to whoever asks.
pub(super) type Bindings = moka::future::Cache<String, Arc<str>>;

pub(super) fn bindings() -> Bindings {
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

/// The component a JSON-RPC request body names, routed once (dispatch reuses it).
fn route(server: &Server, body: &[u8]) -> Option<crate::server::Routed> {
    let message: Value = serde_json::from_slice(body).ok()?;
    let method = message.get("method")?.as_str()?;
    server.route_message(method, message.get("params")?)
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

pub(super) fn foreign_host() -> Response {
    (
        StatusCode::FORBIDDEN,
        "Forbidden: Host header is not allowed",
    )
        .into_response()
}
