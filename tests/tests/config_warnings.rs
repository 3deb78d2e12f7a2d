//! A mistyped `MCP_*` variable is warned about on stderr, naming the closest setting, and the
//! server still does its work: the `quickstart` example as a real child process.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

mod process;

/// How long one command may take.
const STEP: Duration = Duration::from_secs(20);

struct Output {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// Reads a whole pipe on a thread.
fn read_all(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

/// A directory of its own for one child, so no stray `mcp.toml` or `.env` is read.
fn fresh_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("mcp-config-warnings-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// Runs `quickstart <args>` in `dir` with `vars` as its only `MCP_*` variables.
fn quickstart(dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(process::example_binary("quickstart"));
    for (name, _) in std::env::vars_os() {
        if name
            .to_string_lossy()
            .to_ascii_uppercase()
            .starts_with("MCP_")
        {
            command.env_remove(name);
        }
    }
    let mut child = command
        .args(args)
        .envs(vars.iter().copied())
        .env_remove("RUST_LOG")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quickstart starts");
    let stdout = read_all(child.stdout.take().expect("piped"));
    let stderr = read_all(child.stderr.take().expect("piped"));
    let status = process::wait_with_timeout(&mut child, STEP);
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let status = status.unwrap_or_else(|| panic!("`quickstart {args:?}` hung; stderr:\n{stderr}"));
    Output {
        status,
        stdout,
        stderr,
    }
}

/// `call add {"a":1,"b":2}` succeeded and printed its result on stdout.
fn assert_added(out: &Output) {
    assert!(out.status.success(), "{}\n{}", out.stdout, out.stderr);
    let result: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {}", out.stdout));
    assert_eq!(
        result["structuredContent"],
        json!({"result": 3}),
        "{result}"
    );
}

#[test]
fn a_mistyped_variable_is_warned_about_on_stderr() {
    let dir = fresh_dir("env");
    let out = quickstart(
        &dir,
        &[("MCP_POTR", "9000")],
        &["call", "add", r#"{"a":1,"b":2}"#],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_added(&out);
    assert!(
        out.stderr
            .contains("unknown setting MCP_POTR; did you mean MCP_PORT?"),
        "stderr:\n{}",
        out.stderr
    );
    assert!(out.stderr.contains("WARN"), "stderr:\n{}", out.stderr);
    assert!(!out.stdout.contains("MCP_POTR"), "stdout:\n{}", out.stdout);
}

#[test]
fn a_mistyped_dotenv_entry_is_warned_about_with_its_file() {
    let dir = fresh_dir("dotenv");
    std::fs::write(dir.join(".env"), "MCP_LOG_LEVEL=debug\n").expect("writes .env");
    let out = quickstart(&dir, &[], &["call", "add", r#"{"a":1,"b":2}"#]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_added(&out);
    assert!(
        out.stderr.contains("unknown setting MCP_LOG_LEVEL (in ")
            && out.stderr.contains(".env); did you mean MCP_LOG__LEVEL?"),
        "stderr:\n{}",
        out.stderr
    );
}

#[test]
fn settings_that_exist_are_not_warned_about() {
    let dir = fresh_dir("valid");
    let out = quickstart(
        &dir,
        &[("MCP_PORT", "9000"), ("MCP_LOG__LEVEL", "debug")],
        &["call", "add", r#"{"a":1,"b":2}"#],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert_added(&out);
    assert!(
        !out.stderr.contains("unknown setting"),
        "stderr:\n{}",
        out.stderr
    );
}
