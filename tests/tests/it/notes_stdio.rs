//! The `notes` example as a real child process: MCP over stdio spoken by hand (resources,
//! templates, prompts, completion and a mounted tool), attachments read from a `FileRoot`
//! with paths out of it refused, and its `read` / `prompt` / `call` / `inspect` command line.
//! Self-contained: it builds the binary with cargo itself.

use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::process::{self, wait_with_timeout};

/// How long any one step may take.
const STEP: Duration = Duration::from_secs(30);

/// The `notes` executable, built once.
fn notes_binary() -> PathBuf {
    process::example_binary("notes")
}

/// Runs a one-shot `notes` command and returns its output, within [`STEP`].
fn run_cli(args: &[&str]) -> Output {
    let (status, stdout, stderr) = process::run(Command::new(notes_binary()).args(args), STEP);
    let status =
        status.unwrap_or_else(|| panic!("`notes {}` did not exit within {STEP:?}", args.join(" ")));
    Output {
        status,
        stdout,
        stderr,
    }
}

/// A `notes` server spoken to over its stdin and stdout.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    /// Every line read from stdout so far.
    seen: Vec<String>,
    next_id: u64,
    stdout_thread: Option<JoinHandle<()>>,
    stderr_thread: Option<JoinHandle<Vec<u8>>>,
}

