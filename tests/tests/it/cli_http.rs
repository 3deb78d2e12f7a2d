//! `serve --transport http` as a user runs it: the quickstart example serves streamable HTTP
//! on the port it is given, logs JSON lines to stdout, answers calls, and stops cleanly on
//! SIGTERM.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::http::Mcp;
use crate::support::process;
use serde_json::{Value, json};

#[tokio::test]
async fn serve_transport_http_serves_logs_json_and_stops_on_sigterm() {
    let mut child = Command::new(process::example_binary("quickstart"))
        .args(["serve", "--transport", "http", "--port", "0", "--stateless"])
        .env("MCP_LOG__LEVEL", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quickstart starts");
    let stdout = child.stdout.take().expect("stdout");
    let (lines_tx, mut lines_rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    // The first log line names the URL (the port was 0: the system picked one).
    let url = loop {
        let line = tokio::time::timeout(Duration::from_secs(60), lines_rx.recv())
            .await
            .expect("quickstart logs where it serves")
            .expect("stdout stays open");
        let entry: Value = serde_json::from_str(&line)
            .unwrap_or_else(|error| panic!("not a JSON log line ({error}): {line}"));
        if let Some(url) = entry["fields"]["url"].as_str() {
            break url.to_owned();
        }
    };
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );

    let mut mcp = Mcp::new(&url);
    let mut answer = mcp.call("add", json!({ "a": 2, "b": 3 })).await;
    for _ in 0..100 {
        if answer.status != 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        answer = mcp.call("add", json!({ "a": 2, "b": 3 })).await;
    }
    assert_eq!(answer.result()["structuredContent"]["result"], 5);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = process::wait_with_timeout(&mut child, Duration::from_secs(20))
        .expect("the server stops on SIGTERM");
    assert!(exit.success(), "exit {exit:?}");
    // Everything it wrote to stdout was a JSON log line.
    while let Ok(line) = lines_rx.try_recv() {
        assert!(serde_json::from_str::<Value>(&line).is_ok(), "{line}");
    }
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr reads");
    assert!(stderr.trim().is_empty(), "nothing on stderr: {stderr}");
}
