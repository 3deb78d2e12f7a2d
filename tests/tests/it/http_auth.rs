//! Bearer-token auth over real HTTP: every way a token can be wrong, scopes, the RFC 9728
//! metadata, JWKS fetching and refresh, static tokens, and auth from settings alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::http::{
    self, AUDIENCE, ISSUER, Mcp, claims, jwks, now, serve_ready, sign, sign_with, text, token,
};
use mcp_runtime::auth::{Auth, Identity, JwtVerifier, StaticTokens};
use mcp_runtime::http::HttpOptions;
use mcp_runtime::prelude::*;
use serde_json::{Value, json};

/// Who is calling.
#[tool(scopes = ["profile:read"])]
async fn whoami(auth: Auth) -> String {
    auth.subject().to_owned()
}

/// Resets everything.
#[tool(scopes = ["admin"])]
async fn admin_reset() -> String {
    "reset".to_owned()
}

/// Open to every authenticated caller.
#[tool]
async fn ping_tool() -> String {
    "pong".to_owned()
}

fn verifier() -> JwtVerifier {
    JwtVerifier::from_jwk_set(&jwks(&["a", "rsa"]))
        .expect("the test keys load")
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

fn server(verifier: impl mcp_runtime::auth::TokenVerifier) -> Server {
    Server::builder("auth-test")
        .tools(tools![whoami, admin_reset, ping_tool])
        .auth(verifier)
        .build()
        .expect("builds")
}

async fn start() -> (mcp_runtime::http::HttpServer, String) {
    let running = serve_ready(server(verifier()), HttpOptions::new().stateless(true)).await;
    let url = running.url();
    (running, url)
}

/// Calls `ping_tool` with `authorization` (a whole header value) and returns the answer.
async fn call_with_header(url: &str, authorization: Option<&str>) -> http::Answer {
    let mcp = Mcp::new(url);
    let body = json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": { "name": "ping_tool", "arguments": {} }
    });
    match authorization {
        Some(value) => mcp.post(&body, &[("authorization", value)]).await,
        None => mcp.post(&body, &[]).await,
    }
}

fn challenge(answer: &http::Answer) -> String {
    answer
        .header("www-authenticate")
        .unwrap_or_else(|| panic!("no WWW-Authenticate on HTTP {}", answer.status))
}

#[tokio::test]
async fn a_missing_token_gets_401_pointing_at_the_metadata() {
    let (running, url) = start().await;
    let answer = call_with_header(&url, None).await;
    assert_eq!(answer.status, 401);
    let challenge = challenge(&answer);
    let metadata_url = format!(
        "http://{}/.well-known/oauth-protected-resource/mcp",
        running.local_addr()
    );
    assert_eq!(
        challenge,
        format!("Bearer resource_metadata=\"{metadata_url}\"")
    );
    // The metadata it points at is served, and names the issuer and the declared scopes.
    let metadata: Value = reqwest::get(&metadata_url)
        .await
        .expect("metadata")
        .json()
        .await
        .expect("JSON");
    assert_eq!(metadata["resource"], url);
    assert_eq!(metadata["authorization_servers"], json!([ISSUER]));
    assert_eq!(
        metadata["scopes_supported"],
        json!(["admin", "profile:read"])
    );
    assert_eq!(metadata["bearer_methods_supported"], json!(["header"]));
    let root: Value = reqwest::get(format!(
        "http://{}/.well-known/oauth-protected-resource",
        running.local_addr()
    ))
    .await
    .expect("metadata")
    .json()
    .await
    .expect("JSON");
    assert_eq!(root, metadata);

    // A foreign Host gets nothing built from it: 403 before auth, on the metadata too.
    let mcp = Mcp::new(&url);
    let foreign = mcp
        .post(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
            &[("host", "evil.example.com")],
        )
        .await;
    assert_eq!(foreign.status, 403);
    assert!(foreign.header("www-authenticate").is_none());
    let foreign_metadata = reqwest::Client::new()
        .get(&metadata_url)
        .header("host", "evil.example.com")
        .send()
        .await
        .expect("sent");
    assert_eq!(foreign_metadata.status(), 403);
    // Refusals are counted.
    let metrics = reqwest::get(format!("http://{}/metrics", running.local_addr()))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(r#"mcp_auth_failures_total{reason="missing"}"#),
        "{metrics}"
    );
    running.shutdown().await.expect("clean shutdown");
}

