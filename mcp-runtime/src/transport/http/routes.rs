//! The routes beside the MCP endpoint: health, readiness, metrics and the OAuth protected
//! resource metadata.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::admission::{Guard, foreign_host};

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

#[cfg(feature = "metrics")]
pub(super) async fn metrics() -> Response {
    match crate::telemetry::render() {
        Some(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
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
