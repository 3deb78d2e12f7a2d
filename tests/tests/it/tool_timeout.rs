//! The default tool timeout: 60 seconds when nothing is configured, the `timeout.default`
//! setting or the builder's `default_timeout` otherwise, `off` for no limit, a tool's own
//! `timeout` above all, and a mounted server's own choice over its parent's.
//!
//! Tests that need a minute to pass run on paused time (`start_paused`): the runtime jumps to
//! the next timer whenever every task waits, so a 61-second sleep takes no time at all.

use std::time::Duration;

use mcp_runtime::config::TimeLimit;
use mcp_runtime::middleware::Timeout;
use mcp_runtime::prelude::*;
use mcp_runtime::testing::TestClient;
use serde_json::json;

/// Sleeps `secs` seconds, then answers.
#[tool]
async fn doze(secs: u64) -> String {
    tokio::time::sleep(Duration::from_secs(secs)).await;
    "woke".to_owned()
}

#[tokio::test(start_paused = true)]
async fn with_nothing_configured_a_tool_is_cut_after_60_seconds() {
    let server = Server::builder("t").tools(tools![doze]).build().unwrap();
    let client = TestClient::new(server).await;
    let started = tokio::time::Instant::now();
    let result = client.call_tool("doze", json!({"secs": 61})).await.unwrap();
    assert!(result.is_error(), "not cut: {}", result.text());
    assert_eq!(result.text(), "the tool `doze` timed out after 1m");
    assert_eq!(started.elapsed().as_secs(), 60, "{:?}", started.elapsed());
    // Under the limit: untouched.
    let result = client.call_tool("doze", json!({"secs": 59})).await.unwrap();
    assert_eq!(result.text(), "woke");
}

/// Sleeps `secs` seconds; its own limit is two minutes.
#[tool(timeout = "2m")]
async fn doze_own_limit(secs: u64) -> String {
    tokio::time::sleep(Duration::from_secs(secs)).await;
    "woke".to_owned()
}

/// Reads slowly: `secs` seconds.
#[resource("slow://{secs}")]
async fn slow_read(secs: u64) -> String {
    tokio::time::sleep(Duration::from_secs(secs)).await;
    "read".to_owned()
}

/// The settings of these variables.
fn settings(vars: &[(&str, &str)]) -> mcp_runtime::Settings {
    mcp_runtime::config::Config::builder()
        .env(vars.iter().copied())
        .load()
        .unwrap()
        .settings()
        .unwrap()
}

/// Calls `tool` with `secs`: its text, whether it was an error, and how long it took in
/// (paused) milliseconds.
async fn call(client: &TestClient, tool: &str, secs: u64) -> (String, bool, u128) {
    let started = tokio::time::Instant::now();
    let result = client.call_tool(tool, json!({"secs": secs})).await.unwrap();
    (
        result.text(),
        result.is_error(),
        started.elapsed().as_millis(),
    )
}

#[tokio::test(start_paused = true)]
async fn the_setting_sets_the_default_and_off_lifts_it() {
    let server = Server::builder("t")
        .settings(settings(&[("MCP_TIMEOUT__DEFAULT", "100ms")]))
        .tools(tools![doze, doze_own_limit])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let (text, is_error, took) = call(&client, "doze", 5).await;
    assert_eq!(text, "the tool `doze` timed out after 100ms");
    assert!(is_error);
    assert_eq!(took, 100);
    // The tool's own limit wins over the default, longer or shorter.
    let (text, _, _) = call(&client, "doze_own_limit", 90).await;
    assert_eq!(text, "woke");
    let (text, _, took) = call(&client, "doze_own_limit", 500).await;
    assert_eq!(text, "the tool `doze_own_limit` timed out after 2m");
    assert_eq!(took, 120_000);

    let server = Server::builder("t")
        .settings(settings(&[("MCP_TIMEOUT__DEFAULT", "off")]))
        .tools(tools![doze])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let (text, is_error, took) = call(&client, "doze", 3600).await;
    assert_eq!((text.as_str(), is_error, took), ("woke", false, 3_600_000));
}

