//! Typed configuration: [`Settings`] layered from defaults, a TOML file, `.env` and `MCP_*`
//! environment variables, validated at startup.
//!
//! Reading those sources needs the `config` cargo feature (on by default). Without it
//! [`Settings`] is a plain type with the defaults below, which `.settings(…)` and `run()` still
//! take, but no file or `MCP_*` variable is read.
//!
//! # Sources, lowest precedence first
//!
//! 1. **Defaults**: [`Settings::default`] (and `#[serde(default)]` in a user's own section).
//! 2. **A TOML file**: the file named by `MCP_CONFIG` (relative paths from the current
//!    directory), else `mcp.toml` in the current directory if there is one. A missing
//!    `MCP_CONFIG` file is an error; a missing `mcp.toml` is not.
//! 3. **`.env`** in the current directory, if there is one: its `MCP_*` entries, read like
//!    environment variables. The process environment is not modified (changing it while other
//!    threads run is unsound, which is why `std::env::set_var` is `unsafe`); the file's other
//!    entries are available through [`Config::var`].
//! 4. **`MCP_*` environment variables**: `MCP_` then the key, with `__` between nested keys,
//!    case-insensitive. A value in brackets is a list (`MCP_AUTH__ALGORITHMS=[RS256, ES256]`);
//!    list settings also take commas (`MCP_AUTH__ALGORITHMS=RS256,ES256`). Values are trimmed.
//!    `MCP_CONFIG` names the file, and [`IGNORED_VARS`] (variables MCP hosts set for
//!    themselves, like Claude Code's `MCP_TIMEOUT`) are not settings.
//!
//! | TOML                                 | environment variable                      |
//! |--------------------------------------|-------------------------------------------|
//! | `port = 9000`                        | `MCP_PORT=9000`                           |
//! | `[log]` `level = "debug"`            | `MCP_LOG__LEVEL=debug`                    |
//! | `[rate_limit.per_client]` `per_second = 5` | `MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND=5` |
//! | `[timeout]` `default = "30s"`        | `MCP_TIMEOUT__DEFAULT=30s`                |
//! | `[auth]` `issuer = "https://…"`      | `MCP_AUTH__ISSUER=https://…`              |
//! | `[app]` `api_key = "…"` (own section) | `MCP_APP__API_KEY=…`                     |
//!
//! # The TOML file
//!
//! Every key is optional; these are the defaults, with the optional sections filled in:
//!
//! ```toml
//! name = "notes"               # the server's name (default: the builder's)
//! transport = "stdio"          # "stdio" or "http"
//! host = "127.0.0.1"           # http: the address to listen on
//! port = 8000                  # http: the port, 1-65535
//! path = "/mcp"                # http: the endpoint's path
//! mask_internal_errors = true  # show callers "internal error" instead of the cause
//!
//! [http]
//! stateless = false            # true: no sessions, any replica serves any request
//! json_response = false        # stateless: plain JSON instead of SSE where possible
//! allowed_hosts = ["localhost", "127.0.0.1", "::1"] # Host header check; "*" for any
//! allowed_origins = ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"] # "*" for any
//! max_body = 4194304           # bytes
//! metrics_token = "…"          # /metrics asks for `Authorization: Bearer …` (default: none)
//! metrics_addr = "127.0.0.1:9090" # /metrics there alone (default: beside the MCP endpoint)
//! header_timeout = "10s"       # to send a request's headers; idle keep-alive connections too
//! body_timeout = "30s"         # to send a request's body (then 408)
//! max_connections = 1024       # open at once; more wait in the listen queue
//! max_connections_per_client = 128 # from one IP address; more are closed
//! max_requests_per_connection = 10000 # then the connection closes (0: no limit)
//! max_sessions = 1024          # open at once; the one idle longest makes room, else 503
//! max_sessions_per_client = 64 # per token subject (auth on) or IP address
//! session_idle_timeout = "2m"  # a session with no request for this long is closed
//!
//! [stdio]
//! max_line = 16777216          # bytes; a longer message line gets -32600
//! max_in_flight = 64           # requests running at once; more wait their turn
//! max_unwritten = 8388608      # bytes of answers unread by the client; then input waits
//!
//! [lists]
//! page_size = 100              # items per page of each list (default: one page, no cursors)
//! cache_ttl = "5m"             # the lists' ttlMs (default: none said)
//! cache_scope = "public"       # or "private"; scope-filtered lists are private anyway
//!
//! [request_state]              # answers carried across rounds (protocol 2026-07-28)
//! key = "a secret of at least 32 bytes, not this one" # the same on every replica
//! ttl = "10m"                  # how long a client has to answer
//! max_size = 65536             # bytes
//!
//! [tasks]                      # tools marked #[tool(task = "…")]
//! ttl = "10m"                  # a task and its result are kept this long (and may run as long)
//! poll_interval = "1s"         # what clients are told
//! max_per_client = 16          # running at once, per token subject
//! max_running = 256            # running at once, in all
//!
//! [files]                      # with the `files` feature: a FileRoot for tools
//! root = "./data"              # a directory that exists (default: none)
//! read_only = false
//! max_file_size = 10485760     # bytes, for reads and writes
//!
//! [fetch]                      # with the `fetch` feature: the policy of the Fetcher for tools
//! allow_http = false           # true: http:// URLs too (default: https only)
//! allow_hosts = ["wiki.corp.example", "10.20.0.0/16"] # internal, reachable on purpose (default: none)
//! deny_hosts = ["*.ads.example"] # never reached; wins over allow_hosts (default: none)
//! max_response_size = 10485760 # bytes of a response body
//! connect_timeout = "10s"      # to resolve and connect
//! timeout = "30s"              # a whole request, redirects and body included
//! max_redirects = 5            # each hop checked like the first URL; 0 refuses redirects
//! proxy = "http://proxy.corp.example:3128" # a trusted egress proxy (default: none); a secret
//!
//! [fetch.rate_limit_per_host]  # none by default
//! per_second = 2.0
//! burst = 5
//!
//! [sandbox]                    # with the `sandbox` feature: a Sandbox for tools
//! enabled = false              # give the server one
//! wall_time = "10s"            # then every process of a run is killed
//! cpu_time = "10s"             # whole seconds, rounded up
//! memory = 536870912           # bytes of address space per process
//! max_processes = 1            # at once; 1 allows none to be started
//! max_output = 1048576         # bytes kept of stdout, and of stderr; more stops the run
//! max_file_size = 16777216     # bytes, the largest file a run may write
//!
//! [metrics]
//! show_restricted = false      # name components that declare scopes in /metrics
//!
//! [log]
//! level = "info"               # a level or a filter: "info,my_crate=debug"
//! format = "text"              # "text" or "json" (default: text on stdio, JSON on HTTP)
//! file = "server.log"          # log to this file instead of stderr (default: stderr)
//!
//! [rate_limit.per_client]      # no rate limits by default
//! per_second = 5.0             # requests per second, > 0
//! burst = 10                   # at least 1 (default: per_second rounded up)
//!
//! [rate_limit.global]
//! per_second = 100.0
//! burst = 100
//!
//! [timeout]
//! default = "30s"              # for tools without their own (default: 60s); 250ms, 2m, "off"…
//!
//! [cache]
//! enabled = false
//! ttl = "60s"
//! max_entries = 1000
//!
//! [auth]                       # no authentication by default
//! jwks_uri = "https://auth.example.com/.well-known/jwks.json"
//! issuer = "https://auth.example.com/"
//! audience = "notes"
//! algorithms = ["RS256", "ES256"]
//! resource = "https://notes.example.com/mcp"
//! static_tokens = ["dev-token"] # secrets: never printed
//! static_scopes = ["notes:read"] # what a static token grants
//!
//! [app]                        # a server's own section, read with `Config::section`
//! api_key = "…"
//! ```
//!
//! # Errors
//!
//! A value that does not fit stops the server with a [`ConfigError`] that names where it came
//! from and what is expected: `MCP_PORT=notaport: expected a port number (1-65535)`, or
//! `/srv/mcp.toml: log.level = "loud": expected a log level …` for a value from the file.
//!
//! # Unknown variables
//!
//! An `MCP_*` variable (from the environment or `.env`) that names no setting is not an error,
//! but it is a warning: `unknown setting MCP_POTR; did you mean MCP_PORT?`.
//! [`Settings::warnings`] lists them (the rule is there), and [`Server::run`](crate::Server::run)
//! logs them at startup.
//!
//! # A server's own settings
//!
//! A server's own struct is a *section* of the same sources: `[app]` in the file,
//! `MCP_APP__*` variables. Give it `#[serde(default)]` and a `Default` for optional keys; a
//! required key that is missing is an error naming its variable.
//!
//! ```
//! use mcp_runtime::config::{Config, Secret};
//!
//! #[derive(serde::Deserialize)]
//! struct App {
//!     api_key: Secret<String>,
//!     #[serde(default)]
//!     retries: u32,
//! }
//!
//! let config = Config::builder()
//!     .env([("MCP_PORT", "9000"), ("MCP_APP__API_KEY", "s3cret"), ("MCP_APP__RETRIES", "3")])
//!     .load()?;
//! let settings = config.settings()?;
//! let app: App = config.section("app")?;
//! assert_eq!(settings.port, 9000);
//! assert_eq!(app.api_key.expose(), "s3cret");
//! assert_eq!(format!("{:?}", app.api_key), "[redacted]");
//! assert_eq!(app.retries, 3);
//! # Ok::<(), mcp_runtime::config::ConfigError>(())
//! ```
//!
//! In a server, [`Settings::load`] (or [`Config::load`] for a section too) reads the real
//! sources; tests pass theirs to [`Config::builder`] and leave the process environment alone.

