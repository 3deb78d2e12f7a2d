//! Built-in middleware: [`Logging`], one structured `tracing` event per request.

use std::time::{Duration, Instant};

use rmcp::ErrorData as McpError;
use rmcp::model::RequestId;
use serde_json::Value;

use super::errors::CorrelationId;
use super::size::{request_len, response_json, response_len};
use crate::middleware::reply::ReplyMeter;
use crate::middleware::{Middleware, Next, Request, Response};
use crate::util::BoxFuture;

/// Keys whose values are redacted by default in logged payloads: a key is secret when,
/// lower-cased and without `_` and `-`, it contains one of these.
const DEFAULT_SECRET_KEYS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "authorization",
    "cookie",
    "credential",
    "privatekey",
    "sessionid",
];

/// What replaces a redacted value.
pub(crate) const REDACTED: &str = "[redacted]";

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// A result, and for a tool call one without `isError`.
    Ok,
    /// A tool call whose result has `isError: true` (the tool failed, or refused the
    /// arguments): the call itself succeeded.
    ToolError,
    /// A JSON-RPC error.
    Error,
}

impl Outcome {
    /// Classifies a pipeline result.
    pub fn of(result: &Result<Response, McpError>) -> Self {
        match result {
            Ok(Response::CallTool(result)) if result.is_error == Some(true) => Outcome::ToolError,
            Ok(_) => Outcome::Ok,
            Err(_) => Outcome::Error,
        }
    }

    /// `ok`, `tool_error` or `error`, as logged.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::ToolError => "tool_error",
            Outcome::Error => "error",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Structured request logging: one `tracing` event per request, with target
/// [`Logging::TARGET`] (`mcp_runtime::requests`).
///
/// Every event has the fields `method` (`tools/call`, …), `component` (the tool or prompt
/// name, the resource URI; empty for lists), `request_id`, `duration_ms`, `outcome` (`ok`,
/// `tool_error` or `error`), `request_bytes` (the serialized arguments, or the URI) and
/// `response_bytes` (the answer's size as the transport wrote it, counted by the one
/// serialization it does, so the event follows the write: over stdio, in memory and `serve`
/// the JSON-RPC message; over HTTP the response body, an event stream with its framing), and
/// `correlation_id` when
/// [`ErrorHandling`](super::ErrorHandling) runs before it. JSON-RPC errors add `error_code` and
/// `error`, and are logged at `WARN`; everything else at `INFO`.
///
/// Payloads are not logged unless [`with_payloads(true)`](Self::with_payloads): then the
/// fields `request` and `response` hold them as JSON, with the values of secret keys
/// replaced by `"[redacted]"` at any depth, and cut at [`max_payload`](Self::max_payload)
/// bytes. A key is secret when, lower-cased and without `_` and `-`, it contains `password`,
/// `passwd`, `secret`, `token`, `apikey`, `authorization`, `cookie`, `credential`,
/// `privatekey` or `sessionid` (so `api_key`, `X-Api-Key` and `access_token` are), or one of
/// the keys added with [`redact`](Self::redact). Only structured values are redacted: a secret
/// inside free text is not.
///
/// When the event's level is disabled, the middleware only passes the request on: it measures
/// nothing and serializes nothing.
///
/// The SDK's own targets never reach the MCP client as log notifications
/// ([`client_layer`](crate::logging::client_layer) skips them), so payloads stay in the
/// server's logs.
///
/// ```
/// use mcp_runtime::prelude::*;
/// use mcp_runtime::middleware::Logging;
///
/// let builder = Server::builder("notes")
///     .middleware(Logging::new().with_payloads(true).redact(["ssn", "pin"]));
/// ```
#[derive(Debug, Clone)]
pub struct Logging {
    payloads: bool,
    secret_keys: Vec<String>,
    max_payload: usize,
}

impl Default for Logging {
    fn default() -> Self {
        Self::new()
    }
}

impl Logging {
    /// The `tracing` target of the events.
    pub const TARGET: &'static str = "mcp_runtime::requests";

    /// Logs every request without payloads.
    pub fn new() -> Self {
        Self {
            payloads: false,
            secret_keys: DEFAULT_SECRET_KEYS.iter().map(|&k| k.to_owned()).collect(),
            max_payload: 4096,
        }
    }

