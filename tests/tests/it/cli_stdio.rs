//! The `quickstart` example as a real child process: MCP over stdio spoken by hand, and the
//! `call` / `inspect` command line.

use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::process::{self, wait_with_timeout};

/// How long any one step may take.
const STEP: Duration = Duration::from_secs(20);

/// The `quickstart` executable, built once.
fn quickstart() -> PathBuf {
    process::example_binary("quickstart")
}

/// A `quickstart` child serving MCP over stdio.
struct StdioServer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    stdout_thread: Option<JoinHandle<()>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    /// Every line the server wrote to stdout, in order.
    transcript: Vec<String>,
}

impl StdioServer {
    fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(quickstart())
            .args(args)
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("quickstart starts");
        let (stdout, stdout_thread) = process::lines_of(child.stdout.take().unwrap());
        let stderr = process::read_all(child.stderr.take().unwrap());
        Self {
            stdin: child.stdin.take(),
            child,
            stdout,
            stdout_thread: Some(stdout_thread),
            stderr: Some(stderr),
            transcript: Vec::new(),
        }
    }

    fn send(&mut self, message: Value) {
        process::send_line(self.stdin.as_mut().expect("stdin is open"), &message);
    }

    /// The next message the server writes whose `id` is `id`; notifications are skipped.
    fn response(&mut self, id: &Value) -> Value {
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match self.stdout.recv_timeout(left) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no response to id {id} within {STEP:?}; stdout so far: {:#?}",
                        self.transcript
                    )
                }
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the server closed stdout before answering id {id}; stdout: {:#?}",
                    self.transcript
                ),
            };
            self.transcript.push(line.clone());
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|error| panic!("stdout line is not JSON ({error}): {line}"));
            if message.get("id") == Some(id) {
                return message;
            }
        }
    }

    fn request(&mut self, id: Value, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.response(&id)
    }

    /// Closes stdin and waits for the process to exit; returns its status, the rest of stdout,
    /// and stderr.
    fn close(mut self) -> (Option<ExitStatus>, Vec<String>, String) {
        drop(self.stdin.take());
        let status = wait_with_timeout(&mut self.child, STEP);
        if let Some(thread) = self.stdout_thread.take() {
            let _ = thread.join();
        }
        self.transcript.extend(self.stdout.try_iter());
        let stderr = self
            .stderr
            .take()
            .map(|t| String::from_utf8_lossy(&t.join().unwrap_or_default()).into_owned())
            .unwrap_or_default();
        (status, std::mem::take(&mut self.transcript), stderr)
    }
}

impl Drop for StdioServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn initialize(server: &mut StdioServer) -> Value {
    let response = server.request(
        json!(1),
        "initialize",
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "hand-written-client", "version": "0.0.1"}
        }),
    );
    server.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    response
}