mod auth;
mod cache;
mod error;
mod features;
mod fetch;
mod files;
mod http;
#[cfg(feature = "config")]
mod keys;
mod lists;
#[cfg(feature = "config")]
mod located;
mod log;
mod metrics;
mod parse;
mod rate_limit;
pub(crate) mod request_state;
pub(crate) mod sandbox;
mod secret;
#[cfg(feature = "config")]
mod sources;
mod stdio;
mod tasks;
mod timeout;
mod transport;
#[cfg(feature = "config")]
mod warnings;

#[cfg(feature = "config")]
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use self::auth::AuthSettings;
pub use self::cache::CacheSettings;
pub use self::error::{ConfigError, InvalidSetting, Origin};
pub use self::fetch::FetchSettings;
pub use self::files::FilesSettings;
pub use self::http::HttpSettings;
pub use self::lists::ListSettings;
pub use self::log::{LogFormat, LogSettings};
pub use self::metrics::MetricsSettings;
pub use self::parse::list;
pub use self::rate_limit::{RateLimitSettings, RateSpec};
pub use self::request_state::RequestStateSettings;
pub use self::sandbox::SandboxSettings;
pub use self::secret::{REDACTED, Secret};
#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
pub use self::sources::{Config, ConfigBuilder};
pub use self::stdio::StdioSettings;
pub use self::tasks::TaskSettings;
pub use self::timeout::{DEFAULT_TOOL_TIMEOUT, TimeLimit, TimeoutSettings};
pub use self::transport::Transport;
#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
pub use self::warnings::ConfigWarning;

