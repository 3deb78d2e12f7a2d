//! Helpers for the tests over real HTTP on loopback: serving a server on a free port, a
//! minimal streamable-HTTP client, and JWTs signed with the test keys in `support/keys/`.

#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mcp_runtime::Server;
use mcp_runtime::http::{HttpOptions, HttpServer};
use serde_json::{Value, json};

pub const ES256_A: &str = include_str!("keys/es256-a.pem");
pub const ES256_B: &str = include_str!("keys/es256-b.pem");
pub const RS256: &str = include_str!("keys/rs256.pem");
const JWKS: &str = include_str!("keys/jwks.json");

pub const ISSUER: &str = "https://issuer.test/";
pub const AUDIENCE: &str = "https://mcp.test/mcp";

/// Serves `server` on 127.0.0.1 with a free port.
pub async fn serve(server: Server, options: HttpOptions) -> HttpServer {
    server
        .bind_http(options.host("127.0.0.1").port(0))
        .await
        .expect("the server binds a loopback port")
}

/// Serves `server` with default options on a free port and waits until it is ready.
pub async fn serve_ready(server: Server, options: HttpOptions) -> HttpServer {
    let running = serve(server, options).await;
    wait_ready(&format!("http://{}/readyz", running.local_addr())).await;
    running
}

/// Waits until `readyz` (a server's `/readyz` URL) answers 200; fails the test after 2 s.
pub async fn wait_ready(readyz: &str) {
    for _ in 0..200 {
        if reqwest::get(readyz)
            .await
            .is_ok_and(|response| response.status() == 200)
        {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{readyz} never answered 200");
}

/// The JWK set holding the public keys named (`a`, `b`, `rsa`).
pub fn jwks(keys: &[&str]) -> JwkSet {
    let all: Value = serde_json::from_str(JWKS).expect("jwks.json is JSON");
    let keys: Vec<Value> = keys.iter().map(|k| all[*k].clone()).collect();
    serde_json::from_value(json!({ "keys": keys })).expect("a JWK set")
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// Claims for `sub` with `scope`, valid for an hour, for the test issuer and audience.
pub fn claims(sub: &str, scope: &str) -> Value {
    json!({
        "sub": sub,
        "scope": scope,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now(),
        "exp": now() + 3600,
    })
}

/// Test key `key` (`a`, `b` or `rsa`) and the algorithm it signs with.
pub fn signing_key(key: &str) -> (Algorithm, EncodingKey) {
    let (alg, encoding) = match key {
        "a" => (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(ES256_A.as_bytes()),
        ),
        "b" => (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(ES256_B.as_bytes()),
        ),
        "rsa" => (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(RS256.as_bytes()),
        ),
        other => panic!("no test key `{other}`"),
    };
    (alg, encoding.expect("the test key loads"))
}

/// A JWT with `claims`, signed by test key `key` (`a`, `b` or `rsa`) and naming key id `kid`.
pub fn sign(key: &str, kid: Option<&str>, claims: &Value) -> String {
    sign_with(key, kid, claims, |_| {})
}

/// [`sign`], with the JOSE header changed by `edit` first (its `alg` is the key's).
pub fn sign_with(
    key: &str,
    kid: Option<&str>,
    claims: &Value,
    edit: impl FnOnce(&mut Header),
) -> String {
    let (alg, encoding) = signing_key(key);
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    edit(&mut header);
    jsonwebtoken::encode(&header, claims, &encoding).expect("the token signs")
}

/// A token for `sub` with `scope`, signed by key `a` (kid `key-a`).
pub fn token(sub: &str, scope: &str) -> String {
    sign("a", Some("key-a"), &claims(sub, scope))
}

/// A minimal streamable-HTTP MCP client: JSON-RPC POSTs, reading JSON or SSE answers.
pub struct Mcp {
    pub url: String,
    pub http: reqwest::Client,
    pub token: Option<String>,
    pub session: Option<String>,
    next_id: u64,
}

/// An HTTP answer: status, headers and the JSON-RPC message it carried (if any).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
    pub message: Option<Value>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    }

    /// The JSON-RPC result, failing the test on an error answer.
    pub fn result(&self) -> &Value {
        let message = self
            .message
            .as_ref()
            .unwrap_or_else(|| panic!("no JSON-RPC message (HTTP {}): {}", self.status, self.body));
        message
            .get("result")
            .unwrap_or_else(|| panic!("not a result: {message}"))
    }

    /// The JSON-RPC error, failing the test on a result.
    pub fn error(&self) -> &Value {
        let message = self.message.as_ref().expect("a JSON-RPC message");
        message
            .get("error")
            .unwrap_or_else(|| panic!("not an error: {message}"))
    }
}

impl Mcp {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            http: reqwest::Client::new(),
            token: None,
            session: None,
            next_id: 1,
        }
    }

    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// POSTs `body` with the usual headers (plus the token and session, if any) and `extra`.
    pub async fn post(&self, body: &Value, extra: &[(&str, &str)]) -> Answer {
        let mut request = self
            .http
            .post(&self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .json(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(session) = &self.session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", "2025-06-18");
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the request is sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        let message = parse_message(&body);
        Answer {
            status,
            headers,
            body,
            message,
        }
    }

    /// `initialize`, then `notifications/initialized`; keeps the session id if one is given.
    pub async fn initialize(&mut self) -> Answer {
        let answer = self
            .post(
                &json!({
                    "jsonrpc": "2.0", "id": 0, "method": "initialize",
                    "params": {
                        "protocolVersion": "2025-06-18",
                        "capabilities": {},
                        "clientInfo": { "name": "http-test", "version": "1.0" }
                    }
                }),
                &[],
            )
            .await;
        if answer.status == 200 {
            self.session = answer.header("mcp-session-id");
            let initialized = self
                .post(
                    &json!({ "jsonrpc": "2.0", "method": "notifications/initialized" }),
                    &[],
                )
                .await;
            assert!(
                initialized.status < 300,
                "initialized: HTTP {}",
                initialized.status
            );
        }
        answer
    }

    /// Sends one request and returns the answer.
    pub async fn request(&mut self, method: &str, params: Value) -> Answer {
        let id = self.next_id;
        self.next_id += 1;
        self.post(
            &json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }),
            &[],
        )
        .await
    }

    /// `tools/call`.
    pub async fn call(&mut self, tool: &str, arguments: Value) -> Answer {
        self.request(
            "tools/call",
            json!({ "name": tool, "arguments": arguments }),
        )
        .await
    }

    /// The names `tools/list` returns.
    pub async fn tool_names(&mut self) -> Vec<String> {
        let answer = self.request("tools/list", json!({})).await;
        answer.result()["tools"]
            .as_array()
            .expect("a tool list")
            .iter()
            .map(|tool| tool["name"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// The JSON-RPC response in a body: JSON, or the last SSE `data:` event carrying an `id`.
fn parse_message(body: &str) -> Option<Value> {
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        return Some(value);
    }
    body.lines()
        .rev()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .find(|message| message.get("id").is_some())
}

/// The text of the first content block of a `tools/call` result.
pub fn text(answer: &Answer) -> String {
    answer.result()["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
