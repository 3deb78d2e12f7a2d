//! The command line every server gets through [`Server::run`].

use std::ffi::OsString;
use std::io::Write;

use futures::future::BoxFuture;
use serde_json::{Value, json};

use crate::config::{Settings, Transport};
use crate::error::Error;
use crate::server::Server;

mod args;
mod oneshot;

use self::args::{Command, Parsed};

impl Server {
    /// Runs the server's command line, from this process's arguments:
    ///
    /// - no arguments, or `serve`: serve MCP over stdio (what an MCP client spawns);
    /// - `serve --transport http [--host H] [--port P] [--path /mcp] [--stateless]`: serve
    ///   streamable HTTP (see [`serve_http`](Self::serve_http));
    /// - `inspect`: print the tools with their schemas as JSON;
    /// - `call <tool> '<json arguments>'`: run one call in memory and print the result;
    /// - `read <uri>`: read one resource in memory and print its contents;
    /// - `prompt <name> '<json arguments>'`: get one prompt in memory and print its messages.
    ///
    /// Logs go to stderr, so stdout carries the protocol alone; `RUST_LOG` filters them (by
    /// default `info` when serving, warnings only for `inspect` and `call`). Except when serving
    /// HTTP, stdout is protected first ([`protect_stdout`](crate::logging::protect_stdout)): a
    /// `println!` goes to stderr, while the protocol and the printed results reach the real
    /// stdout. Call `protect_stdout()` yourself first thing in `main` to cover what runs
    /// before `run()`.
    pub async fn run(self) -> Result<(), Error> {
        self.run_args(std::env::args_os().collect()).await
    }

    /// [`run`](Self::run) with explicit arguments (the first is the program name).
    pub async fn run_with_args<I, T>(self, args: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        self.run_args(args.into_iter().map(Into::into).collect())
            .await
    }

    /// The command line's one body: not generic and boxed, so its large state machine is
    /// compiled once in this crate rather than once per caller and codegen unit.
    fn run_args(self, args: Vec<OsString>) -> BoxFuture<'static, Result<(), Error>> {
        Box::pin(self.run_parsed(args))
    }

    async fn run_parsed(self, args: Vec<OsString>) -> Result<(), Error> {
        let command = match args::parse(args) {
            Ok(Parsed::Run(command)) => command,
            Ok(Parsed::Help(text)) => {
                // Help goes to the real stdout, even when `protect_stdout` moved it.
                let _ = write!(crate::logging::real_stdout(), "{text}");
                return Ok(());
            }
            Err(usage) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "error: {}\n\n{}",
                    usage.message,
                    usage.usage
                );
                return Err(Error::Usage(usage.message));
            }
        };
        // The builder's settings, or this process's (defaults, `mcp.toml`, `.env`, `MCP_*`;
        // without the `config` feature, the defaults alone).
        let settings = match self.settings() {
            Some(settings) => settings.clone(),
            #[cfg(feature = "config")]
            None => Settings::load()?,
            #[cfg(not(feature = "config"))]
            None => Settings::default(),
        };
        let transport = match &command {
            Command::Serve { transport, .. } => transport.unwrap_or(settings.transport),
            _ => Transport::Stdio,
        };
        // Everything but an HTTP server speaks (or prints its result) on stdout: from here on
        // `println!` goes to stderr, the protocol and results to the real stdout.
        if !matches!(
            (&command, transport),
            (Command::Serve { .. }, Transport::Http)
        ) {
            crate::logging::protect_stdout()?;
        }
        let mut log = settings.log.clone();
        if !matches!(command, Command::Serve { .. }) {
            // One-shot commands print their result on stdout; their logs are only problems.
            log.level = "warn,rmcp=error".to_owned();
        }
        crate::logging::init(transport, &log)?;
        // `MCP_POTR=9000` and other variables that name no setting: said once logs can carry it.
        #[cfg(not(feature = "validation"))]
        self.warn_unchecked();
        #[cfg(feature = "config")]
        for warning in settings.warnings() {
            tracing::warn!("{warning}");
        }
        self.set_sealer_if_none(&settings.request_state)?;
        self.set_tasks_if_none(&settings.tasks);
        match command {
            Command::Serve {
                host,
                port,
                path,
                stateless,
                ..
            } => match transport {
                Transport::Stdio => {
                    tracing::info!(server = self.name(), "serving MCP over stdio");
                    self.serve_stdio().await
                }
                #[cfg(not(feature = "http"))]
                Transport::Http => {
                    let _ = (host, port, path, stateless);
                    Err(Error::Usage(
                        "serving over HTTP needs mcp-runtime's `http` cargo feature, which this \
                         server was built without (add `features = [\"http\"]` to its mcp-runtime \
                         dependency)"
                            .to_owned(),
                    ))
                }
                #[cfg(feature = "http")]
                Transport::Http => {
                    let mut options = crate::http::HttpOptions::from_settings(&settings);
                    if let Some(host) = host {
                        options.host = host;
                    }
                    if let Some(port) = port {
                        options.port = port;
                    }
                    if let Some(path) = path {
                        if !path.starts_with('/') {
                            return Err(Error::Usage(format!(
                                "--path must start with `/`, like /mcp, not `{path}`"
                            )));
                        }
                        options.path = path;
                    }
                    options.stateless |= stateless;
                    #[cfg(feature = "auth")]
                    let server = self.with_settings_auth(&settings)?;
                    #[cfg(not(feature = "auth"))]
                    let server = self;
                    server.serve_http(options).await
                }
            },
            Command::Inspect => print_json(&self.inspect()),
            Command::Call { tool, arguments } => self.call_once(&tool, &arguments).await,
            Command::Read { uri } => self.read_once(&uri).await,
            Command::Prompt { name, arguments } => self.prompt_once(&name, &arguments).await,
        }
    }

    /// This server with the verifier `settings` describe, when it has none of its own: how
    /// `run()` turns auth on from `MCP_AUTH__*` alone for a server built without
    /// `.settings(…)`.
    #[cfg(feature = "auth")]
    fn with_settings_auth(self, settings: &Settings) -> Result<Self, Error> {
        if let (Some(auth), None) = (&settings.auth, self.verifier()) {
            let verifier = crate::auth::verifier_from_settings(auth)
                .map_err(|error| Error::Usage(error.to_string()))?;
            if let Some(verifier) = verifier {
                self.set_verifier_if_none(verifier);
            }
        }
        Ok(self)
    }

    /// The server's identity and components, as `inspect` prints them.
    pub fn inspect(&self) -> Value {
        let info = self.info();
        serde_json::json!({
            "name": info.server_info.name,
            "version": info.server_info.version,
            "instructions": info.instructions,
            "capabilities": info.capabilities,
            "tools": self.tools(),
            "resources": self.resources(),
            "resourceTemplates": self.resource_templates(),
            "prompts": self.prompts(),
        })
    }

    async fn read_once(self, uri: &str) -> Result<(), Error> {
        let result = oneshot::request(self, "resources/read", json!({ "uri": uri })).await?;
        print_json(&result)
    }

    async fn prompt_once(self, name: &str, arguments: &str) -> Result<(), Error> {
        let arguments = parse_arguments(arguments)?;
        let params = json!({ "name": name, "arguments": arguments });
        let result = oneshot::request(self, "prompts/get", params).await?;
        print_json(&result)
    }

    async fn call_once(self, tool: &str, arguments: &str) -> Result<(), Error> {
        let arguments = parse_arguments(arguments)?;
        let params = json!({ "name": tool, "arguments": arguments });
        let result = oneshot::request(self, "tools/call", params).await?;
        print_json(&result)?;
        if result.get("isError") == Some(&Value::Bool(true)) {
            // What the tool said, as `ToolResult::text` joins it.
            let content = result.get("content").and_then(Value::as_array);
            let text: Vec<&str> = content
                .into_iter()
                .flatten()
                .filter_map(|block| block.get("text").and_then(Value::as_str))
                .collect();
            return Err(Error::CallFailed(text.join("\n")));
        }
        Ok(())
    }
}