#[cfg(feature = "config")]
use self::warnings::UnknownVars;

/// The prefix of the environment variables read as settings.
pub const ENV_PREFIX: &str = "MCP_";
/// The variable naming the TOML file to read.
pub const CONFIG_VAR: &str = "MCP_CONFIG";
/// The TOML file read from the current directory when `MCP_CONFIG` is not set.
pub const DEFAULT_FILE: &str = "mcp.toml";
/// `MCP_*` variables that MCP hosts set for themselves and that are not this server's
/// settings, so they are ignored: Claude Code's `MCP_TIMEOUT` (its own startup timeout, in
/// milliseconds) would otherwise be read as the `timeout` section and stop the server, and
/// its `MCP_TOOL_TIMEOUT` would be warned about as a misspelt setting.
pub const IGNORED_VARS: &[&str] = &["MCP_TIMEOUT", "MCP_TOOL_TIMEOUT"];

/// What a setting of either value expects.
const BOOL: &str = "true or false";
/// What a duration setting expects.
const DURATION: &str = "a duration greater than 0, like 250ms, 30s, 2m or 1h";

/// The runtime's settings: transport, logging, masking, rate limits, timeouts, cache, metrics
/// and auth.
///
/// Load them with [`Settings::load`] (or [`Config::settings`]); see the [module
/// docs](self) for the sources and the TOML format. `Debug` and `Serialize` never show secrets.
///
/// Each section lives in its own module with what it expects (its hints) and its checks; the
/// names a user section may not take and the variables that exist are read off this type.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Settings {
    /// The server's name, overriding the builder's (`MCP_NAME`).
    pub name: Option<String>,
    /// The transport `serve` uses (`MCP_TRANSPORT`: `stdio` or `http`).
    pub transport: Transport,
    /// The address the HTTP transport listens on (`MCP_HOST`, default `127.0.0.1`).
    pub host: String,
    /// The port the HTTP transport listens on (`MCP_PORT`, default 8000).
    pub port: u16,
    /// The HTTP endpoint's path (`MCP_PATH`, default `/mcp`).
    pub path: String,
    /// The HTTP transport's options (`MCP_HTTP__*`).
    pub http: HttpSettings,
    /// The stdio transport's bounds (`MCP_STDIO__*`).
    pub stdio: StdioSettings,
    /// The directory `FileRoot` tools work in (`MCP_FILES__*`).
    pub files: FilesSettings,
    /// What `Fetcher` tools may reach (`MCP_FETCH__*`).
    pub fetch: FetchSettings,
    /// The `Sandbox` tools run code in (`MCP_SANDBOX__*`).
    pub sandbox: SandboxSettings,
    /// Logging (`MCP_LOG__*`).
    pub log: LogSettings,
    /// Pages and caching hints of the lists (`MCP_LISTS__*`).
    pub lists: ListSettings,
    /// How the answers a client gave across rounds are sealed (`MCP_REQUEST_STATE__*`).
    pub request_state: RequestStateSettings,
    /// How long tasks are kept and how many may run (`MCP_TASKS__*`).
    pub tasks: TaskSettings,
    /// Whether callers see `internal error` instead of an internal failure's cause
    /// (`MCP_MASK_INTERNAL_ERRORS`, default `true`).
    pub mask_internal_errors: bool,
    /// Rate limits (`MCP_RATE_LIMIT__*`); none by default.
    pub rate_limit: RateLimitSettings,
    /// Timeouts (`MCP_TIMEOUT__*`).
    pub timeout: TimeoutSettings,
    /// The result cache (`MCP_CACHE__*`).
    pub cache: CacheSettings,
    /// What `/metrics` tells (`MCP_METRICS__*`).
    pub metrics: MetricsSettings,
    /// Authentication (`MCP_AUTH__*`); `None` unless one of its keys is set.
    pub auth: Option<AuthSettings>,
    /// The `MCP_*` variables of the sources that name no setting: see [`Self::warnings`].
    #[cfg(feature = "config")]
    #[serde(skip)]
    unknown_vars: UnknownVars,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            name: None,
            transport: Transport::Stdio,
            host: "127.0.0.1".to_owned(),
            port: 8000,
            path: "/mcp".to_owned(),
            http: HttpSettings::default(),
            stdio: StdioSettings::default(),
            files: FilesSettings::default(),
            fetch: FetchSettings::default(),
            sandbox: SandboxSettings::default(),
            log: LogSettings::default(),
            lists: ListSettings::default(),
            request_state: RequestStateSettings::default(),
            tasks: TaskSettings::default(),
            mask_internal_errors: true,
            rate_limit: RateLimitSettings::default(),
            timeout: TimeoutSettings::default(),
            cache: CacheSettings::default(),
            metrics: MetricsSettings::default(),
            auth: None,
            #[cfg(feature = "config")]
            unknown_vars: UnknownVars::default(),
        }
    }
}

