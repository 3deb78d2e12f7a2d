//! The mutation fuzzer of `fuzz.rs`, over streamable HTTP: each mutated message is the body of
//! one POST, in a stateful session and in stateless mode. For every body:
//!
//! - a request whose `id` is readable gets exactly one answer, with that `id` (in a JSON body
//!   or an event stream);
//! - a body that is not JSON gets `400` with `-32700` and `id: null`;
//! - anything else gets at most one answer, never with another message's id;
//! - no answer is a server error (`5xx`);
//!
//! and the session still serves afterwards. The suite runs a bounded number of cases; a long
//! run is one command:
//!
//! ```text
//! FUZZ_CASES=50000 cargo test -p integration-tests --release fuzz_http -- --nocapture
//! ```

use std::time::Instant;

use serde_json::{Value, json};

use super::fuzz::{Expect, Rng, cases_and_seed, expect, mutate, server};
use crate::support::http::{Mcp, serve_ready};
use mcp_runtime::http::HttpOptions;

/// The JSON-RPC messages in an HTTP answer: a JSON body, or the `data:` of each SSE event.
fn messages(body: &str) -> Vec<Value> {
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        return vec![value];
    }
    body.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
        .filter(|message| message.get("id").is_some())
        .collect()
}

async fn fuzz(options: HttpOptions, label: &str, cases: usize, seed: u64) {
    let running = serve_ready(server(), options).await;
    let mut mcp = Mcp::new(running.url());
    mcp.initialize().await;
    let http = reqwest::Client::new();
    let mut rng = Rng(seed | 1);
    let started = Instant::now();
    let (mut requests, mut parse_errors) = (0, 0);
    for case in 0..cases {
        let body = mutate(&mut rng);
        let mut post = http
            .post(running.url())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-06-18");
        if let Some(session) = &mcp.session {
            post = post.header("mcp-session-id", session);
        }
        let response = post.body(body.clone()).send().await.expect("answered");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let shown = String::from_utf8_lossy(&body);
        assert!(
            status < 500,
            "{label} case {case} (seed {seed}): {status} {text}\n{shown}"
        );
        let got = messages(&text);
        match expect(&body) {
            Expect::One(id) => {
                requests += 1;
                assert_eq!(
                    got.len(),
                    1,
                    "{label} case {case}: {shown}\n{status} {text}"
                );
                assert_eq!(got[0]["id"], id, "{label} case {case}: {shown}\n{text}");
            }
            Expect::ParseError => {
                parse_errors += 1;
                assert_eq!(status, 400, "{label} case {case}: {shown}\n{text}");
                assert_eq!(got.len(), 1, "{label} case {case}: {shown}\n{text}");
                assert_eq!(got[0]["id"], Value::Null, "{label} case {case}: {shown}");
                assert_eq!(
                    got[0]["error"]["code"], -32700,
                    "{label} case {case}: {shown}"
                );
            }
            Expect::AtMostOne(id) => {
                assert!(got.len() <= 1, "{label} case {case}: {shown}\n{text}");
                if let (Some(answer), Some(id)) = (got.first(), id) {
                    assert!(
                        [Value::Null, id].contains(&answer["id"]),
                        "{label} case {case}: {shown}\n{answer}"
                    );
                }
            }
            Expect::Nothing => assert!(got.len() <= 1, "{label} case {case}: {shown}\n{text}"),
        }
    }
    // The session (or the server) still serves.
    let answer = mcp.request("ping", json!({})).await;
    assert_eq!(answer.status, 200, "{label}: {}", answer.body);
    answer.result();
    eprintln!(
        "fuzz_http {label}: {cases} cases (seed {seed}) in {:.1?}: {requests} requests with a \
         readable id, {parse_errors} bodies that were not JSON, every one answered as it should be",
        started.elapsed()
    );
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn mutated_bodies_are_answered_by_id_in_a_session() {
    let (cases, seed) = cases_and_seed(1_000);
    fuzz(HttpOptions::new(), "stateful", cases, seed).await;
}

#[tokio::test]
async fn mutated_bodies_are_answered_by_id_without_sessions() {
    let (cases, seed) = cases_and_seed(1_000);
    fuzz(HttpOptions::new().stateless(true), "stateless", cases, seed).await;
}