impl Session {
    fn start() -> Self {
        let mut child = Command::new(notes_binary())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Chatty logs must go to stderr and leave stdout to the protocol.
            .env("RUST_LOG", "debug")
            .spawn()
            .expect("notes starts");
        let stdin = child.stdin.take();
        let (lines, stdout_thread) = process::lines_of(child.stdout.take().unwrap());
        let stderr_thread = process::read_all(child.stderr.take().unwrap());
        Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
            next_id: 1,
            stdout_thread: Some(stdout_thread),
            stderr_thread: Some(stderr_thread),
        }
    }

    fn send(&mut self, message: &Value) {
        process::send_line(self.stdin.as_mut().expect("stdin is open"), message);
    }

    /// Sends a request and returns its response (`result` or `error` object), skipping any
    /// notifications in between.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + STEP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = match self.lines.recv_timeout(left) {
                Ok(line) => line,
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "no response to `{method}` within {STEP:?}; stdout so far: {:#?}",
                        self.seen
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!(
                        "notes closed stdout before answering `{method}`: {}",
                        self.stderr_now()
                    )
                }
            };
            self.seen.push(line.clone());
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
        }
    }

    /// The `result` of a request that must succeed.
    fn ok(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(
            response.get("error").is_none(),
            "`{method}` failed: {response}"
        );
        response["result"].clone()
    }

    fn stderr_now(&mut self) -> String {
        let _ = self.child.kill();
        self.stderr_thread
            .take()
            .map(|t| String::from_utf8_lossy(&t.join().unwrap_or_default()).into_owned())
            .unwrap_or_default()
    }

    /// Closes stdin and waits for the process to exit; returns its status, every stdout line
    /// and its stderr.
    fn finish(mut self) -> (std::process::ExitStatus, Vec<String>, String) {
        drop(self.stdin.take());
        let status = wait_with_timeout(&mut self.child, STEP)
            .unwrap_or_else(|| panic!("notes did not exit within {STEP:?} of stdin closing"));
        if let Some(thread) = self.stdout_thread.take() {
            thread.join().expect("the stdout reader");
        }
        let mut seen = std::mem::take(&mut self.seen);
        seen.extend(self.lines.try_iter());
        let stderr = self
            .stderr_thread
            .take()
            .map(|t| String::from_utf8_lossy(&t.join().unwrap_or_default()).into_owned())
            .unwrap_or_default();
        (status, seen, stderr)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Only if a test failed midway: never leave the child running.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn notes_speaks_mcp_over_stdio() {
    let mut session = Session::start();

    let init = session.ok(
        "initialize",
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "notes-stdio-test", "version": "0.0.0"}
        }),
    );
    assert_eq!(init["protocolVersion"], "2025-06-18");
    assert_eq!(init["serverInfo"]["name"], "notes");
    assert!(
        init["instructions"]
            .as_str()
            .unwrap()
            .contains("notes://index")
    );
    let capabilities = &init["capabilities"];
    assert_eq!(
        capabilities["resources"]["subscribe"], true,
        "{capabilities}"
    );
    assert_eq!(
        capabilities["prompts"]["listChanged"], true,
        "{capabilities}"
    );
    assert!(capabilities.get("completions").is_some(), "{capabilities}");
    session.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    // resources/list: the static index only.
    let list = session.ok("resources/list", json!({}));
    let resources = list["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 1, "{list}");
    assert_eq!(resources[0]["uri"], "notes://index");
    assert_eq!(resources[0]["mimeType"], "text/markdown");
    assert_eq!(
        resources[0]["annotations"]["audience"],
        json!(["user", "assistant"])
    );

    // resources/templates/list: the note template and the attachments.
    let templates = session.ok("resources/templates/list", json!({}));
    let templates = templates["resourceTemplates"].as_array().unwrap();
    assert_eq!(templates.len(), 2, "{templates:?}");
    assert_eq!(templates[0]["uriTemplate"], "notes://{id}");
    assert_eq!(templates[0]["name"], "note");
    assert_eq!(templates[1]["uriTemplate"], "notes://attachments/{+path}");

    // resources/read of a template instance.
    let read = session.ok("resources/read", json!({"uri": "notes://1"}));
    let contents = &read["contents"][0];
    assert_eq!(contents["uri"], "notes://1");
    assert_eq!(contents["mimeType"], "text/markdown");
    assert!(
        contents["text"].as_str().unwrap().starts_with("# Welcome"),
        "{read}"
    );
    let index = session.ok("resources/read", json!({"uri": "notes://index"}));
    assert!(
        index["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("[Welcome](notes://1)"),
        "{index}"
    );
    // A note that does not exist, and an id that is not a number.
    let missing = session.request("resources/read", json!({"uri": "notes://999"}));
    assert_eq!(missing["error"]["code"], -32002, "{missing}");
    let bad = session.request("resources/read", json!({"uri": "notes://abc"}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    assert!(bad["error"]["message"].as_str().unwrap().contains("`id`"));

    // prompts/get summarize.
    let prompt = session.ok(
        "prompts/get",
        json!({"name": "summarize", "arguments": {"id": "1"}}),
    );
    let messages = prompt["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{prompt}");
    assert_eq!(messages[0]["role"], "user");
    let text = messages[0]["content"]["text"].as_str().unwrap();
    assert!(
        text.contains("Summarise this note in 3 sentences"),
        "{text}"
    );
    assert!(text.contains("# Welcome"), "{text}");
    let prompts = session.ok("prompts/list", json!({}));
    assert_eq!(prompts["prompts"][0]["name"], "summarize");
    assert_eq!(
        prompts["prompts"][0]["arguments"],
        json!([
            {"name": "id", "description": "The id of the note to summarise", "required": true},
            {"name": "sentences", "description": "How many sentences (3 by default)", "required": false},
        ])
    );

    // completion/complete of the prompt's `id`, and of the template's `id`.
    let completion = session.ok(
        "completion/complete",
        json!({
            "ref": {"type": "ref/prompt", "name": "summarize"},
            "argument": {"name": "id", "value": ""}
        }),
    );
    assert_eq!(
        completion["completion"]["values"],
        json!(["1"]),
        "{completion}"
    );
    let completion = session.ok(
        "completion/complete",
        json!({
            "ref": {"type": "ref/resource", "uri": "notes://{id}"},
            "argument": {"name": "id", "value": "9"}
        }),
    );
    assert_eq!(
        completion["completion"]["values"],
        json!([]),
        "{completion}"
    );

    // tools/call of the mounted sub-server's tool.
    let call = session.ok(
        "tools/call",
        json!({"name": "stats_word_count", "arguments": {"text": "one two three four"}}),
    );
    assert_ne!(call["isError"], true, "{call}");
    assert_eq!(call["structuredContent"], json!({"result": 4}), "{call}");
    let tools = session.ok("tools/list", json!({}));
    let names: Vec<&str> = tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"stats_word_count"), "{names:?}");
    assert!(names.contains(&"add_note"), "{names:?}");

    // Subscribed to the index, adding a note announces that it changed.
    session.ok("resources/subscribe", json!({"uri": "notes://index"}));
    let added = session.ok(
        "tools/call",
        json!({"name": "add_note", "arguments": {"title": "Second", "body": "more"}}),
    );
    assert_eq!(added["structuredContent"]["id"], 2, "{added}");
    // The notification is sent during the call, before its response.
    let updated = session.seen.iter().any(|line| {
        serde_json::from_str::<Value>(line).is_ok_and(|m| {
            m["method"] == "notifications/resources/updated"
                && m["params"]["uri"] == "notes://index"
        })
    });
    assert!(
        updated,
        "no resources/updated notification: {:#?}",
        session.seen
    );

    let (status, lines, stderr) = session.finish();
    assert!(status.success(), "notes exited with {status}: {stderr}");
    assert!(!lines.is_empty());
    for line in &lines {
        let message: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("a stdout line is not JSON ({e}): {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "not JSON-RPC: {line}");
        assert!(
            message.get("id").is_some() || message.get("method").is_some(),
            "neither a response nor a notification: {line}"
        );
    }
}

#[test]
fn notes_exits_promptly_when_stdin_closes_before_initialize() {
    let session = Session::start();
    // `finish` fails the test if the process is still running after STEP.
    let (status, lines, stderr) = session.finish();
    assert!(lines.is_empty(), "unexpected stdout: {lines:?}");
    // No session ever started: that is reported on stderr, not on stdout.
    assert!(!status.success(), "exit {status}");
    assert!(stderr.contains("could not start"), "stderr: {stderr}");
}

#[test]
fn attachments_are_read_from_their_directory_and_paths_out_of_it_refused() {
    let mut session = Session::start();
    session.ok(
        "initialize",
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "notes-stdio-test", "version": "0.0.0"}
        }),
    );
    session.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    // No `[files] root` in the environment: the sample directory, with its `welcome.md`.
    let read = session.ok(
        "resources/read",
        json!({"uri": "notes://attachments/welcome.md"}),
    );
    let contents = &read["contents"][0];
    assert_eq!(contents["mimeType"], "text/markdown", "{read}");
    assert!(
        contents["text"].as_str().unwrap().starts_with("# Welcome"),
        "{read}"
    );

    let temp = std::env::temp_dir();
    let temp = temp.to_str().unwrap();
    for uri in [
        "notes://attachments/../../etc/passwd",
        "notes://attachments/..%2F..%2Fetc%2Fpasswd",
        "notes://attachments/%2e%2e/%2e%2e/etc/passwd",
        "notes://attachments/%2Fetc%2Fpasswd",
    ] {
        let refused = session.request("resources/read", json!({"uri": uri}));
        let error = &refused["error"];
        assert_eq!(error["code"], -32602, "{uri}: {refused}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.contains("`path`") && message.contains("refused"),
            "{uri}: {message}"
        );
        // Nothing of the host: neither where the attachments live nor the file's contents.
        let whole = refused.to_string();
        assert!(
            !whole.contains(temp) && !whole.contains("mcp-notes-") && !whole.contains("root:"),
            "{uri}: {whole}"
        );
    }
    // A file that is not there: the path as given, not where it was looked for.
    let missing = session.request(
        "resources/read",
        json!({"uri": "notes://attachments/gone.md"}),
    );
    let message = missing["error"]["message"].as_str().unwrap();
    assert!(message.contains("\"gone.md\" does not exist"), "{missing}");
    assert!(!missing.to_string().contains(temp), "{missing}");

    let pid = session.child.id();
    let (status, _, stderr) = session.finish();
    assert!(status.success(), "notes exited with {status}: {stderr}");
    // The sample directory was the process's own, and is gone with it.
    let sample = std::env::temp_dir().join(format!("mcp-notes-{pid}"));
    assert!(!sample.exists(), "{} is left behind", sample.display());
}

