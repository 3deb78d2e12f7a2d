//! The `http-auth` example as a user runs it: `http-auth dev` serves over HTTP with its own
//! development identity provider and prints tokens; `whoami` and `admin_reset` honour scopes.
#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::http::{self, Mcp, text};
use crate::support::process;
use serde_json::json;

#[tokio::test]
async fn the_dev_server_checks_tokens_from_its_provider_and_their_scopes() {
    let binary = process::example_binary("http-auth");
    let mut child = Command::new(binary)
        .args(["dev", "--port", "0", "--idp-port", "0"])
        .env("MCP_LOG__LEVEL", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("http-auth starts");
    let stdout = child.stdout.take().expect("stdout");
    let lines = tokio::task::spawn_blocking(move || {
        let mut found = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            found.push(line);
            if found.iter().any(|l| l.starts_with("token root")) {
                break;
            }
        }
        found
    });
    let lines = tokio::time::timeout(Duration::from_secs(60), lines)
        .await
        .expect("the example prints its endpoint and tokens")
        .expect("the reader");
    let value = |prefix: &str| {
        lines
            .iter()
            .find(|line| line.starts_with(prefix))
            .and_then(|line| line.split_whitespace().last())
            .unwrap_or_else(|| panic!("no `{prefix}` line in {lines:?}"))
            .to_owned()
    };
    let url = value("MCP endpoint:");
    let alice = value("token alice:");
    let root = value("token root");

    // Wait for readiness, then try as a user would.
    http::wait_ready(&url.replace("/mcp", "/readyz")).await;
    let mut anonymous = Mcp::new(&url);
    assert_eq!(anonymous.initialize().await.status, 401);

    let mut as_alice = Mcp::new(&url).with_token(&alice);
    assert_eq!(as_alice.initialize().await.status, 200);
    assert_eq!(text(&as_alice.call("whoami", json!({})).await), "alice");
    assert_eq!(as_alice.call("admin_reset", json!({})).await.status, 403);
    assert_eq!(as_alice.tool_names().await, ["whoami"]);

    let mut as_root = Mcp::new(&url).with_token(&root);
    as_root.initialize().await;
    assert_eq!(
        text(&as_root.call("admin_reset", json!({})).await),
        "reset done by root"
    );
    // SIGTERM drains and stops it cleanly.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let exit = process::wait_with_timeout(&mut child, Duration::from_secs(20))
        .expect("http-auth stops on SIGTERM");
    assert!(exit.success(), "exit {exit:?}");
}
