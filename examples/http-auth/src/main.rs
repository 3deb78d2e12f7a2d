//! An MCP server over streamable HTTP with JWT auth.
//!
//! - `whoami` needs scope `profile:read` and returns the caller's subject;
//! - `admin_reset` needs scope `admin`.
//!
//! ```text
//! cargo run -p http-auth -- dev                 # serve with a development identity provider
//! cargo run -p http-auth -- token alice profile:read   # mint a development token
//! MCP_AUTH__JWKS_URI=… MCP_AUTH__ISSUER=… MCP_AUTH__AUDIENCE=… \
//!   cargo run -p http-auth -- serve --transport http   # against a real identity provider
//! ```
//!
//! `dev` starts a small identity provider beside the server (its JWKS at
//! `http://127.0.0.1:<idp-port>/.well-known/jwks.json`, tokens at `/token?sub=…&scope=…`)
//! and points the server's auth at it: the same JWKS fetching and verification as with a
//! real provider. Its signing key ships with this example, so its tokens prove nothing
//! outside your machine.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use mcp_runtime::auth::Auth;
use mcp_runtime::config::{AuthSettings, Transport};
use mcp_runtime::prelude::*;
use serde_json::json;

/// The development identity provider's signing key (never use it for anything real).
const DEV_KEY: &str = include_str!("dev-key.pem");
/// Its public half, as the JWKS the server fetches.
const DEV_JWKS: &str = include_str!("dev-jwks.json");
const DEV_KID: &str = "http-auth-dev";
/// The audience development tokens carry, and the server expects in `dev`.
const DEV_AUDIENCE: &str = "http-auth-dev";

/// Who am I? Returns the authenticated caller's subject.
#[tool(scopes = ["profile:read"], annotations(read_only))]
async fn whoami(auth: Auth) -> String {
    auth.subject().to_owned()
}

/// Resets the server's data. Administrators only.
#[tool(scopes = ["admin"], annotations(destructive))]
async fn admin_reset(auth: Auth, ctx: Ctx) -> String {
    ctx.warning(format!("reset requested by {}", auth.subject()))
        .await;
    format!("reset done by {}", auth.subject())
}

#[derive(Debug, Parser)]
#[command(about = "Development helpers of the http-auth example")]
struct Dev {
    #[command(subcommand)]
    command: DevCommand,
}

#[derive(Debug, Subcommand)]
enum DevCommand {
    /// Serve over HTTP with a development identity provider, and print tokens to try.
    Dev {
        /// The MCP server's port.
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The development identity provider's port.
        #[arg(long, default_value_t = 8001)]
        idp_port: u16,
    },
    /// Print a development token for `subject` with `scopes`.
    Token {
        /// The token's subject (`sub`).
        subject: String,
        /// The scopes it grants.
        scopes: Vec<String>,
        /// The issuer (the identity provider's URL in `dev`).
        #[arg(long, default_value = "http://127.0.0.1:8001/")]
        issuer: String,
    },
}

fn server(settings: mcp_runtime::Settings) -> Result<Server, mcp_runtime::Error> {
    Server::builder("http-auth")
        .version(env!("CARGO_PKG_VERSION"))
        .settings(settings)
        .instructions(
            "`whoami` tells who you are (scope profile:read); `admin_reset` needs scope admin.",
        )
        .tools(tools![whoami, admin_reset])
        .build()
}

#[tokio::main]
async fn main() -> Result<(), mcp_runtime::Error> {
    let args: Vec<String> = std::env::args().collect();
    if !matches!(args.get(1).map(String::as_str), Some("dev" | "token")) {
        let settings = mcp_runtime::Settings::load()?;
        if settings.auth.is_none() {
            return Err(mcp_runtime::Error::Usage(
                "no auth configured: set MCP_AUTH__JWKS_URI (with MCP_AUTH__ISSUER and \
                 MCP_AUTH__AUDIENCE), or run `http-auth dev` for a development provider"
                    .to_owned(),
            ));
        }
        return server(settings)?.run().await;
    }
    match Dev::parse().command {
        DevCommand::Token {
            subject,
            scopes,
            issuer,
        } => {
            println!("{}", mint(&issuer, &subject, &scopes.join(" "))?);
            Ok(())
        }
        DevCommand::Dev { port, idp_port } => dev(port, idp_port).await,
    }
}

/// A development token: ES256, signed with [`DEV_KEY`], valid for an hour.
fn mint(issuer: &str, subject: &str, scope: &str) -> Result<String, mcp_runtime::Error> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let claims = json!({
        "iss": issuer,
        "sub": subject,
        "aud": DEV_AUDIENCE,
        "scope": scope,
        "iat": now,
        "exp": now + 3600,
    });
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(DEV_KID.to_owned());
    let failed = |error: jsonwebtoken::errors::Error| {
        mcp_runtime::Error::Usage(format!("cannot mint a token: {error}"))
    };
    let key = EncodingKey::from_ec_pem(DEV_KEY.as_bytes()).map_err(failed)?;
    jsonwebtoken::encode(&header, &claims, &key).map_err(failed)
}

/// Serves the development identity provider, then the MCP server pointed at it.
async fn dev(port: u16, idp_port: u16) -> Result<(), mcp_runtime::Error> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", idp_port)).await?;
    let idp = format!("http://{}", listener.local_addr()?);
    let issuer = format!("{idp}/");
    let jwks: serde_json::Value = serde_json::from_str(DEV_JWKS)
        .map_err(|error| mcp_runtime::Error::Usage(format!("the dev JWKS: {error}")))?;
    let token_issuer = issuer.clone();
    let app = axum::Router::new()
        .route(
            "/.well-known/jwks.json",
            axum::routing::get(move || async move { axum::Json(jwks) }),
        )
        .route(
            "/token",
            axum::routing::get(
                move |axum::extract::Query(query): axum::extract::Query<
                    HashMap<String, String>,
                >| {
                    let issuer = token_issuer.clone();
                    async move {
                        let subject = query.get("sub").map_or("dev", String::as_str);
                        let scope = query.get("scope").map_or("", String::as_str);
                        mint(&issuer, subject, scope).unwrap_or_else(|error| error.to_string())
                    }
                },
            ),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut settings = mcp_runtime::Settings::load()?;
    settings.transport = Transport::Http;
    settings.port = port;
    let mut auth = AuthSettings::default();
    auth.jwks_uri = Some(format!("{idp}/.well-known/jwks.json"));
    auth.issuer = Some(issuer.clone());
    auth.audience = Some(DEV_AUDIENCE.to_owned());
    auth.algorithms = vec!["ES256".to_owned()];
    settings.auth = Some(auth);
    let options = mcp_runtime::http::HttpOptions::from_settings(&settings);
    let server = server(settings)?;
    mcp_runtime::logging::init(
        Transport::Http,
        &server.settings().cloned().unwrap_or_default().log,
    )?;
    let running = server.bind_http(options).await?;
    println!("MCP endpoint:        {}", running.url());
    println!("identity provider:   {idp}");
    println!(
        "token alice:         {}",
        mint(&issuer, "alice", "profile:read")?
    );
    println!(
        "token root (admin):  {}",
        mint(&issuer, "root", "profile:read admin")?
    );
    let stop = running.stop_token();
    tokio::spawn(async move {
        stopped().await;
        stop.cancel();
    });
    running.wait().await
}

/// SIGINT (Ctrl-C) or, on Unix, SIGTERM: then the server drains and stops.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
