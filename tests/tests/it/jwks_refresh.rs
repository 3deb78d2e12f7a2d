//! JWKS refresh under attack, against a real identity provider on loopback whose answers the
//! test holds and releases: a slow fetch never holds up a token whose key is known, made-up key
//! ids share one fetch and start at most one per cooldown (and one per client), and a token
//! inside the cooldown is refused at once. Nothing here measures time: "at once" is "on the
//! first poll", "while the fetch is pending" is "while the provider holds it".

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

use crate::support::http::{AUDIENCE, ISSUER, claims, jwks, serve_ready, sign, token};
use mcp_runtime::auth::{AuthError, Identity, JwtVerifier, Presenter, TokenVerifier};
use mcp_runtime::http::HttpOptions;
use mcp_runtime::prelude::*;
use serde_json::json;
use tokio::sync::watch;

/// An identity provider serving `/jwks.json`, counting the fetches that reach it and, while
/// held, keeping each one waiting until released.
struct Idp {
    url: String,
    keys: Arc<Mutex<Vec<&'static str>>>,
    /// How many fetches reached the provider.
    fetches: watch::Receiver<usize>,
    /// `false`: fetches wait.
    open: watch::Sender<bool>,
}

impl Idp {
    async fn start(keys: &[&'static str]) -> Self {
        let keys = Arc::new(Mutex::new(keys.to_vec()));
        let (count, fetches) = watch::channel(0_usize);
        let (open, gate) = watch::channel(true);
        let app = axum::Router::new().route(
            "/jwks.json",
            axum::routing::get({
                let keys = keys.clone();
                move || {
                    count.send_modify(|n| *n += 1);
                    let mut gate = gate.clone();
                    let keys = keys.clone();
                    async move {
                        // A dropped sender (the test ended) opens the gate too.
                        let _ = gate.wait_for(|open| *open).await;
                        let keys = keys.lock().expect("lock").clone();
                        axum::Json(serde_json::to_value(jwks(&keys)).expect("JSON"))
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url: format!("http://{addr}/jwks.json"),
            keys,
            fetches: fetches.clone(),
            open,
        }
    }

    fn fetches(&self) -> usize {
        *self.fetches.borrow()
    }

    /// Waits until `n` fetches have reached the provider.
    async fn reached(&self, n: usize) {
        let mut fetches = self.fetches.clone();
        fetches
            .wait_for(|count| *count >= n)
            .await
            .expect("the provider runs");
    }

    fn hold(&self) {
        self.open.send_replace(false);
    }

    fn release(&self) {
        self.open.send_replace(true);
    }

    fn rotate(&self, keys: &[&'static str]) {
        *self.keys.lock().expect("lock") = keys.to_vec();
    }

    fn verifier(&self) -> JwtVerifier {
        JwtVerifier::jwks(&self.url)
            .issuer(ISSUER)
            .audience(AUDIENCE)
    }
}

/// A token signed by key `a` under a key id nobody published.
fn made_up(i: usize) -> String {
    sign(
        "a",
        Some(&format!("made-up-{i}")),
        &claims("mallory", "admin"),
    )
}

fn client(i: u8) -> Presenter {
    Presenter::from_addr(IpAddr::from([10, 0, 0, i]))
}

type Verification<'a> = Pin<Box<dyn Future<Output = Result<Identity, AuthError>> + Send + 'a>>;

/// Polls `verification` once: `Ready` is an answer given without waiting for anything.
async fn poll_once(verification: &mut Verification<'_>) -> Poll<Result<Identity, AuthError>> {
    std::future::poll_fn(|cx| Poll::Ready(verification.as_mut().poll(cx))).await
}

fn assert_unknown_kid(outcome: &Result<Identity, AuthError>, kid: &str) {
    match outcome {
        Err(AuthError::Invalid(message)) => assert!(
            message.contains("unknown signing key") && message.contains(kid),
            "{message}"
        ),
        other => panic!("expected `unknown signing key {kid}`, got {other:?}"),
    }
}

/// Open to every authenticated caller.
#[tool]
async fn hello() -> String {
    "hello".to_owned()
}

/// POSTs a `tools/call` of `hello` with `token`; the HTTP status.
async fn call(url: &str, token: &str) -> u16 {
    reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": { "name": "hello", "arguments": {} }
        }))
        .send()
        .await
        .expect("the request is sent")
        .status()
        .as_u16()
}

async fn serve(verifier: JwtVerifier) -> mcp_runtime::http::HttpServer {
    let server = Server::builder("jwks-refresh")
        .tools(tools![hello])
        .auth(verifier)
        .build()
        .expect("builds");
    serve_ready(server, HttpOptions::new().stateless(true)).await
}

#[tokio::test]
async fn a_slow_provider_holds_up_no_token_whose_key_is_known() {
    let idp = Idp::start(&["a"]).await;
    let running = serve(idp.verifier().refresh_cooldown(Duration::ZERO)).await;
    let url = running.url();
    let alice = token("alice", "");
    assert_eq!(call(&url, &alice).await, 200);
    assert_eq!(idp.fetches(), 1);

    // The provider rotates to key b, and becomes slow: the token naming b starts a fetch that
    // the provider holds.
    idp.rotate(&["a", "b"]);
    idp.hold();
    let rotated = sign("b", Some("key-b"), &claims("bob", ""));
    let waiting = tokio::spawn({
        let url = url.clone();
        async move { call(&url, &rotated).await }
    });
    idp.reached(2).await;

    // Meanwhile tokens whose key is known are answered, while that fetch is still held.
    for _ in 0..3 {
        assert_eq!(call(&url, &alice).await, 200);
    }
    assert!(
        !waiting.is_finished(),
        "the rotated token was answered before its keys arrived"
    );
    assert_eq!(idp.fetches(), 2);

    // Released, the fetch brings key b, and the token that waited for it passes.
    idp.release();
    assert_eq!(waiting.await.expect("the request task"), 200);
    assert_eq!(idp.fetches(), 2);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn made_up_kids_during_a_fetch_wait_for_it_and_start_no_other() {
    let idp = Idp::start(&["a"]).await;
    // No cooldown at all: only single-flight keeps the fetches to one.
    let verifier = idp
        .verifier()
        .refresh_cooldown(Duration::ZERO)
        .refresh_cooldown_per_client(Duration::ZERO);
    let alice = token("alice", "");
    verifier.verify(&alice).await.expect("a valid token");
    assert_eq!(idp.fetches(), 1);

    idp.hold();
    let tokens: Vec<String> = (0..20).map(made_up).collect();
    let mut first: Verification = verifier.verify_presented(&tokens[0], client(1));
    assert!(poll_once(&mut first).await.is_pending());
    idp.reached(2).await;
    // Other clients' made-up key ids join the fetch under way instead of starting their own.
    let mut joined: Vec<Verification> = tokens[1..]
        .iter()
        .zip(2..)
        .map(|(token, i)| verifier.verify_presented(token, client(i)))
        .collect();
    for verification in &mut joined {
        assert!(poll_once(verification).await.is_pending());
    }
    // A token whose key is known is answered on its first poll, fetch or no fetch.
    let mut known: Verification = verifier.verify_presented(&alice, client(99));
    match poll_once(&mut known).await {
        Poll::Ready(Ok(identity)) => assert_eq!(identity.subject(), "alice"),
        other => panic!("a known key waited or failed: {other:?}"),
    }
    assert_eq!(idp.fetches(), 2, "one fetch for every made-up key id");

    idp.release();
    assert_unknown_kid(&first.await, "made-up-0");
    for (i, verification) in joined.into_iter().enumerate() {
        assert_unknown_kid(&verification.await, &format!("made-up-{}", i + 1));
    }
    assert_eq!(idp.fetches(), 2);
}

#[tokio::test]
async fn made_up_kids_inside_the_cooldown_are_refused_at_once() {
    let idp = Idp::start(&["a"]).await;
    let verifier = idp
        .verifier()
        .refresh_cooldown(Duration::from_secs(3600))
        .refresh_cooldown_per_client(Duration::ZERO);
    verifier
        .verify(&token("alice", ""))
        .await
        .expect("a valid token");
    // The first unknown key id may be a rotation: it is fetched for, once.
    assert_unknown_kid(
        &verifier.verify_presented(&made_up(0), client(1)).await,
        "made-up-0",
    );
    assert_eq!(idp.fetches(), 2);

    // Inside the cooldown, from any number of clients, each is refused on its first poll; a
    // fetch would have reached the provider (held, so it would also have kept the token
    // waiting).
    idp.hold();
    let tokens: Vec<String> = (1..=50).map(made_up).collect();
    for (i, token) in tokens.iter().enumerate() {
        let presenter = client(u8::try_from(i % 250).expect("small") + 2);
        let mut verification: Verification = verifier.verify_presented(token, presenter);
        match poll_once(&mut verification).await {
            Poll::Ready(outcome) => assert_unknown_kid(&outcome, &format!("made-up-{}", i + 1)),
            Poll::Pending => panic!("a made-up kid inside the cooldown waited"),
        }
    }
    assert_eq!(idp.fetches(), 2, "no fetch inside the cooldown");
}

#[tokio::test]
async fn one_client_cannot_take_every_refresh() {
    let idp = Idp::start(&["a"]).await;
    // No global cooldown: only the per-client one stands between a client and the provider.
    let verifier = idp
        .verifier()
        .refresh_cooldown(Duration::ZERO)
        .refresh_cooldown_per_client(Duration::from_secs(3600));
    verifier
        .verify(&token("alice", ""))
        .await
        .expect("a valid token");
    let mallory = client(66);
    assert_unknown_kid(
        &verifier.verify_presented(&made_up(1), mallory).await,
        "made-up-1",
    );
    assert_eq!(idp.fetches(), 2);

    // Mallory's next made-up key ids start no fetch, and are refused on the first poll.
    idp.hold();
    for i in 2..10 {
        let token = made_up(i);
        let mut verification: Verification = verifier.verify_presented(&token, mallory);
        match poll_once(&mut verification).await {
            Poll::Ready(outcome) => assert_unknown_kid(&outcome, &format!("made-up-{i}")),
            Poll::Pending => panic!("a client over its refresh budget waited"),
        }
    }
    idp.release();
    assert_eq!(idp.fetches(), 2);

    // An IPv6 client is its /64: another address of the same network is the same client.
    let v6 = |last: u16| Presenter::from_addr(IpAddr::from([0x2001, 0xdb8, 0, 1, 0, 0, 0, last]));
    assert_unknown_kid(
        &verifier.verify_presented(&made_up(20), v6(1)).await,
        "made-up-20",
    );
    assert_eq!(idp.fetches(), 3);
    idp.hold();
    let same_network = made_up(21);
    let mut verification: Verification = verifier.verify_presented(&same_network, v6(2));
    match poll_once(&mut verification).await {
        Poll::Ready(outcome) => assert_unknown_kid(&outcome, "made-up-21"),
        Poll::Pending => panic!("another address of the same /64 started a fetch"),
    }
    idp.release();
    assert_eq!(idp.fetches(), 3);

    // Another client's token under a really new key is still fetched for, and passes.
    idp.rotate(&["a", "b"]);
    let rotated = sign("b", Some("key-b"), &claims("bob", ""));
    let bob = verifier
        .verify_presented(&rotated, client(7))
        .await
        .expect("the rotated key is fetched");
    assert_eq!(bob.subject(), "bob");
    assert_eq!(idp.fetches(), 4);
}

#[tokio::test]
async fn over_http_each_peer_address_is_a_client() {
    let idp = Idp::start(&["a"]).await;
    // No global cooldown: without the peer's address the server could not tell that the
    // second made-up kid comes from the client that already had its refresh.
    let running = serve(idp.verifier().refresh_cooldown(Duration::ZERO)).await;
    let url = running.url();
    assert_eq!(call(&url, &token("alice", "")).await, 200);
    assert_eq!(call(&url, &made_up(1)).await, 401);
    assert_eq!(idp.fetches(), 2);
    for i in 2..6 {
        assert_eq!(call(&url, &made_up(i)).await, 401);
    }
    assert_eq!(idp.fetches(), 2, "one refresh per client per minute");
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn stale_keys_verify_while_they_are_fetched_again() {
    let idp = Idp::start(&["a"]).await;
    // Keys are stale as soon as they arrive: every verification wants them fetched again.
    let verifier = idp
        .verifier()
        .key_max_age(Duration::ZERO)
        .refresh_cooldown(Duration::ZERO);
    let alice = token("alice", "");
    verifier.verify(&alice).await.expect("a valid token");
    assert_eq!(idp.fetches(), 1);

    idp.hold();
    for _ in 0..3 {
        let mut verification: Verification = verifier.verify(&alice);
        match poll_once(&mut verification).await {
            Poll::Ready(Ok(identity)) => assert_eq!(identity.subject(), "alice"),
            other => panic!("a stale but known key waited or failed: {other:?}"),
        }
    }
    // One fetch went out in the background (and is held); the others found it under way.
    idp.reached(2).await;
    assert_eq!(idp.fetches(), 2);
    idp.release();
}