#[test]
fn stdio_session_by_hand() {
    let mut server = StdioServer::spawn(&[]);

    let init = initialize(&mut server);
    assert_eq!(init["jsonrpc"], "2.0", "{init}");
    assert!(init.get("error").is_none(), "{init}");
    let result = &init["result"];
    assert_eq!(result["protocolVersion"], "2025-06-18", "{init}");
    assert_eq!(result["serverInfo"]["name"], "quickstart", "{init}");
    assert!(result["serverInfo"]["version"].is_string(), "{init}");
    assert!(result["capabilities"]["tools"].is_object(), "{init}");
    assert!(
        result["instructions"]
            .as_str()
            .is_some_and(|text| text.contains("add")),
        "{init}"
    );

    let list = server.request(json!(2), "tools/list", json!({}));
    let tools = list["result"]["tools"].as_array().expect("a tools array");
    let names: Vec<_> = tools
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["add", "echo"], "{list}");
    let add = &tools[0];
    assert_eq!(add["description"], "Add two integers.");
    assert_eq!(add["inputSchema"]["type"], "object");
    assert_eq!(add["inputSchema"]["required"], json!(["a", "b"]));
    assert_eq!(
        add["inputSchema"]["properties"]["a"]["description"],
        "Left operand"
    );
    assert_eq!(add["annotations"]["readOnlyHint"], true);
    assert_eq!(add["annotations"]["openWorldHint"], false);
    assert_eq!(add["outputSchema"]["required"], json!(["result"]));
    assert!(
        tools[1].get("outputSchema").is_none(),
        "echo returns text: {list}"
    );

    let call = server.request(
        json!(3),
        "tools/call",
        json!({"name": "add", "arguments": {"a": 2, "b": 3}}),
    );
    let result = &call["result"];
    assert_eq!(result["structuredContent"], json!({"result": 5}), "{call}");
    assert_eq!(result["content"][0]["type"], "text", "{call}");
    assert_eq!(result["content"][0]["text"], r#"{"result":5}"#, "{call}");
    assert_ne!(result.get("isError"), Some(&json!(true)), "{call}");

    // A string id comes back as the same string.
    let call = server.request(
        json!("echo-1"),
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "héllo\nworld"}}),
    );
    assert_eq!(
        call["result"]["content"][0]["text"], "héllo\nworld",
        "{call}"
    );
    assert!(call["result"].get("structuredContent").is_none(), "{call}");

    // A tool error is a result; an unknown tool is a JSON-RPC error.
    let call = server.request(
        json!(4),
        "tools/call",
        json!({"name": "add", "arguments": {"a": i64::MAX, "b": 1}}),
    );
    assert_eq!(call["result"]["isError"], true, "{call}");
    assert!(
        call["result"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("overflows"),
        "{call}"
    );
    let call = server.request(
        json!(5),
        "tools/call",
        json!({"name": "add", "arguments": {"a": "x", "b": 1}}),
    );
    assert_eq!(call["result"]["isError"], true, "{call}");
    let call = server.request(
        json!(6),
        "tools/call",
        json!({"name": "nope", "arguments": {}}),
    );
    assert_eq!(call["error"]["code"], -32602, "{call}");

    let (status, transcript, stderr) = server.close();
    let status = status
        .unwrap_or_else(|| panic!("quickstart did not exit after stdin closed; stderr:\n{stderr}"));
    assert!(
        status.success(),
        "quickstart exited with {status}; stderr:\n{stderr}"
    );

    // Stdout carried the protocol alone.
    assert!(transcript.len() >= 7, "{transcript:#?}");
    for line in &transcript {
        let message: Value = serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("a non-JSON line on stdout ({error}): {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "not JSON-RPC: {line}");
    }
    // …while the logs went to stderr.
    assert!(
        stderr.contains("serving MCP over stdio"),
        "stderr:\n{stderr}"
    );
}

#[test]
fn serve_subcommand_serves_stdio_and_exits_on_eof() {
    let mut server = StdioServer::spawn(&["serve", "--transport", "stdio"]);
    let init = initialize(&mut server);
    assert_eq!(init["result"]["serverInfo"]["name"], "quickstart", "{init}");
    let (status, transcript, stderr) = server.close();
    assert!(
        status.is_some_and(|status| status.success()),
        "{status:?}; stderr:\n{stderr}"
    );
    assert!(
        transcript
            .iter()
            .all(|line| serde_json::from_str::<Value>(line).is_ok())
    );
}

#[test]
fn stdin_closed_before_initialize_ends_the_process() {
    let server = StdioServer::spawn(&[]);
    let (status, transcript, stderr) = server.close();
    assert!(
        status.is_some(),
        "quickstart hung with no client; stderr:\n{stderr}"
    );
    assert!(transcript.is_empty(), "{transcript:#?}");
}

// ---- the command line -----------------------------------------------------------------------

struct Output {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

fn run_cli(args: &[&str]) -> Output {
    let (status, stdout, stderr) = process::run(
        Command::new(quickstart()).args(args).env_remove("RUST_LOG"),
        STEP,
    );
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    let status = status.unwrap_or_else(|| panic!("`quickstart {args:?}` hung; stderr:\n{stderr}"));
    Output {
        status,
        stdout,
        stderr,
    }
}

#[test]
fn cli_call_prints_the_result_as_json() {
    let out = run_cli(&["call", "add", r#"{"a":2,"b":3}"#]);
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let result: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", out.stdout));
    assert_eq!(
        result["structuredContent"],
        json!({"result": 5}),
        "{result}"
    );
    assert_eq!(result["content"][0]["text"], r#"{"result":5}"#, "{result}");
    assert_ne!(result.get("isError"), Some(&json!(true)));
}

#[test]
fn cli_call_with_invalid_arguments_fails() {
    let out = run_cli(&["call", "add", r#"{"a":"x"}"#]);
    assert!(!out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let everything = format!("{}{}", out.stdout, out.stderr);
    assert!(everything.contains("`a`"), "{everything}");
    // The error result is still printed as JSON.
    let result: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", out.stdout));
    assert_eq!(result["isError"], true, "{result}");
}

#[test]
fn cli_call_with_bad_json_or_unknown_tool_fails() {
    let out = run_cli(&["call", "add", "{not json"]);
    assert!(!out.status.success());
    assert!(out.stderr.contains("not valid JSON"), "{}", out.stderr);

    let out = run_cli(&["call", "add", "[1, 2]"]);
    assert!(!out.status.success());
    assert!(out.stderr.contains("JSON object"), "{}", out.stderr);

    let out = run_cli(&["call", "no_such_tool", "{}"]);
    assert!(!out.status.success());
    assert!(out.stderr.contains("no_such_tool"), "{}", out.stderr);
}

#[test]
fn cli_call_of_a_string_tool_prints_text_content() {
    let out = run_cli(&["call", "echo", r#"{"text":"hi there"}"#]);
    assert!(out.status.success(), "{}", out.stderr);
    let result: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(result["content"][0]["text"], "hi there", "{result}");
    assert!(result.get("structuredContent").is_none(), "{result}");
}

#[test]
fn cli_inspect_prints_the_tools_with_their_schemas() {
    let out = run_cli(&["inspect"]);
    assert!(out.status.success(), "{}", out.stderr);
    let inspected: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", out.stdout));
    assert_eq!(inspected["name"], "quickstart", "{inspected}");
    let tools = inspected["tools"].as_array().expect("a tools array");
    let names: Vec<_> = tools
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["add", "echo"]);
    for tool in tools {
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
        assert!(tool["inputSchema"]["properties"].is_object(), "{tool}");
    }
    assert_eq!(tools[1]["inputSchema"]["required"], json!(["text"]));
}

#[test]
fn cli_rejects_an_unknown_subcommand() {
    let out = run_cli(&["frobnicate"]);
    assert!(!out.status.success());
    assert!(
        out.stdout.is_empty(),
        "usage errors must not go to stdout: {}",
        out.stdout
    );
    assert!(out.stderr.contains("frobnicate"), "{}", out.stderr);
}

#[test]
fn cli_help_goes_to_stdout_and_a_typo_gets_a_suggestion() {
    let out = run_cli(&["--help"]);
    assert!(out.status.success(), "{}", out.stderr);
    assert!(
        out.stdout.starts_with("Usage: quickstart [COMMAND]"),
        "{}",
        out.stdout
    );
    for command in ["serve", "inspect", "call", "read", "prompt"] {
        assert!(
            out.stdout.contains(&format!("  {command} ")),
            "{}",
            out.stdout
        );
    }

    let out = run_cli(&["help", "serve"]);
    assert!(out.status.success(), "{}", out.stderr);
    assert!(out.stdout.contains("--stateless"), "{}", out.stdout);

    let out = run_cli(&["serve", "--trasnport", "http"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    assert!(
        out.stderr
            .contains("unexpected argument `--trasnport` (did you mean `--transport`?)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("Usage: quickstart serve"),
        "{}",
        out.stderr
    );
}