impl Settings {
    /// The settings from this process's sources: defaults, the TOML file (`MCP_CONFIG` or
    /// `./mcp.toml`), `./.env` and `MCP_*` variables, validated.
    ///
    /// Call it once at startup and stop on the error: it names the variable (or file and key)
    /// at fault. Then log its [`warnings`](Self::warnings) (`run()` does).
    #[cfg(feature = "config")]
    #[cfg_attr(docsrs, doc(cfg(feature = "config")))]
    pub fn load() -> Result<Self, ConfigError> {
        Config::load()?.settings()
    }

    /// [`load`](Self::load), and a server's own settings from section `section` of the same
    /// sources (`[section]` in the file, `MCP_<SECTION>__*` variables). See
    /// [`Config::section`].
    #[cfg(feature = "config")]
    #[cfg_attr(docsrs, doc(cfg(feature = "config")))]
    pub fn load_with<T: DeserializeOwned>(section: &str) -> Result<(Self, T), ConfigError> {
        let config = Config::load()?;
        Ok((config.settings()?, config.section(section)?))
    }

    /// The `MCP_*` variables (from the environment or `.env`) that name no setting: typos,
    /// like `MCP_POTR` for `MCP_PORT`, that would otherwise be ignored without a word. Each
    /// prints as `unknown setting MCP_POTR; did you mean MCP_PORT?` (the closest setting's
    /// variable, if one is close). Empty for settings built in code.
    ///
    /// [`Server::run`](crate::Server::run) logs them as warnings once logging is set up. A
    /// server that starts itself logs them too:
    ///
    /// ```no_run
    /// # fn main() -> Result<(), mcp_runtime::config::ConfigError> {
    /// let settings = mcp_runtime::Settings::load()?;
    /// for warning in settings.warnings() {
    ///     tracing::warn!("{warning}");
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// The rule, since a server's own sections share the `MCP_` prefix:
    ///
    /// - a variable the server reads itself through the same [`Config`] ([`Config::var`], or
    ///   under a section read with [`Config::section`] or [`load_with`](Self::load_with)) is
    ///   never a warning, whenever it is read before the warnings are asked for;
    /// - a variable with no `__` (`MCP_POTR`), or under one of the runtime's sections
    ///   (`MCP_LOG__LEVLE`, which is also an error), or malformed (`MCP_LOG____LEVEL`), is one;
    /// - a variable under some other section (`MCP_BILLING__PLAN`) may belong to a section the
    ///   server reads by other means, so it is one only if the section's name is a slip of a
    ///   known section's: the runtime's (`MCP_LGO__LEVEL`) or one read (`MCP_APPP__KEY` when
    ///   `app` is read).
    ///
    /// [`IGNORED_VARS`] and `MCP_CONFIG` are never warnings. Name a server's own variables
    /// outside the `MCP_` prefix, or read them through [`Config`], to keep them out.
    #[cfg(feature = "config")]
    #[cfg_attr(docsrs, doc(cfg(feature = "config")))]
    pub fn warnings(&self) -> Vec<ConfigWarning> {
        self.unknown_vars.warnings()
    }

