//! The routes beside the MCP endpoint: health, readiness, metrics and the OAuth protected
//! resource metadata.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::admission::{Guard, foreign_host};
#[cfg(feature = "metrics")]
use super::{admission::host_allowed, challenge::bearer_token};

pub(super) async fn healthz() -> Response {
    axum::Json(json!({ "status": "ok" })).into_response()
}

pub(super) async fn readyz(State(guard): State<Arc<Guard>>) -> Response {
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

/// Who may read `/metrics`: requests with an allowed `Host` and, when a token is set, that
/// token.
#[cfg(feature = "metrics")]
pub(super) struct MetricsAccess {
    pub(super) allowed_hosts: Vec<String>,
    pub(super) token: Option<crate::config::Secret<String>>,
}

/// The Prometheus text format, behind the `Host` check and the token (if any).
#[cfg(feature = "metrics")]
pub(super) async fn metrics(
    State(access): State<Arc<MetricsAccess>>,
    headers: HeaderMap,
) -> Response {
    use axum::http::header;
    if !host_allowed(&access.allowed_hosts, &headers) {
        return foreign_host();
    }
    if let Some(expected) = &access.token {
        let presented = bearer_token(&headers).ok().unwrap_or_default();
        if !crate::util::constant_time_eq(presented.as_bytes(), expected.expose().as_bytes()) {
            tracing::info!("refused a /metrics request without the metrics token");
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, r#"Bearer realm="metrics""#)],
                "/metrics needs the metrics token (`Authorization: Bearer <token>`)",
            )
                .into_response();
        }
    }
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

/// RFC 9728 protected resource metadata.
pub(super) async fn protected_resource_metadata(
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
