//! The HTTP transport's bounds, tried as an attacker would: slow headers and bodies, too many
//! connections, too many sessions, idle sessions, duplicate ids in flight, and bodies that are
//! not JSON-RPC.

use std::net::SocketAddr;
use std::time::Duration;

use crate::support::http::{Mcp, serve_ready, text};
use mcp_runtime::http::HttpOptions;
use mcp_runtime::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::mpsc;

use crate::support::gate::*;

/// Adds two integers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn server() -> (Server, mpsc::UnboundedReceiver<i64>, std::sync::Arc<Gate>) {
    let (gate, started_rx) = Gate::new();
    let server = Server::builder("limits")
        .tools(tools![add, hold])
        .state(gate)
        .build()
        .expect("builds");
    let gate = server
        .state::<Gate>()
        .expect("the gate is the server's state");
    (server, started_rx, gate)
}

/// A TCP connection to `addr` from the loopback address `from` (127.0.0.x: another client).
async fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("a socket");
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("binds a loopback source address");
    socket.connect(addr).await.expect("connects")
}

/// Whether the server closed `tcp` (reads end of stream or an error) within `wait`.
async fn closed_within(tcp: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(wait, tcp.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            // A response (a 408 or 400) before the close: read on.
            Ok(Ok(_)) => {}
        }
    }
}

const PARTIAL_HEADERS: &[u8] = b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n";

