//! `/metrics` over real HTTP: behind the same `Host` check as the MCP endpoint, behind a bearer
//! token when one is set, on its own address when asked, and without the names of components
//! that declare scopes unless shown; and its settings, from variables.
//!
//! The Prometheus recorder is process-wide: each test names its tools uniquely and checks what
//! its own series say.

use mcp_runtime::auth::{Identity, StaticTokens};
use mcp_runtime::config::Config;
use mcp_runtime::http::{HttpOptions, HttpServer};
use mcp_runtime::prelude::*;
use serde_json::json;

use crate::support::http::{Mcp, serve_ready, text};

/// Open to everyone.
#[tool]
async fn metrics_open_tool() -> String {
    "open".to_owned()
}

/// Needs a scope: its name is not for everyone.
#[tool(scopes = ["payroll:admin"])]
async fn metrics_hidden_payroll_tool() -> String {
    "payroll".to_owned()
}

/// Needs a scope, on the server that shows restricted names.
#[tool(scopes = ["payroll:admin"])]
async fn metrics_shown_payroll_tool() -> String {
    "shown".to_owned()
}

/// An answer from `GET http://{addr}/metrics`: status, `WWW-Authenticate`, body.
struct Scrape {
    status: u16,
    challenge: Option<String>,
    body: String,
}