#[tokio::test(start_paused = true)]
async fn the_builder_sets_the_default_and_unset_settings_leave_it() {
    let server = Server::builder("t")
        .default_timeout(Duration::from_millis(250))
        .settings(settings(&[]))
        .tools(tools![doze])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let (text, _, took) = call(&client, "doze", 5).await;
    assert_eq!(text, "the tool `doze` timed out after 250ms");
    assert_eq!(took, 250);

    let server = Server::builder("t")
        .default_timeout(TimeLimit::Off)
        .tools(tools![doze])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    assert_eq!(call(&client, "doze", 3600).await.0, "woke");
}

#[tokio::test(start_paused = true)]
async fn the_setting_limits_tools_and_installs_no_second_timer_for_resources() {
    // One mechanism: `timeout.default` is the server's default tool timeout; resource reads
    // are limited by their own `timeout` or an explicit `Timeout` middleware only.
    let server = Server::builder("t")
        .settings(settings(&[("MCP_TIMEOUT__DEFAULT", "100ms")]))
        .resources(resources![slow_read])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    assert_eq!(client.read_text("slow://5").await.unwrap(), "read");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_middleware_default_replaces_the_servers_for_the_calls_it_wraps() {
    // Longer than the built-in minute: the middleware's two minutes hold.
    let server = Server::builder("t")
        .middleware(Timeout::new(Duration::from_secs(120)))
        .tools(tools![doze])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    assert_eq!(call(&client, "doze", 90).await.0, "woke");
    let (text, _, took) = call(&client, "doze", 500).await;
    assert_eq!(text, "the tool `doze` timed out after 2m");
    assert_eq!(took, 120_000);

    // Shorter than the server's `off`.
    let server = Server::builder("t")
        .default_timeout(TimeLimit::Off)
        .middleware(Timeout::new(Duration::from_millis(100)))
        .tools(tools![doze])
        .build()
        .unwrap();
    let client = TestClient::new(server).await;
    let (text, _, took) = call(&client, "doze", 5).await;
    assert_eq!(text, "the tool `doze` timed out after 100ms");
    assert_eq!(took, 100);
}

/// A server of `doze` alone, with this default (or none).
fn child(limit: Option<TimeLimit>) -> Server {
    let builder = Server::builder("child").tools(tools![doze]);
    match limit {
        Some(limit) => builder.default_timeout(limit),
        None => builder,
    }
    .build()
    .unwrap()
}

/// A parent with this default (or none), `child` mounted under `c`.
fn parent(limit: Option<TimeLimit>, child: Server) -> Server {
    let builder = Server::builder("parent").mount("c", child);
    match limit {
        Some(limit) => builder.default_timeout(limit),
        None => builder,
    }
    .build()
    .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_mounted_servers_own_choice_wins_then_its_parents_then_a_minute() {
    let ms = |ms| Some(TimeLimit::After(Duration::from_millis(ms)));
    // (child's, parent's) → how long a call of a day is allowed to run, in milliseconds.
    for (own, inherited, expected) in [
        // The child said "no limit": it stays, whatever the parent says.
        (Some(TimeLimit::Off), ms(100), None),
        // The child said a limit: it wins over the parent's, longer or shorter.
        (ms(300), ms(100), Some(300)),
        (ms(100), Some(TimeLimit::Off), Some(100)),
        // The child did not say: the parent's, "no limit" included.
        (None, ms(200), Some(200)),
        (None, Some(TimeLimit::Off), None),
        // Nobody said: a minute.
        (None, None, Some(60_000)),
    ] {
        let client = TestClient::new(parent(inherited, child(own))).await;
        let (text, is_error, took) = call(&client, "c_doze", 86_400).await;
        match expected {
            None => assert_eq!(
                (text.as_str(), is_error, took),
                ("woke", false, 86_400_000),
                "{own:?} under {inherited:?}"
            ),
            Some(limit) => {
                assert!(is_error, "{own:?} under {inherited:?}: {text}");
                assert!(
                    text.starts_with("the tool `c_doze` timed out after "),
                    "{text}"
                );
                assert_eq!(took, limit, "{own:?} under {inherited:?}");
            }
        }
    }
}