    /// Whether to log request arguments and results (redacted). Off by default.
    pub fn with_payloads(mut self, payloads: bool) -> Self {
        self.payloads = payloads;
        self
    }

    /// Adds secret keys, redacted in logged payloads, to the default ones. Matching ignores
    /// case, `_` and `-`, and a key matches when it contains one of these.
    pub fn redact<I, S>(mut self, keys: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.secret_keys
            .extend(keys.into_iter().map(|key| normalize_key(key.as_ref())));
        self
    }

    /// The most bytes of each logged payload; the rest is cut and replaced by a note of the
    /// full size. 4096 by default.
    pub fn max_payload(mut self, bytes: usize) -> Self {
        self.max_payload = bytes;
        self
    }

    fn payload(&self, mut value: Value) -> String {
        redact_secrets(&mut value, &self.secret_keys);
        let mut text = value.to_string();
        if text.len() > self.max_payload {
            let total = text.len();
            let mut cut = self.max_payload;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str(&format!("… ({total} bytes)"));
        }
        text
    }
}

impl Middleware for Logging {
    fn on_request(
        &self,
        request: Request,
        next: Next,
    ) -> BoxFuture<'_, Result<Response, McpError>> {
        Box::pin(async move {
            // WARN is the lowest bar any event of this middleware has to pass.
            if !tracing::enabled!(target: Logging::TARGET, tracing::Level::WARN) {
                return next.run_request(request).await;
            }
            let meter = ReplyMeter::of(request.extensions()).cloned();
            let id = request.request_id().clone();
            let request_payload = self.payloads.then(|| self.payload(request_json(&request)));
            let mut line = Line {
                method: request.method(),
                component: request.target().unwrap_or_default().to_owned(),
                request_id: request_id_text(&id),
                correlation_id: request.extensions().get::<CorrelationId>().cloned(),
                duration_ms: 0.0,
                outcome: Outcome::Ok,
                request_bytes: request_len(&request),
                error: None,
                payloads: self.payloads,
                request_payload,
                response_payload: None,
            };

            let started = Instant::now();
            let result = next.run_request(request).await;
            line.duration_ms = millis(started.elapsed());

            line.outcome = Outcome::of(&result);
            match &result {
                Ok(response) if self.payloads => {
                    line.response_payload = Some(self.payload(response_json(response)));
                }
                Ok(_) => {}
                Err(error) => line.error = Some((error.code.0, error.message.to_string())),
            }
            match meter {
                // The size of the answer as the transport writes it; the line waits for it
                // (in the request's span, should there be one).
                Some(meter) => {
                    let span = tracing::Span::current();
                    meter.on_reply(
                        id,
                        Box::new(move |bytes| span.in_scope(|| line.emit(bytes.unwrap_or(0)))),
                    );
                }
                // A transport that does not report sizes (a `Server` driven directly, or a
                // caller's own transport): the result as serialized here.
                None => {
                    let bytes = result.as_ref().map(response_len).unwrap_or(0);
                    line.emit(bytes);
                }
            }
            result
        })
    }
}

/// A request id as the log line shows it (`RequestId`'s `Display`), without the formatting
/// machinery for the usual numeric one.
fn request_id_text(id: &RequestId) -> String {
    match id {
        RequestId::Number(n) => {
            let mut text = String::with_capacity(21);
            if *n < 0 {
                text.push('-');
            }
            crate::logging::push_u64(&mut text, n.unsigned_abs());
            text
        }
        RequestId::String(text) => text.to_string(),
    }
}

/// One request's event, its fields gathered before the answer's size is known.
struct Line {
    method: &'static str,
    component: String,
    request_id: String,
    correlation_id: Option<CorrelationId>,
    duration_ms: f64,
    outcome: Outcome,
    request_bytes: usize,
    /// The JSON-RPC error's code and message.
    error: Option<(i32, String)>,
    payloads: bool,
    request_payload: Option<String>,
    response_payload: Option<String>,
}

