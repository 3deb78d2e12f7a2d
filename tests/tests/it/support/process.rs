//! Helpers for tests that run a program as a real child process (the examples, and this
//! package's fixture examples): building it once, reading its pipes on threads, writing
//! JSON-RPC lines to it, and waiting for it with a timeout.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// Builds the example `name` (package and binary of that name) once per test run, and
/// returns the path of its executable.
pub fn example_binary(name: &str) -> PathBuf {
    built(name, &["-p", name, "--bin", name], "")
}

/// Builds this package's example `name` (`tests/examples/<name>.rs`: a fixture that tests run
/// as a child process) once per test run, and returns the path of its executable.
pub fn fixture_binary(name: &str) -> PathBuf {
    built(
        name,
        &["-p", env!("CARGO_PKG_NAME"), "--example", name],
        "examples",
    )
}

/// Runs `cargo build` with `args` once per test run (one build at a time), and returns the
/// path of the executable target `name`, as cargo reports it (whatever `CARGO_TARGET_DIR`
/// is); if it reports none, the path beside this test's own executable, in `subdir`.
fn built(name: &str, args: &[&str], subdir: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<Vec<String>, PathBuf>>> = OnceLock::new();
    let key: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    // A build that failed (and panicked) in one test must not fail every other one.
    let mut built = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = built.get(&key) {
        return path.clone();
    }
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .arg("build")
        .args(args)
        .arg("--message-format=json")
        .current_dir(workspace_root())
        .stderr(Stdio::piped());
    // Not the variables cargo set for this test: build scripts that read one (ring's reads
    // `CARGO_MANIFEST_DIR`) would rerun, and the next `cargo test` would rerun them back,
    // rebuilding everything above them (rustls, reqwest, the SDK) each time.
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(set_by_cargo_for_tests) {
            cargo.env_remove(name);
        }
    }
    let output = cargo.output().expect("cargo runs");
    assert!(
        output.status.success(),
        "building {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reported = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
        .find_map(|m| m["executable"].as_str().map(PathBuf::from));
    let path = reported.unwrap_or_else(|| {
        // Beside this test's own executable: target/<profile>/deps/… → target/<profile>/.
        let exe = std::env::current_exe().expect("the test's own path");
        let dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        dir.join(subdir)
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
    });
    assert!(path.is_file(), "no {name} executable at {}", path.display());
    built.insert(key, path.clone());
    path
}

/// Whether cargo sets the environment variable `name` for the tests it runs (configuration
/// such as `CARGO_TARGET_DIR` or `CARGO_HOME` comes from the user, and stays).
fn set_by_cargo_for_tests(name: &str) -> bool {
    name.starts_with("CARGO_PKG_")
        || matches!(
            name,
            "CARGO_MANIFEST_DIR"
                | "CARGO_MANIFEST_PATH"
                | "CARGO_CRATE_NAME"
                | "CARGO_BIN_NAME"
                | "CARGO_PRIMARY_PACKAGE"
                | "CARGO_TARGET_TMPDIR"
                | "CARGO_RUSTC_CURRENT_DIR"
        )
}

/// Waits for `child` to exit; after `timeout`, kills it and returns `None`.
pub fn wait_with_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads a pipe on a thread, line by line, into a channel.
pub fn lines_of(pipe: impl Read + Send + 'static) -> (Receiver<String>, JoinHandle<()>) {
    let (sender, receiver) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    (receiver, thread)
}

/// Reads a whole pipe on a thread.
pub fn read_all(mut pipe: impl Read + Send + 'static) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

/// Writes `message` to a child's stdin as one line of JSON, and flushes it.
pub fn send_line(stdin: &mut ChildStdin, message: &Value) {
    let mut line = message.to_string();
    line.push('\n');
    stdin
        .write_all(line.as_bytes())
        .expect("write to the child's stdin");
    stdin.flush().expect("flush the child's stdin");
}

/// Runs `command` with no stdin to its end, or kills it after `timeout`: its exit status
/// (`None` if it was killed), stdout and stderr.
pub fn run(command: &mut Command, timeout: Duration) -> (Option<ExitStatus>, Vec<u8>, Vec<u8>) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("{:?} does not start: {error}", command.get_program()));
    let stdout = read_all(child.stdout.take().expect("stdout is piped"));
    let stderr = read_all(child.stderr.take().expect("stderr is piped"));
    let status = wait_with_timeout(&mut child, timeout);
    let stdout = stdout.join().expect("the stdout reader");
    let stderr = stderr.join().expect("the stderr reader");
    (status, stdout, stderr)
}
