//! A stdio server stops gracefully on SIGTERM: it drains, runs its shutdown hooks, and exits 0.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::process;

#[test]
fn sigterm_drains_runs_the_shutdown_hooks_and_exits_cleanly() {
    let mut child = Command::new(process::example_binary("notes"))
        .env("RUST_LOG", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("notes starts");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"t","version":"0"}}}}}}"#
    )
    .unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains(r#""id":1"#), "{line}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    // Stdin stays open: only the signal can stop the server.
    let exit = process::wait_with_timeout(&mut child, Duration::from_secs(20))
        .expect("the server did not stop on SIGTERM");
    drop(stdin);
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(exit.success(), "exit {exit:?}; stderr:\n{stderr}");
    assert!(stderr.contains("draining in-flight requests"), "{stderr}");
    assert!(
        stderr.contains("notes: stopped, holding 1 notes"),
        "{stderr}"
    );
}
