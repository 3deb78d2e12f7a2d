//! The `toolbox` example as a real child process, through its `call` and `inspect` command
//! line: files written and read beneath `MCP_FILES__ROOT` and a path out of it refused, a
//! loopback and a `file:` URL refused before any connection, Python run in the sandbox and an
//! endless loop stopped by a limit (short ones, from `MCP_SANDBOX__*`), and the four tools
//! listed. Each test is one or two runs of the binary: the module takes a few seconds.
//! The Python tests need `python3` on `PATH`, as the sandbox module's do.

use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::process;
use crate::support::temp::TempDir;

/// How long one run may take.
const STEP: Duration = Duration::from_secs(30);

/// A `toolbox` command run in `dir`, with `MCP_FILES__ROOT` set to `dir/root` (created).
fn toolbox(dir: &TempDir) -> Command {
    let root = dir.path().join("root");
    std::fs::create_dir_all(&root).unwrap();
    let mut command = Command::new(process::example_binary("toolbox"));
    command
        .current_dir(dir.path())
        .env("MCP_FILES__ROOT", &root)
        .env("RUST_LOG", "warn");
    command
}

/// What `toolbox call …` printed: whether the result is an error, and its text.
struct Called {
    is_error: bool,
    text: String,
}

/// Runs `toolbox call <tool> <arguments>` and reads the result it prints.
fn call(mut command: Command, tool: &str, arguments: Value) -> Called {
    command.args(["call", tool, &arguments.to_string()]);
    let (status, stdout, stderr) = process::run(&mut command, STEP);
    let status = status.unwrap_or_else(|| panic!("`call {tool}` did not exit within {STEP:?}"));
    let result: Value = serde_json::from_slice(&stdout).unwrap_or_else(|error| {
        panic!(
            "`call {tool}` printed no result ({error}, {status}):\n{}\n{}",
            String::from_utf8_lossy(&stdout),
            String::from_utf8_lossy(&stderr)
        )
    });
    let is_error = result["isError"] == true;
    // An error result is a failed command; a result is a successful one.
    assert_eq!(status.success(), !is_error, "{status}: {result}");
    let text = result["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|block| block["text"].as_str())
        .collect::<Vec<_>>()
        .join("\n");
    Called { is_error, text }
}

#[test]
fn write_file_then_read_file_round_trips_beneath_the_root() {
    let dir = TempDir::new("round-trip");
    let wrote = call(
        toolbox(&dir),
        "write_file",
        json!({"path": "notes/today.md", "content": "# Today\nmilk"}),
    );
    assert!(!wrote.is_error, "{}", wrote.text);
    assert_eq!(wrote.text, "wrote 12 bytes to notes/today.md");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("root/notes/today.md")).unwrap(),
        "# Today\nmilk"
    );
    let read = call(
        toolbox(&dir),
        "read_file",
        json!({"path": "notes/today.md"}),
    );
    assert!(!read.is_error, "{}", read.text);
    assert_eq!(read.text, "# Today\nmilk");
}

#[test]
fn without_a_files_root_the_toolbox_uses_toolbox_files_in_its_directory() {
    let dir = TempDir::new("default-root");
    let mut command = toolbox(&dir);
    command.env_remove("MCP_FILES__ROOT");
    let wrote = call(
        command,
        "write_file",
        json!({"path": "a.txt", "content": "x"}),
    );
    assert!(!wrote.is_error, "{}", wrote.text);
    assert!(dir.path().join("toolbox-files/a.txt").is_file());
}

#[test]
fn read_file_out_of_the_root_is_refused_naming_the_reason() {
    let dir = TempDir::new("outside");
    std::fs::write(dir.path().join("outside"), "not for the model").unwrap();
    for (path, reason) in [
        ("../outside", "contains a `..` segment"),
        ("/etc/passwd", "is an absolute path"),
    ] {
        let read = call(toolbox(&dir), "read_file", json!({"path": path}));
        assert!(read.is_error, "{path}: {}", read.text);
        assert!(
            read.text.contains("is outside the directory") && read.text.contains(reason),
            "{path}: {}",
            read.text
        );
        assert!(!read.text.contains("not for the model"), "{}", read.text);
        assert!(
            !read.text.contains(dir.path().to_str().unwrap()),
            "the host path leaks: {}",
            read.text
        );
    }
}