/// Asserts a 401 with `error="invalid_token"` whose description contains `needle`.
async fn assert_invalid(url: &str, authorization: &str, needle: &str) {
    let answer = call_with_header(url, Some(authorization)).await;
    assert_eq!(answer.status, 401, "{authorization}: {}", answer.body);
    let challenge = challenge(&answer);
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(
        challenge.contains(needle),
        "`{needle}` not in the challenge for {authorization}: {challenge}"
    );
    assert!(challenge.contains("resource_metadata="), "{challenge}");
}

#[tokio::test]
async fn every_bad_token_gets_401_naming_the_problem() {
    let (running, url) = start().await;
    // Malformed.
    assert_invalid(&url, "Basic dXNlcjpwYXNz", "not `Bearer`").await;
    assert_invalid(&url, "Bearer ", "empty").await;
    assert_invalid(&url, "Bearer not-a-jwt", "malformed").await;
    // A signature by another key, under the trusted key's id.
    let forged = sign("b", Some("key-a"), &claims("mallory", "admin"));
    assert_invalid(&url, &format!("Bearer {forged}"), "signature").await;
    // Wrong issuer, wrong audience.
    let mut other_issuer = claims("alice", "");
    other_issuer["iss"] = json!("https://evil.test/");
    let wrong_iss = sign("a", Some("key-a"), &other_issuer);
    assert_invalid(&url, &format!("Bearer {wrong_iss}"), "issuer").await;
    let mut other_audience = claims("alice", "");
    other_audience["aud"] = json!("https://someone-else.test/");
    let wrong_aud = sign("a", Some("key-a"), &other_audience);
    assert_invalid(&url, &format!("Bearer {wrong_aud}"), "audience").await;
    // Expired, not valid yet.
    let mut old = claims("alice", "");
    old["exp"] = json!(now() - 3600);
    let expired = sign("a", Some("key-a"), &old);
    assert_invalid(&url, &format!("Bearer {expired}"), "expired").await;
    let mut early = claims("alice", "");
    early["nbf"] = json!(now() + 3600);
    let not_yet = sign("a", Some("key-a"), &early);
    assert_invalid(&url, &format!("Bearer {not_yet}"), "not valid yet").await;
    // `alg: none`: an unsigned token with a valid-looking payload.
    let unsigned = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(claims("mallory", "admin").to_string())
        )
    };
    assert_invalid(&url, &format!("Bearer {unsigned}"), "alg: none").await;
    // An algorithm outside the allow-list (HS256 with the public key as the secret: the
    // classic key-confusion attack).
    let hs = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims("mallory", "admin"),
        &jsonwebtoken::EncodingKey::from_secret(b"public key bytes"),
    )
    .expect("signs");
    assert_invalid(&url, &format!("Bearer {hs}"), "HS256").await;
    // A key id nobody published.
    let unknown_kid = sign("a", Some("key-zzz"), &claims("alice", ""));
    assert_invalid(&url, &format!("Bearer {unknown_kid}"), "key-zzz").await;
    // A token without a subject.
    let mut anonymous = claims("x", "");
    anonymous.as_object_mut().expect("object").remove("sub");
    let no_sub = sign("a", Some("key-a"), &anonymous);
    assert_invalid(&url, &format!("Bearer {no_sub}"), "sub").await;
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_token_with_critical_header_parameters_is_refused() {
    // RFC 7515 §4.1.11: a `crit` naming anything this server does not understand (it
    // understands no extension) refuses the token, though it is signed by the trusted key and
    // valid in every other way.
    let (running, url) = start().await;
    let alice = claims("alice", "");
    let plain = sign_with("a", Some("key-a"), &alice, |_| {});
    assert_eq!(
        call_with_header(&url, Some(&format!("Bearer {plain}")))
            .await
            .status,
        200,
        "the same token without `crit` passes"
    );
    let cases: [&[&str]; 4] = [
        // A registered claim marked critical (which `crit` may not even list).
        &["exp"],
        // An extension nobody here implements.
        &["https://example.com/proof-of-possession"],
        // Several, one of them real-looking.
        &["b64", "exp"],
        // The empty list, which the RFC forbids.
        &[],
    ];
    for names in cases {
        let critical = sign_with("a", Some("key-a"), &alice, |header| {
            header.crit = Some(names.iter().map(|name| (*name).to_owned()).collect());
            header
                .extras
                .insert("https://example.com/proof-of-possession", true);
        });
        assert_invalid(&url, &format!("Bearer {critical}"), "crit").await;
    }
    // `crit` that is not even a list: the header does not decode, and the answer says `crit`
    // rather than blaming the algorithm.
    let mangled = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let signature = plain.rsplit('.').next().expect("a signature");
        format!(
            "{}.{}.{signature}",
            b64.encode(r#"{"alg":"ES256","kid":"key-a","crit":"exp"}"#),
            b64.encode(alice.to_string())
        )
    };
    assert_invalid(&url, &format!("Bearer {mangled}"), "crit").await;
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_valid_token_reaches_the_tool_and_scopes_decide_the_rest() {
    let (running, url) = start().await;
    // RS256 and ES256 are both accepted by default.
    let mut alice = Mcp::new(&url).with_token(sign(
        "rsa",
        Some("key-rsa"),
        &claims("alice", "profile:read"),
    ));
    let answer = alice.call("whoami", json!({})).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(text(&answer), "alice");
    // Lists only show what the caller may use.
    let mut names = alice.tool_names().await;
    names.sort();
    assert_eq!(names, ["ping_tool", "whoami"]);

    // Missing scope: 403 with the scope it needs, before the tool runs.
    let refused = alice.call("admin_reset", json!({})).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let challenge = challenge(&refused);
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.contains("scope=\"admin\""), "{challenge}");

    // A token without any scope may still call unscoped tools.
    let mut nobody = Mcp::new(&url).with_token(token("nobody", ""));
    assert_eq!(text(&nobody.call("ping_tool", json!({})).await), "pong");
    assert_eq!(nobody.tool_names().await, ["ping_tool"]);
    assert_eq!(nobody.call("whoami", json!({})).await.status, 403);

    let mut admin = Mcp::new(&url).with_token(token("root", "admin profile:read"));
    assert_eq!(text(&admin.call("admin_reset", json!({})).await), "reset");
    assert_eq!(admin.tool_names().await.len(), 3);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn scopes_are_enforced_on_http_even_without_auth() {
    // A server on the network without a verifier serves no scoped component.
    let server = Server::builder("open")
        .tools(tools![whoami, ping_tool])
        .build()
        .expect("builds");
    let running = serve_ready(server, HttpOptions::new().stateless(true)).await;
    let mut mcp = Mcp::new(running.url());
    assert_eq!(mcp.tool_names().await, ["ping_tool"]);
    let refused = mcp.call("whoami", json!({})).await;
    assert_eq!(refused.error()["code"], -32003);
    assert!(
        refused.error()["message"]
            .as_str()
            .unwrap_or_default()
            .contains("`profile:read`"),
        "{}",
        refused.body
    );
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn static_tokens_stand_for_their_identity() {
    let tokens = StaticTokens::new()
        .token(
            "dev-alice",
            Identity::new("alice").with_scopes(["profile:read"]),
        )
        .token("dev-bob", Identity::new("bob"));
    let running = serve_ready(server(tokens), HttpOptions::new().stateless(true)).await;
    let mut alice = Mcp::new(running.url()).with_token("dev-alice");
    assert_eq!(text(&alice.call("whoami", json!({})).await), "alice");
    let mut bob = Mcp::new(running.url()).with_token("dev-bob");
    assert_eq!(bob.call("whoami", json!({})).await.status, 403);
    let mut eve = Mcp::new(running.url()).with_token("dev-eve");
    assert_eq!(eve.call("ping_tool", json!({})).await.status, 401);
    running.shutdown().await.expect("clean shutdown");
}

/// A JWKS endpoint on loopback whose keys can change, counting fetches.
struct Idp {
    addr: std::net::SocketAddr,
    keys: Arc<std::sync::Mutex<Vec<&'static str>>>,
    fetches: Arc<AtomicUsize>,
    /// While set, the JWKS endpoint answers 500.
    down: Arc<std::sync::atomic::AtomicBool>,
}

async fn idp(keys: &[&'static str]) -> Idp {
    let keys = Arc::new(std::sync::Mutex::new(keys.to_vec()));
    let fetches = Arc::new(AtomicUsize::new(0));
    let down = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let app = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get({
            let keys = keys.clone();
            let fetches = fetches.clone();
            let down = down.clone();
            move || {
                let keys = keys.lock().expect("lock").clone();
                fetches.fetch_add(1, Ordering::SeqCst);
                let down = down.load(Ordering::SeqCst);
                async move {
                    use axum::response::IntoResponse;
                    if down {
                        return axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
                    }
                    axum::Json(serde_json::to_value(jwks(&keys)).expect("JSON")).into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Idp {
        addr,
        keys,
        fetches,
        down,
    }
}

#[tokio::test]
async fn jwks_is_fetched_once_cached_and_refetched_for_an_unknown_kid() {
    let idp = idp(&["a"]).await;
    let verifier = JwtVerifier::jwks(format!("http://{}/jwks.json", idp.addr))
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .refresh_cooldown(Duration::ZERO);
    let running = serve_ready(server(verifier), HttpOptions::new().stateless(true)).await;
    let url = running.url();
    for _ in 0..3 {
        let answer = call_with_header(&url, Some(&format!("Bearer {}", token("alice", "")))).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    assert_eq!(
        idp.fetches.load(Ordering::SeqCst),
        1,
        "cached after the first fetch"
    );

    // The provider rotates to key b: a token naming it triggers one refetch, then passes.
    *idp.keys.lock().expect("lock") = vec!["a", "b"];
    let rotated = sign("b", Some("key-b"), &claims("alice", ""));
    let answer = call_with_header(&url, Some(&format!("Bearer {rotated}"))).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(idp.fetches.load(Ordering::SeqCst), 2);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn unknown_kids_cannot_make_the_server_hammer_the_provider() {
    let idp = idp(&["a"]).await;
    let verifier = JwtVerifier::jwks(format!("http://{}/jwks.json", idp.addr))
        .issuer(ISSUER)
        .audience(AUDIENCE);
    let running = serve_ready(server(verifier), HttpOptions::new().stateless(true)).await;
    let url = running.url();
    for i in 0..5 {
        let made_up = sign("a", Some(&format!("kid-{i}")), &claims("mallory", ""));
        let answer = call_with_header(&url, Some(&format!("Bearer {made_up}"))).await;
        assert_eq!(answer.status, 401);
    }
    // The first fetch, plus at most one refresh within the 10 s cooldown.
    assert!(idp.fetches.load(Ordering::SeqCst) <= 2);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_unreachable_jwks_is_a_503_not_a_401() {
    let verifier = JwtVerifier::jwks("http://127.0.0.1:9/jwks.json").issuer(ISSUER);
    let running = serve_ready(server(verifier), HttpOptions::new().stateless(true)).await;
    let answer =
        call_with_header(&running.url(), Some(&format!("Bearer {}", token("a", "")))).await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn configuration_alone_turns_jwt_auth_on() {
    let idp = idp(&["a"]).await;
    let jwks_uri = format!("http://{}/jwks.json", idp.addr);
    let config = mcp_runtime::config::Config::builder()
        .env([
            ("MCP_AUTH__JWKS_URI", jwks_uri.as_str()),
            ("MCP_AUTH__ISSUER", ISSUER),
            ("MCP_AUTH__AUDIENCE", AUDIENCE),
            ("MCP_AUTH__ALGORITHMS", "ES256"),
            ("MCP_AUTH__RESOURCE", "https://mcp.test/mcp"),
            ("MCP_HTTP__STATELESS", "true"),
        ])
        .load()
        .expect("loads");
    let settings = config.settings().expect("valid settings");
    let options = HttpOptions::from_settings(&settings);
    assert!(options.stateless);
    let server = Server::builder("configured")
        .tools(tools![whoami, ping_tool])
        .settings(settings)
        .build()
        .expect("builds");
    let running = serve_ready(server, options).await;
    let url = running.url();
    let missing = call_with_header(&url, None).await;
    assert_eq!(missing.status, 401);
    // The metadata URL comes from MCP_AUTH__RESOURCE, not the request's Host.
    assert_eq!(
        challenge(&missing),
        "Bearer resource_metadata=\"https://mcp.test/.well-known/oauth-protected-resource/mcp\""
    );
    let mut alice = Mcp::new(&url).with_token(token("alice", "profile:read"));
    assert_eq!(text(&alice.call("whoami", json!({})).await), "alice");
    // RS256 is not in MCP_AUTH__ALGORITHMS.
    let rsa = sign("rsa", Some("key-rsa"), &claims("alice", ""));
    assert_eq!(
        call_with_header(&url, Some(&format!("Bearer {rsa}")))
            .await
            .status,
        401
    );
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn keys_fetched_before_keep_verifying_while_the_provider_is_down() {
    let idp = idp(&["a"]).await;
    let verifier = JwtVerifier::jwks(format!("http://{}/jwks.json", idp.addr))
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .refresh_cooldown(Duration::ZERO);
    let running = serve_ready(server(verifier), HttpOptions::new().stateless(true)).await;
    let url = running.url();
    let bearer = format!("Bearer {}", token("alice", ""));
    assert_eq!(call_with_header(&url, Some(&bearer)).await.status, 200);

    idp.down.store(true, Ordering::SeqCst);
    // A token naming a new key makes the server ask the provider, which fails: that token is
    // refused as unknown (401), and tokens of the keys it had still pass.
    let rotated = sign("b", Some("key-b"), &claims("alice", ""));
    let answer = call_with_header(&url, Some(&format!("Bearer {rotated}"))).await;
    assert_eq!(answer.status, 401, "{}", answer.body);
    assert!(challenge(&answer).contains("key-b"));
    assert_eq!(call_with_header(&url, Some(&bearer)).await.status, 200);
    assert!(
        idp.fetches.load(Ordering::SeqCst) >= 2,
        "the provider was asked again"
    );
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_provider_that_is_down_is_not_asked_by_every_request() {
    let idp = idp(&["a"]).await;
    idp.down.store(true, Ordering::SeqCst);
    let verifier = JwtVerifier::jwks(format!("http://{}/jwks.json", idp.addr)).issuer(ISSUER);
    let running = serve_ready(server(verifier), HttpOptions::new().stateless(true)).await;
    let bearer = format!("Bearer {}", token("alice", ""));
    for _ in 0..5 {
        assert_eq!(
            call_with_header(&running.url(), Some(&bearer)).await.status,
            503
        );
    }
    assert_eq!(
        idp.fetches.load(Ordering::SeqCst),
        1,
        "failures are remembered for the cooldown"
    );
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_session_belongs_to_the_subject_that_opened_it() {
    let running = serve_ready(server(verifier()), HttpOptions::new()).await;
    let url = running.url();
    let mut alice = Mcp::new(&url).with_token(token("alice", "profile:read"));
    assert_eq!(alice.initialize().await.status, 200);
    let session = alice.session.clone().expect("a stateful session");

    // Bob, with a valid token of his own, cannot ride on Alice's session.
    let mut bob = Mcp::new(&url).with_token(token("bob", "profile:read"));
    bob.session = Some(session.clone());
    let hijack = bob.call("whoami", json!({})).await;
    assert_eq!(hijack.status, 404, "{}", hijack.body);

    assert_eq!(text(&alice.call("whoami", json!({})).await), "alice");
    // Closing the session ends it for its owner too.
    let closed = alice
        .http
        .delete(&url)
        .bearer_auth(alice.token.clone().expect("a token"))
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-06-18")
        .send()
        .await
        .expect("DELETE is sent");
    assert!(closed.status().is_success(), "DELETE: {}", closed.status());
    assert_eq!(alice.call("whoami", json!({})).await.status, 404);
    running.shutdown().await.expect("clean shutdown");
}