#[tokio::test]
async fn slow_headers_are_cut_off_and_one_address_cannot_take_every_connection() {
    let (server, _, _) = server();
    let options = HttpOptions::new()
        .stateless(true)
        .header_timeout(Duration::from_millis(300))
        .max_connections(1024, 8);
    let running = serve_ready(server, options).await;
    let addr = running.local_addr();
    // A slowloris from 127.0.0.2: more connections than its cap, each sending its headers
    // a line at a time.
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut tcp = connect_from([127, 0, 0, 2], addr).await;
        let _ = tcp.write_all(PARTIAL_HEADERS).await;
        slow.push(tcp);
    }
    // Another client is served at once.
    let mut mcp = Mcp::new(running.url());
    let answer = mcp.call("add", json!({ "a": 2, "b": 3 })).await;
    assert_eq!(answer.result()["structuredContent"]["result"], 5);
    // Those over the cap were closed on accept; the rest when their headers ran late.
    let mut closed = 0;
    for tcp in &mut slow {
        if closed_within(tcp, Duration::from_secs(5)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 20, "every slow connection is closed");
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_body_that_comes_too_slowly_gets_408() {
    let (server, _, _) = server();
    let options = HttpOptions::new()
        .stateless(true)
        .body_timeout(Duration::from_millis(300));
    let running = serve_ready(server, options).await;
    let mut tcp = TcpStream::connect(running.local_addr())
        .await
        .expect("connects");
    tcp.write_all(
        b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
          Accept: application/json, text/event-stream\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"",
    )
    .await
    .expect("writes");
    let mut response = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), async {
        let mut buf = [0u8; 1024];
        while !response.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = tcp.read(&mut buf).await.expect("reads");
            if n == 0 {
                break;
            }
            response.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    assert!(read.is_ok(), "no answer to a body that never finished");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_connection_is_closed_after_its_request_cap() {
    let (server, _, _) = server();
    let options = HttpOptions::new()
        .stateless(true)
        .max_requests_per_connection(2);
    let running = serve_ready(server, options).await;
    let mut tcp = TcpStream::connect(running.local_addr())
        .await
        .expect("connects");
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut seen = String::new();
    for _ in 0..2 {
        tcp.write_all(request.as_bytes()).await.expect("writes");
        // Read until this response's event (the ping's answer) arrived.
        let mut buf = [0u8; 4096];
        let before = seen.matches("\"id\":1").count();
        while seen.matches("\"id\":1").count() == before {
            let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
                .await
                .expect("an answer in time")
                .expect("reads");
            assert!(n > 0, "closed early: {seen}");
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    }
    assert_eq!(seen.matches("connection: close").count(), 1, "{seen}");
    assert!(
        closed_within(&mut tcp, Duration::from_secs(5)).await,
        "still open"
    );
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn bodies_that_are_not_json_rpc_get_a_json_rpc_error() {
    for options in [HttpOptions::new(), HttpOptions::new().stateless(true)] {
        let (server, _, _) = server();
        let running = serve_ready(server, options).await;
        let post = |body: &'static str| {
            reqwest::Client::new()
                .post(running.url())
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(body)
                .send()
        };
        for (body, code, id) in [
            (r#"{"jsonrpc":"2.0","id":1,"#, -32700, Value::Null),
            ("1e400", -32700, Value::Null),
            (
                r#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#,
                -32600,
                json!(7),
            ),
            (
                r#"{"jsonrpc":"2.0","id":"x","method":1}"#,
                -32600,
                json!("x"),
            ),
        ] {
            let response = post(body).await.expect("answered");
            assert_eq!(response.status(), 400, "{body}");
            let answer: Value = response.json().await.expect("a JSON body");
            assert_eq!(answer["error"]["code"], code, "{body}: {answer}");
            assert_eq!(answer["id"], id, "{body}: {answer}");
            assert_eq!(answer["jsonrpc"], "2.0");
        }
        running.shutdown().await.expect("clean shutdown");
    }
}

#[tokio::test]
async fn a_client_over_its_session_cap_replaces_its_idle_session_or_gets_503() {
    let (server, mut started, gate) = server();
    let running = serve_ready(server, HttpOptions::new().max_sessions(100, 2)).await;
    let mut first = Mcp::new(running.url());
    first.initialize().await;
    let mut second = Mcp::new(running.url());
    second.initialize().await;
    // `second` is busy; `first` is idle, so a third session replaces it.
    let busy = tokio::spawn({
        let url = running.url();
        let session = second.session.clone();
        async move {
            let mut mcp = Mcp::new(url);
            mcp.session = session;
            mcp.call("hold", json!({ "n": 1 })).await
        }
    });
    assert_eq!(started.recv().await, Some(1));
    let mut third = Mcp::new(running.url());
    assert_eq!(third.initialize().await.status, 200);
    let gone = first.call("add", json!({ "a": 1, "b": 1 })).await;
    assert_eq!(
        gone.status, 404,
        "the idle session was closed: {}",
        gone.body
    );
    // Now both are busy: a fourth is refused, with the initialize's id.
    let busy_too = tokio::spawn({
        let url = running.url();
        let session = third.session.clone();
        async move {
            let mut mcp = Mcp::new(url);
            mcp.session = session;
            mcp.call("hold", json!({ "n": 2 })).await
        }
    });
    assert_eq!(started.recv().await, Some(2));
    let refused = Mcp::new(running.url()).initialize().await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.error()["code"], -32000);
    assert_eq!(refused.message.as_ref().expect("a message")["id"], 0);
    assert!(
        refused.error()["message"]
            .as_str()
            .is_some_and(|message| message.contains("limit of 2")),
        "{}",
        refused.body
    );
    // Another client is not concerned.
    let mut other = Mcp::new(running.url());
    other.http = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 3]))
        .build()
        .expect("a client");
    assert_eq!(other.initialize().await.status, 200);
    gate.release.add_permits(2);
    assert_eq!(text(&busy.await.expect("the call")), "1");
    assert_eq!(text(&busy_too.await.expect("the call")), "2");
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn the_server_wide_session_cap_answers_503_when_no_session_is_idle() {
    let (server, mut started, gate) = server();
    let running = serve_ready(server, HttpOptions::new().max_sessions(1, 10)).await;
    let mut only = Mcp::new(running.url());
    only.initialize().await;
    let busy = tokio::spawn({
        let url = running.url();
        let session = only.session.clone();
        async move {
            let mut mcp = Mcp::new(url);
            mcp.session = session;
            mcp.call("hold", json!({ "n": 5 })).await
        }
    });
    assert_eq!(started.recv().await, Some(5));
    let refused = Mcp::new(running.url()).initialize().await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(refused.header("retry-after").as_deref(), Some("5"));
    // What opens no session is not refused for the cap.
    let ping = Mcp::new(running.url())
        .post(&json!({ "jsonrpc": "2.0", "id": 3, "method": "ping" }), &[])
        .await;
    assert_ne!(ping.status, 503, "{}", ping.body);
    gate.release.add_permits(1);
    assert_eq!(text(&busy.await.expect("the call")), "5");
    // Idle now: the next session takes its place.
    assert_eq!(Mcp::new(running.url()).initialize().await.status, 200);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn an_idle_session_is_closed_after_the_idle_timeout() {
    let (server, _, _) = server();
    let options = HttpOptions::new().session_idle_timeout(Duration::from_millis(200));
    let running = serve_ready(server, options).await;
    let mut mcp = Mcp::new(running.url());
    mcp.initialize().await;
    let answer = mcp.call("add", json!({ "a": 1, "b": 2 })).await;
    assert_eq!(answer.result()["structuredContent"]["result"], 3);
    let mut waited = Duration::ZERO;
    let status = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        waited += Duration::from_millis(100);
        let status = mcp.request("ping", json!({})).await.status;
        // Each ping is activity: wait past the timeout without one.
        if status == 404 || waited > Duration::from_secs(5) {
            break status;
        }
        tokio::time::sleep(Duration::from_millis(600)).await;
    };
    assert_eq!(status, 404, "the idle session is gone");
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_duplicate_id_in_flight_gets_an_error_and_the_session_lives_on() {
    let (server, mut started, gate) = server();
    let running = serve_ready(server, HttpOptions::new()).await;
    let mut mcp = Mcp::new(running.url());
    mcp.initialize().await;
    let session = mcp.session.clone();
    let url = running.url();
    let call = move |n: i64| {
        let mut client = Mcp::new(url.clone());
        client.session = session.clone();
        let body = json!({
            "jsonrpc": "2.0", "id": 42, "method": "tools/call",
            "params": { "name": "hold", "arguments": { "n": n } }
        });
        async move { client.post(&body, &[]).await }
    };
    let first = tokio::spawn(call(1));
    assert_eq!(started.recv().await, Some(1));
    let second = call(2).await;
    let error = second.error();
    assert_eq!(error["code"], -32600, "{}", second.body);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("already in flight")),
        "{}",
        second.body
    );
    assert_eq!(second.message.as_ref().expect("a message")["id"], 42);
    gate.release.add_permits(1);
    // The first gets its own answer, and the session serves on, the id free again.
    assert_eq!(text(&first.await.expect("the call")), "1");
    let third = tokio::spawn(call(3));
    assert_eq!(started.recv().await, Some(3));
    gate.release.add_permits(1);
    assert_eq!(text(&third.await.expect("the call")), "3");
    let answer = mcp.call("add", json!({ "a": 2, "b": 2 })).await;
    assert_eq!(answer.result()["structuredContent"]["result"], 4);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn on_shutdown_a_call_past_the_grace_gets_an_error_and_the_stop_takes_the_grace() {
    for stateless in [false, true] {
        let (gate, mut started) = Gate::new();
        let server = Server::builder("grace")
            .tools(tools![hold])
            .state(gate)
            .shutdown_grace(Duration::from_secs(2))
            .build()
            .expect("builds");
        let options = if stateless {
            HttpOptions::new().stateless(false)
        } else {
            HttpOptions::new()
        };
        let running = serve_ready(server, options).await;
        let mut mcp = Mcp::new(running.url());
        mcp.initialize().await;
        let session = mcp.session.clone();
        let url = running.url();
        let call = tokio::spawn(async move {
            let mut mcp = Mcp::new(url);
            mcp.session = session;
            mcp.call("hold", json!({ "n": 9 })).await
        });
        assert_eq!(started.recv().await, Some(9));
        let stopping = std::time::Instant::now();
        running.shutdown().await.expect("clean shutdown");
        let took = stopping.elapsed();
        let answer = call.await.expect("the call");
        assert_eq!(answer.status, 200, "{}", answer.body);
        let error = answer.error();
        assert_eq!(error["code"], -32603, "{}", answer.body);
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|m| m.contains("stopped before this request finished")),
            "{}",
            answer.body
        );
        // Within the grace (2 s), not twice it; a wide margin for a loaded machine.
        assert!(took < Duration::from_millis(3500), "stopping took {took:?}");
    }
}

#[tokio::test]
async fn deleting_an_unknown_session_is_404_and_a_known_one_202() {
    let (server, _, _) = server();
    let running = serve_ready(server, HttpOptions::new()).await;
    let mut mcp = Mcp::new(running.url());
    mcp.initialize().await;
    let session = mcp.session.clone().expect("a session");
    let delete = |id: String| {
        reqwest::Client::new()
            .delete(running.url())
            .header("mcp-session-id", id)
            .header("mcp-protocol-version", "2025-06-18")
            .send()
    };
    let unknown = delete("no-such-session".to_owned())
        .await
        .expect("answered");
    assert_eq!(unknown.status(), 404);
    let known = delete(session.clone()).await.expect("answered");
    assert_eq!(known.status(), 202);
    // Deleted: now unknown too.
    assert_eq!(delete(session).await.expect("answered").status(), 404);
    running.shutdown().await.expect("clean shutdown");
}