    /// Checks the values a type cannot: a port of 0, an invalid log filter, a rate of 0, a
    /// zero duration, an unknown JWS algorithm. [`Config::settings`] does this already; call it
    /// for settings built in code.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match self.problem() {
            None => Ok(()),
            Some(problem) => Err(ConfigError::invalid(
                problem.path.join("."),
                env_var_name(&problem.path),
                Origin::Code,
                problem.value.clone(),
                problem.expected(),
            )),
        }
    }

    /// The first value that does not pass validation.
    fn problem(&self) -> Option<Problem> {
        self.own_problem()
            .or_else(|| self.http.problem().map(|p| p.within("http")))
            .or_else(|| self.stdio.problem().map(|p| p.within("stdio")))
            .or_else(|| self.files.problem().map(|p| p.within("files")))
            .or_else(|| self.fetch.problem().map(|p| p.within("fetch")))
            .or_else(|| self.sandbox.problem().map(|p| p.within("sandbox")))
            .or_else(|| self.log.problem().map(|p| p.within("log")))
            .or_else(|| self.lists.problem().map(|p| p.within("lists")))
            .or_else(|| (self.request_state.problem()).map(|p| p.within("request_state")))
            .or_else(|| self.tasks.problem().map(|p| p.within("tasks")))
            .or_else(|| self.rate_limit.problem().map(|p| p.within("rate_limit")))
            .or_else(|| self.timeout.problem().map(|p| p.within("timeout")))
            .or_else(|| self.cache.problem().map(|p| p.within("cache")))
            .or_else(|| self.auth.as_ref()?.problem().map(|p| p.within("auth")))
            .or_else(|| self.missing_feature())
    }

    /// The first top-level value (outside the sections) that does not pass validation.
    fn own_problem(&self) -> Option<Problem> {
        if self.port == 0 {
            return Some(Problem::new(&["port"], "0"));
        }
        if self.host.trim().is_empty() {
            return Some(Problem::new(&["host"], error::quoted(&self.host)));
        }
        if !self.path.starts_with('/') {
            return Some(Problem::new(&["path"], error::quoted(&self.path)));
        }
        None
    }
}