async fn scrape(addr: std::net::SocketAddr, headers: &[(&str, &str)]) -> Scrape {
    let mut request = reqwest::Client::new().get(format!("http://{addr}/metrics"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the request is sent");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.expect("a body");
    Scrape {
        status,
        challenge,
        body,
    }
}

async fn open_server(options: HttpOptions) -> HttpServer {
    let server = Server::builder("metrics-test")
        .tools(tools![metrics_open_tool])
        .build()
        .expect("builds");
    serve_ready(server, options.stateless(true)).await
}

#[tokio::test]
async fn metrics_refuse_a_foreign_host() {
    let running = open_server(HttpOptions::new()).await;
    let addr = running.local_addr();
    let own = scrape(addr, &[]).await;
    assert_eq!(own.status, 200, "{}", own.body);
    // A DNS-rebinding page reaches the port under its own name: refused, as on /mcp.
    let foreign = scrape(addr, &[("host", "evil.example.com")]).await;
    assert_eq!(foreign.status, 403);
    assert!(!foreign.body.contains("mcp_"), "{}", foreign.body);
    let foreign_port = scrape(addr, &[("host", "evil.example.com:8000")]).await;
    assert_eq!(foreign_port.status, 403);
    // A listed host with another port is the same host.
    let listed = scrape(addr, &[("host", "localhost:1234")]).await;
    assert_eq!(listed.status, 200);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn a_metrics_token_is_asked_for_and_checked() {
    let running = open_server(HttpOptions::new().metrics_token("scrape-secret-1")).await;
    let addr = running.local_addr();
    let mut mcp = Mcp::new(running.url());
    assert_eq!(
        text(&mcp.call("metrics_open_tool", json!({})).await),
        "open",
        "the MCP endpoint does not ask for the metrics token"
    );

    let missing = scrape(addr, &[]).await;
    assert_eq!(missing.status, 401);
    assert_eq!(
        missing.challenge.as_deref(),
        Some(r#"Bearer realm="metrics""#)
    );
    assert!(!missing.body.contains("mcp_"), "{}", missing.body);
    for wrong in [
        "Bearer scrape-secret-2",
        "Bearer scrape-secret",
        "Bearer scrape-secret-1x",
        "Basic c2NyYXBlLXNlY3JldC0x",
        "scrape-secret-1",
    ] {
        let refused = scrape(addr, &[("authorization", wrong)]).await;
        assert_eq!(refused.status, 401, "{wrong}");
        assert!(!refused.body.contains("mcp_"), "{wrong}: {}", refused.body);
    }
    let allowed = scrape(addr, &[("authorization", "Bearer scrape-secret-1")]).await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert!(
        allowed.body.contains(r#"component="metrics_open_tool""#),
        "{}",
        allowed.body
    );
    // The token does not get past the Host check.
    let foreign = scrape(
        addr,
        &[
            ("authorization", "Bearer scrape-secret-1"),
            ("host", "evil.example.com"),
        ],
    )
    .await;
    assert_eq!(foreign.status, 403);
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn metrics_on_their_own_address_are_served_there_alone() {
    let running = open_server(
        HttpOptions::new()
            .metrics_addr("127.0.0.1:0")
            .metrics_token("scrape-secret-3"),
    )
    .await;
    let metrics_addr = running.metrics_addr().expect("a metrics address");
    assert_ne!(metrics_addr, running.local_addr());
    let mut mcp = Mcp::new(running.url());
    assert_eq!(
        text(&mcp.call("metrics_open_tool", json!({})).await),
        "open"
    );

    // Not beside the MCP endpoint any more.
    let beside = scrape(
        running.local_addr(),
        &[("authorization", "Bearer scrape-secret-3")],
    )
    .await;
    assert_eq!(beside.status, 404);
    // There, with the token and the Host check.
    let there = scrape(metrics_addr, &[("authorization", "Bearer scrape-secret-3")]).await;
    assert_eq!(there.status, 200, "{}", there.body);
    assert!(
        there.body.contains(r#"component="metrics_open_tool""#),
        "{}",
        there.body
    );
    assert_eq!(scrape(metrics_addr, &[]).await.status, 401);
    let foreign = scrape(
        metrics_addr,
        &[
            ("authorization", "Bearer scrape-secret-3"),
            ("host", "evil.example.com"),
        ],
    )
    .await;
    assert_eq!(foreign.status, 403);
    // Only /metrics: the MCP endpoint and the probes are not served there.
    for path in ["/mcp", "/healthz", "/readyz"] {
        let status = reqwest::get(format!("http://{metrics_addr}{path}"))
            .await
            .expect("the request is sent")
            .status();
        assert_eq!(status, 404, "{path}");
    }

    // Both listeners stop with the server.
    running.shutdown().await.expect("clean shutdown");
    assert!(
        reqwest::get(format!("http://{metrics_addr}/metrics"))
            .await
            .is_err(),
        "the metrics listener outlived the server"
    );
}

fn payroll_server(tool_set: ToolSet) -> Server {
    let tokens = StaticTokens::new()
        .token(
            "admin-token",
            Identity::new("root").with_scopes(["payroll:admin"]),
        )
        .token("user-token", Identity::new("user"));
    Server::builder("metrics-restricted")
        .tools(tool_set)
        .auth(tokens)
        .build()
        .expect("builds")
}

#[tokio::test]
async fn components_that_declare_scopes_are_not_named_in_metrics() {
    let server = payroll_server(tools![metrics_open_tool, metrics_hidden_payroll_tool]);
    let running = serve_ready(server, HttpOptions::new().stateless(true)).await;
    let mut admin = Mcp::new(running.url()).with_token("admin-token");
    assert_eq!(
        text(&admin.call("metrics_hidden_payroll_tool", json!({})).await),
        "payroll"
    );
    assert_eq!(
        text(&admin.call("metrics_open_tool", json!({})).await),
        "open"
    );
    // A caller without the scope does not even see it listed.
    let mut user = Mcp::new(running.url()).with_token("user-token");
    assert_eq!(user.tool_names().await, ["metrics_open_tool"]);

    let metrics = scrape(running.local_addr(), &[]).await.body;
    assert!(
        !metrics.contains("metrics_hidden_payroll_tool"),
        "/metrics names a restricted tool:\n{metrics}"
    );
    assert!(
        metrics.contains(r#"mcp_requests_total{method="tools/call",component="(restricted)"}"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"component="metrics_open_tool""#),
        "{metrics}"
    );
    running.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn restricted_names_are_shown_when_configured() {
    let config = Config::builder()
        .env([("MCP_METRICS__SHOW_RESTRICTED", "true")])
        .load()
        .expect("loads");
    let settings = config.settings().expect("valid settings");
    assert!(settings.metrics.show_restricted);
    let options = HttpOptions::from_settings(&settings);
    assert!(options.metrics_show_restricted);
    let server = payroll_server(tools![metrics_shown_payroll_tool]);
    let running = serve_ready(server, options.stateless(true)).await;
    let mut admin = Mcp::new(running.url()).with_token("admin-token");
    assert_eq!(
        text(&admin.call("metrics_shown_payroll_tool", json!({})).await),
        "shown"
    );
    let metrics = scrape(running.local_addr(), &[]).await.body;
    assert!(
        metrics.contains(r#"component="metrics_shown_payroll_tool""#),
        "{metrics}"
    );
    running.shutdown().await.expect("clean shutdown");
}

#[test]
fn metrics_settings_come_from_variables() {
    let config = Config::builder()
        .env([
            ("MCP_HTTP__METRICS_TOKEN", "scrape-secret-4"),
            ("MCP_HTTP__METRICS_ADDR", "127.0.0.1:9464"),
            ("MCP_METRICS__SHOW_RESTRICTED", "true"),
        ])
        .load()
        .expect("loads");
    let settings = config.settings().expect("valid settings");
    assert_eq!(
        settings
            .http
            .metrics_token
            .as_ref()
            .map(|token| token.expose().as_str()),
        Some("scrape-secret-4")
    );
    assert_eq!(
        settings.http.metrics_addr.as_deref(),
        Some("127.0.0.1:9464")
    );
    assert!(settings.metrics.show_restricted);
    assert!(settings.warnings().is_empty(), "{:?}", settings.warnings());
    let options = HttpOptions::from_settings(&settings);
    assert_eq!(options.metrics_addr.as_deref(), Some("127.0.0.1:9464"));
    assert!(options.metrics_show_restricted);
    // The token never prints.
    for text in [format!("{settings:?}"), format!("{options:?}")] {
        assert!(!text.contains("scrape-secret-4"), "{text}");
    }

    // The defaults: no token, beside the MCP endpoint, restricted names hidden.
    let defaults = Config::builder()
        .load()
        .expect("loads")
        .settings()
        .expect("valid");
    assert!(defaults.http.metrics_token.is_none());
    assert!(defaults.http.metrics_addr.is_none());
    assert!(!defaults.metrics.show_restricted);

    // A bad address names its variable; a misspelt key of a runtime section is an error that
    // lists the keys there (the new ones too), a misspelt section a warning.
    let error = Config::builder()
        .env([("MCP_HTTP__METRICS_ADDR", "9464")])
        .load()
        .expect("loads")
        .settings()
        .expect_err("no host");
    assert_eq!(error.env_var(), Some("MCP_HTTP__METRICS_ADDR"));
    assert!(error.to_string().contains("like 127.0.0.1:9090"), "{error}");
    let error = Config::builder()
        .env([("MCP_HTTP__METRICS_ADR", "127.0.0.1:9464")])
        .load()
        .expect("loads")
        .settings()
        .expect_err("an unknown key of [http]");
    assert_eq!(error.env_var(), Some("MCP_HTTP__METRICS_ADR"));
    assert!(error.to_string().contains("metrics_addr"), "{error}");
    let error = Config::builder()
        .env([("MCP_METRICS__SHOW_RESTRICTD", "true")])
        .load()
        .expect("loads")
        .settings()
        .expect_err("an unknown key of [metrics]");
    assert_eq!(error.env_var(), Some("MCP_METRICS__SHOW_RESTRICTD"));
    assert!(error.to_string().contains("show_restricted"), "{error}");
    let warnings: Vec<String> = Config::builder()
        .env([("MCP_METRIC__SHOW_RESTRICTED", "true")])
        .load()
        .expect("loads")
        .settings()
        .expect("an unknown section is no error")
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        warnings,
        ["unknown setting MCP_METRIC__SHOW_RESTRICTED; did you mean MCP_METRICS__SHOW_RESTRICTED?"]
    );
}