/// Parses a command's stdout as one JSON document.
fn stdout_json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn cli_read_prints_the_contents_as_json() {
    let output = run_cli(&["read", "notes://index"]);
    assert!(
        output.status.success(),
        "exit {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let result = stdout_json(&output);
    let contents = &result["contents"][0];
    assert_eq!(contents["uri"], "notes://index");
    assert_eq!(contents["mimeType"], "text/markdown");
    assert!(contents["text"].as_str().unwrap().starts_with("# Notes"));

    let output = run_cli(&["read", "notes://1"]);
    assert!(output.status.success());
    let result = stdout_json(&output);
    assert!(
        result["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Welcome")
    );

    let output = run_cli(&["read", "notes://attachments/welcome.md"]);
    assert!(output.status.success());
    let result = stdout_json(&output);
    assert!(
        result["contents"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("# Welcome")
    );
}

#[test]
fn cli_read_of_a_missing_note_fails() {
    let output = run_cli(&["read", "notes://999"]);
    assert!(
        !output.status.success(),
        "reading a missing note exited successfully: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("notes://999"), "stderr: {stderr}");
}

#[test]
fn cli_prompt_prints_the_messages_as_json() {
    let output = run_cli(&["prompt", "summarize", r#"{"id":"1","sentences":"2"}"#]);
    assert!(
        output.status.success(),
        "exit {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let result = stdout_json(&output);
    let text = result["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(text.contains("in 2 sentences"), "{text}");
    assert_eq!(result["messages"][0]["role"], "user");

    let output = run_cli(&["prompt", "summarize", r#"{"id":"1"}"#]);
    assert!(output.status.success());
    let result = stdout_json(&output);
    assert!(
        result["messages"][0]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("in 3 sentences")
    );
}

#[test]
fn cli_prompt_with_bad_arguments_fails() {
    let output = run_cli(&["prompt", "summarize", r#"{"id":"abc"}"#]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("`id`"), "stderr: {stderr}");
    let output = run_cli(&["prompt", "summarize", "not json"]);
    assert!(!output.status.success());
    let output = run_cli(&["prompt", "no_such_prompt"]);
    assert!(!output.status.success());
}

#[test]
fn cli_call_runs_the_mounted_tool() {
    let output = run_cli(&["call", "stats_word_count", r#"{"text":"a b c"}"#]);
    assert!(
        output.status.success(),
        "exit {}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let result = stdout_json(&output);
    assert_eq!(result["structuredContent"], json!({"result": 3}));
}

#[test]
fn cli_inspect_lists_resources_templates_and_prompts() {
    let output = run_cli(&["inspect"]);
    assert!(output.status.success());
    let inspect = stdout_json(&output);
    assert_eq!(inspect["name"], "notes");
    assert_eq!(inspect["resources"][0]["uri"], "notes://index");
    assert_eq!(
        inspect["resourceTemplates"][0]["uriTemplate"],
        "notes://{id}"
    );
    assert_eq!(inspect["prompts"][0]["name"], "summarize");
    let tools: Vec<&str> = inspect["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(tools.contains(&"stats_word_count"), "{tools:?}");
}

/// The `_meta` of a 2026-07-28 request from a client that supports tasks.
fn modern_meta_with_tasks() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {
            "extensions": {"io.modelcontextprotocol/tasks": {}}
        },
        "io.modelcontextprotocol/clientInfo": {"name": "notes-test", "version": "1"}
    })
}

#[test]
fn export_notes_runs_as_a_task_with_progress() {
    let mut session = Session::start();
    let mut meta = modern_meta_with_tasks();
    meta["progressToken"] = json!("export");
    let handle = session.ok(
        "tools/call",
        json!({"name": "export_notes", "arguments": {"pace_ms": 100}, "_meta": meta}),
    );
    assert_eq!(handle["resultType"], "task", "{handle}");
    let task = handle["taskId"].as_str().expect("a task id").to_owned();
    let deadline = Instant::now() + STEP;
    let done = loop {
        let state = session.ok(
            "tasks/get",
            json!({"taskId": task, "_meta": modern_meta_with_tasks()}),
        );
        if state["status"] != "working" || Instant::now() > deadline {
            break state;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(done["status"], "completed", "{done}");
    let text = done["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(
        text.starts_with("# Notes") && text.contains("## Welcome"),
        "{text}"
    );
    let (_, seen, _) = session.finish();
    let progress: Vec<Value> = seen
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["method"] == "notifications/progress")
        .collect();
    assert!(
        progress
            .iter()
            .any(|m| m["params"]["progressToken"] == "export"),
        "progress reached the client: {seen:#?}"
    );
}