impl Line {
    fn emit(self, response_bytes: usize) {
        let Line {
            method,
            component,
            request_id,
            correlation_id,
            duration_ms,
            outcome,
            request_bytes,
            error,
            payloads,
            request_payload,
            response_payload,
        } = self;
        let correlation_id = correlation_id.as_ref().map(CorrelationId::as_str);
        let request_payload = request_payload.as_deref();
        let response_payload = response_payload.as_deref();
        match error {
            // The default line, without the payload fields (each costs even when empty).
            None if !payloads => tracing::info!(
                target: Logging::TARGET,
                method,
                component,
                request_id,
                correlation_id,
                duration_ms,
                outcome = outcome.as_str(),
                request_bytes,
                response_bytes,
                message = "request handled",
            ),
            None => tracing::info!(
                target: Logging::TARGET,
                method,
                component,
                request_id,
                correlation_id,
                duration_ms,
                outcome = outcome.as_str(),
                request_bytes,
                response_bytes,
                request = request_payload,
                response = response_payload,
                "request handled"
            ),
            Some((error_code, error)) => tracing::warn!(
                target: Logging::TARGET,
                method,
                component,
                request_id,
                correlation_id,
                duration_ms,
                outcome = outcome.as_str(),
                request_bytes,
                response_bytes,
                error_code,
                error = %error,
                request = request_payload,
                "request failed"
            ),
        }
    }
}

/// A duration in milliseconds, to the microsecond.
pub(crate) fn millis(duration: Duration) -> f64 {
    duration.as_micros() as f64 / 1000.0
}

/// What the request carries, as JSON: a tool's or prompt's arguments, a resource's URI.
fn request_json(request: &Request) -> Value {
    match request {
        Request::CallTool(call) => Value::Object(call.arguments.clone()),
        Request::GetPrompt(get) => Value::Object(get.arguments.clone()),
        Request::ReadResource(read) => serde_json::json!({ "uri": read.uri }),
        _ => Value::Null,
    }
}

/// `API-Key` → `apikey`.
fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Replaces, at any depth, the value of every key that contains one of `secret_keys`
/// (normalized), also inside strings that hold a JSON object or array (a structured result's
/// text copy). Returns whether it replaced anything.
pub(crate) fn redact_secrets(value: &mut Value, secret_keys: &[String]) -> bool {
    let mut redacted = false;
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let key = normalize_key(key);
                if secret_keys
                    .iter()
                    .any(|secret| key.contains(secret.as_str()))
                {
                    *value = Value::String(REDACTED.to_owned());
                    redacted = true;
                } else {
                    redacted |= redact_secrets(value, secret_keys);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                redacted |= redact_secrets(item, secret_keys);
            }
        }
        Value::String(text) if text.trim_start().starts_with(['{', '[']) => {
            if let Ok(mut inner) = serde_json::from_str::<Value>(text)
                && redact_secrets(&mut inner, secret_keys)
            {
                *text = inner.to_string();
                redacted = true;
            }
        }
        _ => {}
    }
    redacted
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_ids_read_as_their_display() {
        for id in [
            RequestId::Number(0),
            RequestId::Number(7),
            RequestId::Number(1234567890),
            RequestId::Number(-42),
            RequestId::Number(i64::MIN),
            RequestId::Number(i64::MAX),
            RequestId::String("abc-1".into()),
            RequestId::String("".into()),
        ] {
            assert_eq!(request_id_text(&id), id.to_string());
        }
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let keys = Logging::new().redact(["SSN"]).secret_keys;
        let mut value = json!({
            "user": "ada",
            "password": "hunter2",
            "nested": {"API-Key": "k", "list": [{"access_token": "t", "ok": 1}]},
            "ssn": "123",
            "text": "{\"token\":\"t\",\"n\":1}",
        });
        assert!(redact_secrets(&mut value, &keys));
        assert_eq!(
            value,
            json!({
                "user": "ada",
                "password": REDACTED,
                "nested": {"API-Key": REDACTED, "list": [{"access_token": REDACTED, "ok": 1}]},
                "ssn": REDACTED,
                "text": "{\"n\":1,\"token\":\"[redacted]\"}",
            })
        );
    }

    #[test]
    fn long_payloads_are_cut_on_a_char_boundary() {
        let logging = Logging::new().with_payloads(true).max_payload(5);
        let text = logging.payload(json!("ééééé"));
        assert!(text.starts_with("\"éé"), "{text}");
        assert!(text.ends_with("(12 bytes)"), "{text}");
    }
}