/// The variable for a settings path: `["log", "level"]` → `MCP_LOG__LEVEL`.
fn env_var_name(path: &[impl AsRef<str>]) -> String {
    let path: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
    format!("{ENV_PREFIX}{}", path.join("__").to_ascii_uppercase())
}

/// What the runtime's setting at `path` expects, in words: the top-level settings' here, each
/// section's beside it.
fn hint(path: &[impl AsRef<str>]) -> Option<&'static str> {
    let path: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
    match path.as_slice() {
        ["name"] => Some("a server name"),
        ["transport"] => Some(transport::HINT),
        ["host"] => Some("a host name or IP address, like 127.0.0.1"),
        ["port"] => Some("a port number (1-65535)"),
        ["path"] => Some("a URL path starting with `/`, like /mcp"),
        ["mask_internal_errors"] => Some(BOOL),
        ["http", key @ ..] => http::hint(key),
        ["stdio", key @ ..] => stdio::hint(key),
        ["files", key @ ..] => files::hint(key),
        ["fetch", key @ ..] => fetch::hint(key),
        ["sandbox", key @ ..] => sandbox::hint(key),
        ["log", key @ ..] => log::hint(key),
        ["lists", key @ ..] => lists::hint(key),
        ["request_state", key @ ..] => request_state::hint(key),
        ["tasks", key @ ..] => tasks::hint(key),
        ["rate_limit", key @ ..] => rate_limit::hint(key),
        ["timeout", key @ ..] => timeout::hint(key),
        ["cache", key @ ..] => cache::hint(key),
        ["metrics", key @ ..] => metrics::hint(key),
        ["auth", key @ ..] => auth::hint(key),
        _ => None,
    }
}

/// A value that does not pass validation: where, as written, and what is expected when the
/// setting's hint does not say it.
struct Problem {
    path: Vec<String>,
    value: String,
    expected: Option<String>,
    /// The value is a secret: the error shows `value` (already redacted), never the source's.
    secret: bool,
}

