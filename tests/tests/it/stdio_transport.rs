//! MCP over stdio with a fixture server (`examples/stdio_fixture.rs`): progress notifications
//! on the wire, and tools that write to stdout.

use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::process;

const STEP: Duration = Duration::from_secs(20);

struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    lines: Vec<String>,
}

impl Session {
    fn start() -> Self {
        let mut child = Command::new(process::fixture_binary("stdio_fixture"))
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the fixture starts");
        let (stdout, _) = process::lines_of(child.stdout.take().unwrap());
        let mut session = Self {
            stdin: child.stdin.take(),
            child,
            stdout,
            lines: Vec::new(),
        };
        session.send(json!({
            "jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"}
            }
        }));
        let (init, _) = session.until_response(&json!(0));
        assert_eq!(
            init["result"]["serverInfo"]["name"], "stdio-fixture",
            "{init}"
        );
        session.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        session
    }

    fn send(&mut self, message: Value) {
        process::send_line(self.stdin.as_mut().unwrap(), &message);
    }

    /// Reads lines until the response to `id`; returns it and the lines before it.
    fn until_response(&mut self, id: &Value) -> (Value, Vec<String>) {
        let deadline = Instant::now() + STEP;
        let mut before = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.stdout.recv_timeout(left).unwrap_or_else(|error| {
                panic!("no response to {id} ({error}); stdout: {:#?}", self.lines)
            });
            self.lines.push(line.clone());
            match serde_json::from_str::<Value>(&line) {
                Ok(message) if message.get("id") == Some(id) => return (message, before),
                _ => before.push(line),
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn progress_notifications_go_out_when_the_client_sends_a_token() {
    let mut session = Session::start();
    session.send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "progress", "arguments": {}, "_meta": {"progressToken": "tok-1"}}
    }));
    let (response, before) = session.until_response(&json!(1));
    assert_eq!(
        response["result"]["structuredContent"],
        json!({"result": true}),
        "{response}"
    );
    let notifications: Vec<Value> = before
        .iter()
        .map(|line| serde_json::from_str(line).expect("JSON-RPC on stdout"))
        .collect();
    assert_eq!(notifications.len(), 2, "{notifications:#?}");
    for (i, notification) in notifications.iter().enumerate() {
        assert_eq!(
            notification["method"], "notifications/progress",
            "{notification}"
        );
        assert_eq!(
            notification["params"]["progressToken"], "tok-1",
            "{notification}"
        );
        assert_eq!(
            notification["params"]["progress"],
            (i + 1) as f64,
            "{notification}"
        );
        assert_eq!(notification["params"]["total"], 2.0, "{notification}");
    }
    assert_eq!(notifications[1]["params"]["message"], "done");
}

#[test]
fn no_progress_is_sent_without_a_token() {
    let mut session = Session::start();
    session.send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "progress", "arguments": {}}
    }));
    let (response, before) = session.until_response(&json!(1));
    assert_eq!(
        response["result"]["structuredContent"],
        json!({"result": false}),
        "{response}"
    );
    assert!(before.is_empty(), "{before:#?}");
}

#[test]
fn stray_stdout_writes_from_tools_do_not_corrupt_the_stream() {
    let mut session = Session::start();
    session.send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "shout", "arguments": {"text": "hi"}}
    }));
    let (response, before) = session.until_response(&json!(1));
    assert!(
        before.is_empty(),
        "non-protocol lines on stdout: {before:#?}"
    );
    assert_eq!(response["result"]["content"][0]["text"], "HI", "{response}");
    let mut rest = String::new();
    drop(session.stdin.take());
    for line in session.stdout.iter() {
        rest.push_str(&line);
    }
    assert!(rest.is_empty(), "after the response: {rest}");
}
