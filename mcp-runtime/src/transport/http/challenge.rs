//! Bearer tokens in, RFC 6750 challenges out: reading the `Authorization` header, and the 401,
//! 403 and 503 answers with their `WWW-Authenticate` header.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::auth::AuthError;

pub(super) fn bearer_token(headers: &HeaderMap) -> Result<&str, AuthError> {
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

pub(super) fn refused(metadata_url: &str, error: &AuthError) -> Response {
    let (status, code, reason) = match error {
        AuthError::Missing => (StatusCode::UNAUTHORIZED, None, "missing"),
        AuthError::Malformed(_) => (StatusCode::UNAUTHORIZED, Some("invalid_token"), "malformed"),
        AuthError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, None, "unavailable"),
        _ => (StatusCode::UNAUTHORIZED, Some("invalid_token"), "invalid"),
    };
    #[cfg(feature = "metrics")]
    crate::telemetry::auth_failure(reason);
    tracing::info!(reason, %error, "refused a request");
    let description = error.to_string();
    let mut challenge = format!("Bearer resource_metadata={}", quoted(metadata_url));
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

pub(super) fn insufficient_scope(metadata_url: &str, missing: &[&str]) -> Response {
    #[cfg(feature = "metrics")]
    crate::telemetry::auth_failure("forbidden");
    let scope = missing.join(" ");
    let description = format!("this request needs the scope `{scope}`");
    let challenge = format!(
        "Bearer error=\"insufficient_scope\", scope={}, resource_metadata={}, error_description={}",
        quoted(&scope),
        quoted(metadata_url),
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
