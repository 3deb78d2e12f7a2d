//! MCP over stdio with a fixture server (`examples/stdio_fixture.rs`): progress notifications
//! on the wire, and tools that write to stdout.

use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::process;

const STEP: Duration = Duration::from_secs(20);

struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    lines: Vec<String>,
}

impl Session {
    fn start() -> Self {
        Self::start_after(&[])
    }

    /// Starts the fixture, writes `before` (raw lines), then initializes.
    fn start_after(before: &[&str]) -> Self {
        let mut child = Command::new(process::fixture_binary("stdio_fixture"))
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the fixture starts");
        let (stdout, _) = process::lines_of(child.stdout.take().unwrap());
        let stderr = process::read_all(child.stderr.take().unwrap());
        let mut session = Self {
            stdin: child.stdin.take(),
            child,
            stdout,
            stderr: Some(stderr),
            lines: Vec::new(),
        };
        for line in before {
            session.send_raw(format!("{line}\n").as_bytes());
        }
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

    /// Writes raw bytes, as a broken client might.
    fn send_raw(&mut self, bytes: &[u8]) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).expect("write to the child's stdin");
        stdin.flush().expect("flush the child's stdin");
    }

    /// The next line on stdout, as JSON.
    fn next_message(&mut self) -> Value {
        let line = self
            .stdout
            .recv_timeout(STEP)
            .unwrap_or_else(|error| panic!("no message ({error}); stdout: {:#?}", self.lines));
        self.lines.push(line.clone());
        serde_json::from_str(&line).unwrap_or_else(|error| panic!("{error}: {line}"))
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

#[test]
fn a_println_before_run_goes_to_stderr_once_stdout_is_protected() {
    // The fixture calls `protect_stdout()` first, then prints before building its server.
    let mut session = Session::start();
    session.send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "shout", "arguments": {"text": "hey"}}
    }));
    let (response, _) = session.until_response(&json!(1));
    assert_eq!(
        response["result"]["content"][0]["text"], "HEY",
        "{response}"
    );
    // End the session: the rest of stdout, then all of stderr.
    drop(session.stdin.take());
    let rest: Vec<String> = session.stdout.iter().collect();
    session.lines.extend(rest);
    let status = process::wait_with_timeout(&mut session.child, STEP);
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    let stderr = session.stderr.take().unwrap().join().unwrap();
    let stderr = String::from_utf8_lossy(&stderr);

    // Every line on stdout, from the first, is a JSON-RPC message.
    assert!(!session.lines.is_empty());
    for line in &session.lines {
        let message: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {line}\nstderr: {stderr}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
    }
    // What was printed went to stderr, the partial line too.
    assert!(stderr.contains("stdio-fixture: starting up"), "{stderr}");
    assert!(stderr.contains("a partial line before run"), "{stderr}");
    assert!(stderr.contains("stray output from a tool: hey"), "{stderr}");
}

#[test]
fn the_call_command_prints_its_result_on_the_real_stdout() {
    let (status, stdout, stderr) = process::run(
        Command::new(process::fixture_binary("stdio_fixture"))
            .args(["call", "shout", r#"{"text": "hi"}"#])
            .env_remove("RUST_LOG"),
        STEP,
    );
    let stderr = String::from_utf8_lossy(&stderr);
    assert!(status.is_some_and(|s| s.success()), "{status:?}: {stderr}");
    // Stdout is the result alone, as JSON: no banner, no stray tool output.
    let result: Value = serde_json::from_slice(&stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not one JSON document ({error}): {}",
            String::from_utf8_lossy(&stdout)
        )
    });
    assert_eq!(result["content"][0]["text"], "HI", "{result}");
    assert!(stderr.contains("stdio-fixture: starting up"), "{stderr}");
    assert!(stderr.contains("stray output from a tool: hi"), "{stderr}");
}

/// Whatever a client writes, every message gets one answer, in order, and the server keeps
/// serving: unreadable lines get `-32700` with `id: null`, readable ids come back with
/// `-32600`/`-32602`.
#[test]
fn malformed_input_is_answered_and_the_server_keeps_serving() {
    let mut session = Session::start();
    let cases: [(&[u8], Value, i64); 8] = [
        (b"{not json\n", Value::Null, -32700),
        (b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}\n", Value::Null, -32700),
        (b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}{\"jsonrpc\":\"2.0\"}\n", Value::Null, -32700),
        (b"{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}\n", json!(3), -32600),
        (b"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}\n", json!(1.5), -32600),
        (b"{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"tools/call\",\"params\":null}\n", json!(4), -32602),
        (b"{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\"}\n", json!(5), -32602),
        (b"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"logging/setLevel\",\"params\":{\"level\":\"loud\"}}\n", json!(6), -32602),
    ];
    for (bytes, id, code) in cases {
        session.send_raw(bytes);
        let answer = session.next_message();
        let shown = String::from_utf8_lossy(bytes);
        assert_eq!(answer["id"], id, "{shown}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{shown}: {answer}");
    }
    session.send(json!({
        "jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "shout", "arguments": {"text": "still here"}}
    }));
    let (response, _) = session.until_response(&json!(7));
    assert_eq!(
        response["result"]["content"][0]["text"], "STILL HERE",
        "{response}"
    );
}

/// A notification or a stray response before `initialize` used to end the process (exit code
/// 1): they are ignored, and the session starts when `initialize` comes.
#[test]
fn notifications_and_responses_before_initialize_do_not_end_the_server() {
    let mut session = Session::start_after(&[
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":41,"result":{}}"#,
        r#"{"jsonrpc":"2.0","id":42,"error":{"code":-1,"message":"stray"}}"#,
    ]);
    session.send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "shout", "arguments": {"text": "up"}}
    }));
    let (response, _) = session.until_response(&json!(1));
    assert_eq!(response["result"]["content"][0]["text"], "UP", "{response}");
}