impl Problem {
    /// The value at `path` (inside its section) is `value`; its hint says what is expected.
    fn new(path: &[&str], value: impl Into<String>) -> Self {
        Self {
            path: path.iter().map(|key| (*key).to_owned()).collect(),
            value: value.into(),
            expected: None,
            secret: false,
        }
    }

    /// The value is a secret: `value` says what can be said of it.
    fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    /// Expects `expected` rather than what the setting's hint says.
    fn expecting(mut self, expected: &str) -> Self {
        self.expected = Some(expected.to_owned());
        self
    }

    /// The same problem, seen from the section's parent.
    fn within(mut self, section: &str) -> Self {
        self.path.insert(0, section.to_owned());
        self
    }

    /// What is expected instead, in words.
    fn expected(&self) -> String {
        match &self.expected {
            Some(expected) => expected.clone(),
            None => hint(&self.path).unwrap_or("a valid value").to_owned(),
        }
    }
}

#[cfg(all(test, feature = "config"))]
mod test_util {
    use super::{Config, ConfigError};

    /// A `Config` of these variables alone.
    pub(super) fn config(vars: &[(&str, &str)]) -> Config {
        Config::builder()
            .env(vars.iter().copied())
            .load()
            .expect("no files to read")
    }

    /// The error the settings of these variables give.
    pub(super) fn settings_error(vars: &[(&str, &str)]) -> ConfigError {
        config(vars)
            .settings()
            .expect_err("the settings should not load")
    }
}

#[cfg(all(test, feature = "config"))]
mod tests {
    use std::time::Duration;

    use figment::providers::{Format, Toml};
    use figment::{Figment, Provider};

    use super::keys::{keys, reserved_keys};
    use super::test_util::{config, settings_error};
    use super::*;

    #[test]
    fn defaults() {
        let settings = config(&[]).settings().unwrap();
        assert_eq!(settings.transport, Transport::Stdio);
        assert_eq!(settings.host, "127.0.0.1");
        assert_eq!(settings.port, 8000);
        assert_eq!(settings.path, "/mcp");
        assert_eq!(settings.log.level, "info");
        assert_eq!(settings.log.format, None);
        assert!(settings.mask_internal_errors);
        assert!(settings.rate_limit.per_client.is_none());
        assert_eq!(settings.timeout.default, None);
        assert_eq!(settings.cache.ttl, Duration::from_secs(60));
        assert!(settings.auth.is_none());
        Settings::default().validate().unwrap();
    }

    #[test]
    fn bad_port_names_the_variable_and_value() {
        let error = settings_error(&[("MCP_PORT", "notaport")]);
        assert_eq!(
            error.to_string(),
            "MCP_PORT=notaport: expected a port number (1-65535)"
        );
        assert_eq!(error.env_var(), Some("MCP_PORT"));
        assert_eq!(error.key(), Some("port"));
        let error = settings_error(&[("MCP_PORT", "70000")]);
        assert_eq!(
            error.to_string(),
            "MCP_PORT=70000: expected a port number (1-65535)"
        );
        let error = settings_error(&[("MCP_PORT", "0")]);
        assert_eq!(
            error.to_string(),
            "MCP_PORT=0: expected a port number (1-65535)"
        );
    }

    #[test]
    fn code_built_settings_validate() {
        let settings = Settings {
            port: 0,
            ..Settings::default()
        };
        assert_eq!(
            settings.validate().unwrap_err().to_string(),
            "setting `port` = 0: expected a port number (1-65535)"
        );
    }

    /// Every top-level key of `Settings`, as its serialized form has them.
    fn top_level_keys() -> Vec<String> {
        let settings = serde_json::to_value(Settings::default()).unwrap();
        settings.as_object().unwrap().keys().cloned().collect()
    }