fn parse_arguments(arguments: &str) -> Result<Value, Error> {
    let arguments: Value = serde_json::from_str(arguments)
        .map_err(|error| Error::Usage(format!("the arguments are not valid JSON: {error}")))?;
    if !arguments.is_object() {
        return Err(Error::Usage(format!(
            "the arguments must be a JSON object, like '{{\"a\": 1}}', not `{arguments}`"
        )));
    }
    Ok(arguments)
}

/// Prints a command's result on the real stdout (where `protect_stdout` saved it).
fn print_json(value: &Value) -> Result<(), Error> {
    let mut stdout = std::io::BufWriter::new(crate::logging::real_stdout());
    serde_json::to_writer_pretty(&mut stdout, value).map_err(std::io::Error::from)?;
    writeln!(stdout)?;
    stdout.flush()?;
    Ok(())
}

#[cfg(all(test, feature = "auth", feature = "config"))]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;

    fn settings(vars: &[(&str, &str)]) -> Settings {
        Config::builder()
            .env(vars.iter().copied())
            .load()
            .and_then(|config| config.settings())
            .expect("valid settings")
    }

    #[test]
    fn run_takes_auth_from_the_environment_when_the_builder_set_none() {
        let server = Server::builder("plain").build().expect("builds");
        assert!(server.verifier().is_none());
        let server = server
            .with_settings_auth(&settings(&[
                ("MCP_AUTH__JWKS_URI", "https://auth.example.com/jwks.json"),
                ("MCP_AUTH__ISSUER", "https://auth.example.com/"),
            ]))
            .expect("applies");
        let verifier = server.verifier().expect("auth is on");
        // The JWT verifier the settings describe: it advertises their issuer.
        assert_eq!(
            verifier.authorization_servers(),
            ["https://auth.example.com/"]
        );

        // Without `[auth]` settings nothing changes.
        let server = Server::builder("plain").build().expect("builds");
        let server = server.with_settings_auth(&settings(&[])).expect("applies");
        assert!(server.verifier().is_none());
    }

    #[test]
    fn a_verifier_given_to_the_builder_wins_over_the_environment() {
        let tokens =
            crate::auth::StaticTokens::new().token("t", crate::auth::Identity::new("builder"));
        let server = Server::builder("mine")
            .auth(tokens)
            .build()
            .expect("builds");
        let before = Arc::as_ptr(server.verifier().expect("set")).cast::<()>();
        let server = server
            .with_settings_auth(&settings(&[(
                "MCP_AUTH__JWKS_URI",
                "https://auth.example.com/jwks.json",
            )]))
            .expect("applies");
        let after = Arc::as_ptr(server.verifier().expect("set")).cast::<()>();
        assert_eq!(before, after);
    }
}