#[test]
fn fetch_url_refuses_loopback_and_file_urls_before_connecting() {
    let dir = TempDir::new("fetch");
    // Something listens there: a fetch that got through would connect.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    // With `http` allowed, what refuses the URL is its address.
    let mut command = toolbox(&dir);
    command.env("MCP_FETCH__ALLOW_HTTP", "true");
    let fetched = call(command, "fetch_url", json!({"url": url}));
    assert!(fetched.is_error, "{}", fetched.text);
    assert_eq!(
        fetched.text,
        format!("refused to fetch {url}: its host 127.0.0.1 is a loopback address")
    );
    assert!(
        listener.accept().is_err(),
        "the refused fetch reached the listener"
    );
    // The strict default refuses `http` itself, and `file:` always.
    let fetched = call(toolbox(&dir), "fetch_url", json!({"url": url}));
    assert!(fetched.is_error, "{}", fetched.text);
    assert!(
        fetched.text.contains("the scheme `http` is not allowed"),
        "{}",
        fetched.text
    );
    let fetched = call(
        toolbox(&dir),
        "fetch_url",
        json!({"url": "file:///etc/passwd"}),
    );
    assert!(fetched.is_error, "{}", fetched.text);
    assert_eq!(
        fetched.text,
        "refused to fetch file:///etc/passwd: the scheme `file` is not allowed (only https)"
    );
}

#[test]
fn run_python_returns_what_the_code_printed() {
    let dir = TempDir::new("python");
    let ran = call(toolbox(&dir), "run_python", json!({"code": "print(6*7)"}));
    assert!(!ran.is_error, "{}", ran.text);
    assert_eq!(ran.text.trim(), "42");
    // The sandbox has no network and none of the host's files: the code's own failure is an
    // error result with what it printed.
    let ran = call(
        toolbox(&dir),
        "run_python",
        json!({"code": "print(open('/etc/hostname').read())"}),
    );
    assert!(ran.is_error, "{}", ran.text);
    assert!(
        ran.text.starts_with("the code failed (exit code 1)") && ran.text.contains("Error"),
        "{}",
        ran.text
    );
}

#[test]
fn run_python_in_an_endless_loop_is_stopped_naming_the_limit() {
    let dir = TempDir::new("loop");
    let mut command = toolbox(&dir);
    command
        .env("MCP_SANDBOX__WALL_TIME", "2s")
        .env("MCP_SANDBOX__CPU_TIME", "1s");
    let started = Instant::now();
    let ran = call(command, "run_python", json!({"code": "while True: pass"}));
    assert!(ran.is_error, "{}", ran.text);
    // CPU time (1 s) runs out before wall time (2 s) on an idle machine; on a busy one the
    // wall clock may win. Either way the message names the limit and its value.
    assert!(
        ran.text == "the code was stopped: it reached the sandbox's CPU time limit (1s)"
            || ran.text == "the code was stopped: it reached the sandbox's wall time limit (2s)",
        "{}",
        ran.text
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn inspect_lists_the_four_tools_with_their_descriptions() {
    let dir = TempDir::new("inspect");
    let mut command = toolbox(&dir);
    command.arg("inspect");
    let (status, stdout, stderr) = process::run(&mut command, STEP);
    assert!(
        status.is_some_and(|status| status.success()),
        "{}",
        String::from_utf8_lossy(&stderr)
    );
    let inspect: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(inspect["name"], "toolbox");
    let tools = inspect["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["fetch_url", "read_file", "write_file", "run_python"]
    );
    for tool in tools {
        let description = tool["description"].as_str().unwrap_or_default();
        assert!(!description.is_empty(), "{tool}");
    }
    assert_eq!(
        tools[0]["inputSchema"]["required"],
        json!(["url"]),
        "{}",
        tools[0]
    );
}