    #[test]
    fn every_top_level_key_is_reserved() {
        let top = top_level_keys();
        assert!(top.len() >= 12, "{top:?}");
        let reserved: Vec<&str> = reserved_keys().collect();
        for key in &top {
            assert!(reserved.contains(&key.as_str()), "`{key}` is not reserved");
            let error = config(&[])
                .section::<figment::value::Dict>(key)
                .unwrap_err();
            assert!(
                matches!(error, ConfigError::Section { .. }),
                "{key}: {error}"
            );
        }
        // The one the hand-written list forgot, and the one that is no field.
        assert!(reserved.contains(&"http"), "{reserved:?}");
        assert!(reserved.contains(&"config"), "{reserved:?}");
        assert_eq!(reserved.len(), top.len() + 1, "{reserved:?}");
    }

    #[test]
    fn the_settings_are_read_off_the_type() {
        let keys = keys();
        let leaves: Vec<String> = keys.leaves.iter().map(|leaf| leaf.join(".")).collect();
        for expected in [
            "port",
            "http.max_body",
            "http.allowed_origins",
            "log.level",
            "rate_limit.per_client.per_second",
            "rate_limit.global.burst",
            "timeout.default",
            "cache.ttl",
            "http.metrics_token",
            "http.metrics_addr",
            "http.header_timeout",
            "http.max_sessions_per_client",
            "stdio.max_in_flight",
            "metrics.show_restricted",
            "lists.page_size",
            "lists.cache_scope",
            "request_state.ttl",
            "tasks.max_per_client",
            "fetch.allow_hosts",
            "fetch.proxy",
            "fetch.rate_limit_per_host.burst",
            // Optional sections, which a default `Settings` leaves out.
            "auth.jwks_uri",
            "auth.static_scopes",
        ] {
            assert!(
                leaves.contains(&expected.to_owned()),
                "{expected}: {leaves:?}"
            );
        }
        assert!(!leaves.contains(&"http".to_owned()), "{leaves:?}");
        let sections: Vec<&str> = keys.sections().collect();
        assert_eq!(
            sections.len(),
            14,
            "http, stdio, files, fetch, sandbox, log, lists, request_state, tasks, rate_limit, \
             timeout, cache, metrics, auth: {sections:?}"
        );
    }

    #[test]
    fn every_setting_says_what_it_expects() {
        for leaf in &keys().leaves {
            assert!(hint(leaf).is_some(), "no hint for `{}`", leaf.join("."));
        }
    }

    /// The TOML sample in this module's docs: it must parse, pass validation, and set every
    /// setting there is and no other.
    #[test]
    fn the_documented_file_sets_every_setting() {
        let source = include_str!("mod.rs");
        let sample: String = source
            .lines()
            .skip_while(|line| *line != "//! ```toml")
            .skip(1)
            .take_while(|line| *line != "//! ```")
            .map(|line| line.trim_start_matches("//!").trim_start())
            .map(|line| format!("{line}\n"))
            .collect();
        assert!(sample.contains("[http]"), "{sample}");
        let figment = Figment::from(Toml::string(&sample));
        let settings: Settings = figment.extract().expect("the sample parses");
        settings.validate().expect("the sample is valid");
        let keys = keys();
        for leaf in &keys.leaves {
            assert!(
                figment.find_value(&leaf.join(".")).is_ok(),
                "the sample does not show `{}`",
                leaf.join(".")
            );
        }
        let data = figment.data().unwrap();
        let dict = data.values().next().unwrap();
        for (key, value) in dict {
            if key == "app" {
                continue;
            }
            let mut paths = vec![vec![key.clone()]];
            if let Some(section) = value.as_dict() {
                paths = section
                    .iter()
                    .flat_map(|(inner, value)| match value.as_dict() {
                        Some(deeper) => deeper
                            .keys()
                            .map(|deepest| vec![key.clone(), inner.clone(), deepest.clone()])
                            .collect(),
                        None => vec![vec![key.clone(), inner.clone()]],
                    })
                    .collect();
            }
            for path in paths {
                assert!(
                    keys.leaves.contains(&path),
                    "no setting `{}`",
                    path.join(".")
                );
            }
        }
    }
}
