//! Typed configuration: [`Settings`] layered from defaults, a TOML file, `.env` and `MCP_*`
//! environment variables, validated at startup.
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
//!
//! [timeout]
//! default = "30s"              # for tools without their own (default: none); 250ms, 2m, 1h…
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

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Tag, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::de::{self, DeserializeOwned, IntoDeserializer};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The prefix of the environment variables read as settings.
pub const ENV_PREFIX: &str = "MCP_";
/// The variable naming the TOML file to read.
pub const CONFIG_VAR: &str = "MCP_CONFIG";
/// The TOML file read from the current directory when `MCP_CONFIG` is not set.
pub const DEFAULT_FILE: &str = "mcp.toml";
/// What a [`Secret`] prints.
pub const REDACTED: &str = "[redacted]";
/// `MCP_*` variables that MCP hosts set for themselves and that are not this server's
/// settings, so they are ignored: Claude Code's `MCP_TIMEOUT` (its own startup timeout, in
/// milliseconds) would otherwise be read as the `timeout` section and stop the server.
pub const IGNORED_VARS: &[&str] = &["MCP_TIMEOUT"];

// The names of the figment providers, so an error can say where a value came from.
const ENV_SOURCE: &str = "environment variables";
const DOTENV_SOURCE: &str = ".env file";
const FILE_SOURCE: &str = "config file";
// A secret that does not deserialize reports this, so its value is never shown.
const SECRET_INVALID: &str = "the value of a secret setting is not valid";

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

/// The runtime's settings: transport, logging, masking, rate limits, timeouts, cache and auth.
///
/// Load them with [`Settings::load`] (or [`Config::settings`]); see the [module
/// docs](self) for the sources and the TOML format. `Debug` and `Serialize` never show secrets.
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
    /// Logging (`MCP_LOG__*`).
    pub log: LogSettings,
    /// Whether callers see `internal error` instead of an internal failure's cause
    /// (`MCP_MASK_INTERNAL_ERRORS`, default `true`).
    pub mask_internal_errors: bool,
    /// Rate limits (`MCP_RATE_LIMIT__*`); none by default.
    pub rate_limit: RateLimitSettings,
    /// Timeouts (`MCP_TIMEOUT__*`).
    pub timeout: TimeoutSettings,
    /// The result cache (`MCP_CACHE__*`).
    pub cache: CacheSettings,
    /// Authentication (`MCP_AUTH__*`); `None` unless one of its keys is set.
    pub auth: Option<AuthSettings>,
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
            log: LogSettings::default(),
            mask_internal_errors: true,
            rate_limit: RateLimitSettings::default(),
            timeout: TimeoutSettings::default(),
            cache: CacheSettings::default(),
            auth: None,
        }
    }
}

impl Settings {
    /// The settings from this process's sources: defaults, the TOML file (`MCP_CONFIG` or
    /// `./mcp.toml`), `./.env` and `MCP_*` variables, validated.
    ///
    /// Call it once at startup and stop on the error: it names the variable (or file and key)
    /// at fault.
    pub fn load() -> Result<Self, ConfigError> {
        Config::load()?.settings()
    }

    /// [`load`](Self::load), and a server's own settings from section `section` of the same
    /// sources (`[section]` in the file, `MCP_<SECTION>__*` variables). See
    /// [`Config::section`].
    pub fn load_with<T: DeserializeOwned>(section: &str) -> Result<(Self, T), ConfigError> {
        let config = Config::load()?;
        Ok((config.settings()?, config.section(section)?))
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
                problem.value,
                problem.expected,
            )),
        }
    }

    /// The first value that does not pass validation.
    fn problem(&self) -> Option<Problem> {
        let problem = |path: &[&str], value: String| Problem {
            expected: hint(path).unwrap_or("a valid value").to_owned(),
            path: path.iter().map(|key| (*key).to_owned()).collect(),
            value,
        };
        if self.port == 0 {
            return Some(problem(&["port"], "0".into()));
        }
        if self.host.trim().is_empty() {
            return Some(problem(&["host"], quoted(&self.host)));
        }
        if !self.path.starts_with('/') {
            return Some(problem(&["path"], quoted(&self.path)));
        }
        if self.http.max_body == 0 {
            return Some(problem(&["http", "max_body"], "0".into()));
        }
        if let Some(bad) = self
            .http
            .allowed_origins
            .iter()
            .find(|origin| *origin != "null" && !origin.contains("://"))
        {
            return Some(problem(&["http", "allowed_origins"], quoted(bad)));
        }
        if !is_log_filter(&self.log.level) {
            return Some(problem(&["log", "level"], quoted(&self.log.level)));
        }
        for (name, spec) in [
            ("per_client", &self.rate_limit.per_client),
            ("global", &self.rate_limit.global),
        ] {
            let Some(spec) = spec else { continue };
            if !(spec.per_second.is_finite() && spec.per_second > 0.0) {
                return Some(problem(
                    &["rate_limit", name, "per_second"],
                    spec.per_second.to_string(),
                ));
            }
            if spec.burst == 0 {
                return Some(problem(&["rate_limit", name, "burst"], "0".into()));
            }
        }
        if self.timeout.default == Some(Duration::ZERO) {
            return Some(problem(&["timeout", "default"], quoted("0s")));
        }
        if self.cache.ttl.is_zero() {
            return Some(problem(&["cache", "ttl"], quoted("0s")));
        }
        if self.cache.max_entries == 0 {
            return Some(problem(&["cache", "max_entries"], "0".into()));
        }
        if let Some(auth) = &self.auth {
            if auth.algorithms.is_empty() {
                return Some(problem(&["auth", "algorithms"], "[]".into()));
            }
            if let Some(bad) = auth
                .algorithms
                .iter()
                .find(|algorithm| !JWS_ALGORITHMS.contains(&algorithm.as_str()))
            {
                return Some(problem(&["auth", "algorithms"], quoted(bad)));
            }
            if auth.jwks_uri.is_none() && auth.static_tokens.is_empty() {
                // `[auth]` keys turn auth on: without keys to check tokens with, the server
                // would serve everyone while its operator believes it checks tokens.
                return Some(Problem {
                    path: vec!["auth".to_owned(), "jwks_uri".to_owned()],
                    value: "unset".to_owned(),
                    expected: "a JWKS URL (or auth.static_tokens for development): other \
                               [auth] settings are set, so auth is on"
                        .to_owned(),
                });
            }
            for (name, url) in [("jwks_uri", &auth.jwks_uri), ("resource", &auth.resource)] {
                if let Some(url) = url
                    && !(url.starts_with("https://") || url.starts_with("http://"))
                {
                    return Some(problem(&["auth", name], quoted(url)));
                }
            }
        }
        None
    }
}

struct Problem {
    path: Vec<String>,
    value: String,
    expected: String,
}

/// The transport `serve` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Transport {
    /// MCP over stdin and stdout: what an MCP client spawns.
    #[default]
    Stdio,
    /// MCP over streamable HTTP, on `host`, `port` and `path`.
    Http,
}

impl FromStr for Transport {
    type Err = String;

    /// `stdio` or `http`, in any case.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "stdio" => Ok(Self::Stdio),
            "http" => Ok(Self::Http),
            _ => Err(format!(
                "unknown transport `{text}`, expected `stdio` or `http`"
            )),
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Stdio => "stdio",
            Self::Http => "http",
        })
    }
}

impl<'de> Deserialize<'de> for Transport {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_str_deserialize(deserializer, "`stdio` or `http`")
    }
}

/// Logging settings (`[log]`, `MCP_LOG__*`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct LogSettings {
    /// A level (`trace`, `debug`, `info`, `warn`, `error`, `off`) or a `tracing` filter like
    /// `info,my_crate=debug` (`MCP_LOG__LEVEL`, default `info`).
    pub level: String,
    /// The line format (`MCP_LOG__FORMAT`: `text` or `json`); unset, the transport's default
    /// (text on stdio, JSON on HTTP).
    pub format: Option<LogFormat>,
    /// A file to log to instead of stderr (`MCP_LOG__FILE`).
    pub file: Option<PathBuf>,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: None,
            file: None,
        }
    }
}

/// The format of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    /// `text` or `json`, in any case.
    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err(format!(
                "unknown log format `{text}`, expected `text` or `json`"
            )),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Text => "text",
            Self::Json => "json",
        })
    }
}

impl<'de> Deserialize<'de> for LogFormat {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        from_str_deserialize(deserializer, "`text` or `json`")
    }
}

/// Rate limits (`[rate_limit]`, `MCP_RATE_LIMIT__*`): none unless set.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RateLimitSettings {
    /// The limit for each client (`MCP_RATE_LIMIT__PER_CLIENT__*`).
    pub per_client: Option<RateSpec>,
    /// The limit for the whole server (`MCP_RATE_LIMIT__GLOBAL__*`).
    pub global: Option<RateSpec>,
}

/// A token-bucket rate: `per_second` sustained, bursts of up to `burst` requests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawRateSpec")]
pub struct RateSpec {
    /// Requests per second, greater than 0 (`0.5` is one request every two seconds).
    pub per_second: f64,
    /// The most requests at once, at least 1; defaults to `per_second` rounded up.
    pub burst: u32,
}

impl RateSpec {
    /// `per_second` sustained, with bursts of `burst`.
    pub fn new(per_second: f64, burst: u32) -> Self {
        Self { per_second, burst }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRateSpec {
    per_second: f64,
    burst: Option<u32>,
}

impl From<RawRateSpec> for RateSpec {
    fn from(raw: RawRateSpec) -> Self {
        let burst = raw.burst.unwrap_or_else(|| {
            // Saturating float-to-int: a huge rate gets the largest burst.
            raw.per_second.ceil().max(1.0) as u32
        });
        Self {
            per_second: raw.per_second,
            burst,
        }
    }
}

/// Timeouts (`[timeout]`, `MCP_TIMEOUT__*`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TimeoutSettings {
    /// The limit for a tool call when the tool declares none (`MCP_TIMEOUT__DEFAULT=30s`);
    /// no limit by default.
    #[serde(with = "humantime_serde")]
    pub default: Option<Duration>,
}

/// The result cache (`[cache]`, `MCP_CACHE__*`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CacheSettings {
    /// Whether results are cached (`MCP_CACHE__ENABLED`, default `false`).
    pub enabled: bool,
    /// How long an entry lives (`MCP_CACHE__TTL`, default `60s`).
    #[serde(with = "humantime_serde")]
    pub ttl: Duration,
    /// The most entries kept (`MCP_CACHE__MAX_ENTRIES`, default 1000).
    pub max_entries: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            ttl: Duration::from_secs(60),
            max_entries: 1000,
        }
    }
}

/// The HTTP transport's options (`[http]`, `MCP_HTTP__*`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HttpSettings {
    /// No sessions: every request stands alone, so any replica behind a load balancer can
    /// serve it (`MCP_HTTP__STATELESS`, default `false`).
    pub stateless: bool,
    /// Plain JSON responses instead of SSE streams where a request needs no streaming, in
    /// stateless mode (`MCP_HTTP__JSON_RESPONSE`, default `false`).
    pub json_response: bool,
    /// The `Host` values accepted (DNS-rebinding protection): host names, or `host:port`
    /// (`MCP_HTTP__ALLOWED_HOSTS`, default `localhost,127.0.0.1,::1`). `*` accepts any host.
    #[serde(deserialize_with = "list")]
    pub allowed_hosts: Vec<String>,
    /// The browser `Origin`s accepted, like `https://app.example.com` or `http://localhost:*`
    /// (`MCP_HTTP__ALLOWED_ORIGINS`, default: pages served from this machine,
    /// `http://localhost:*`, `http://127.0.0.1:*` and `http://[::1]:*`, matching the default
    /// `allowed_hosts`). A request with any other `Origin` header is refused (403); one without
    /// is served. An empty list refuses every `Origin`.
    #[serde(deserialize_with = "list")]
    pub allowed_origins: Vec<String>,
    /// The largest request body accepted, in bytes (`MCP_HTTP__MAX_BODY`, default 4 MiB).
    pub max_body: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            stateless: false,
            json_response: false,
            allowed_hosts: vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
            // Loopback pages only: a DNS-rebinding page keeps its own origin, so it is
            // refused, while a page on this machine (what `allowed_hosts` admits) is served.
            allowed_origins: vec![
                "http://localhost:*".into(),
                "http://127.0.0.1:*".into(),
                "http://[::1]:*".into(),
            ],
            max_body: 4 * 1024 * 1024,
        }
    }
}

/// Authentication (`[auth]`, `MCP_AUTH__*`): OAuth bearer tokens checked against a JWKS, or
/// static tokens for development.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct AuthSettings {
    /// Where the signing keys are published (`MCP_AUTH__JWKS_URI`).
    pub jwks_uri: Option<String>,
    /// The expected `iss` claim (`MCP_AUTH__ISSUER`).
    pub issuer: Option<String>,
    /// The expected `aud` claim (`MCP_AUTH__AUDIENCE`).
    pub audience: Option<String>,
    /// The accepted JWS algorithms (`MCP_AUTH__ALGORITHMS=RS256,ES256`, the default).
    #[serde(deserialize_with = "list")]
    pub algorithms: Vec<String>,
    /// This server's resource identifier, for protected resource metadata
    /// (`MCP_AUTH__RESOURCE`).
    pub resource: Option<String>,
    /// Bearer tokens accepted as they are, for development (`MCP_AUTH__STATIC_TOKENS=a,b`);
    /// each stands for subject `dev`.
    #[serde(deserialize_with = "list")]
    pub static_tokens: Vec<Secret<String>>,
    /// The scopes a static token grants (`MCP_AUTH__STATIC_SCOPES=notes:read,notes:write`).
    #[serde(deserialize_with = "list")]
    pub static_scopes: Vec<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwks_uri: None,
            issuer: None,
            audience: None,
            algorithms: vec!["RS256".to_owned(), "ES256".to_owned()],
            resource: None,
            static_tokens: Vec::new(),
            static_scopes: Vec::new(),
        }
    }
}

const JWS_ALGORITHMS: &[&str] = &[
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512", "EdDSA",
];

// ---------------------------------------------------------------------------------------------
// Secret
// ---------------------------------------------------------------------------------------------

/// A value that never prints: `Debug`, `Display` and `Serialize` all give `[redacted]`.
///
/// It deserializes as the value it wraps, and [`expose`](Self::expose) reads it. Use it for
/// every secret-bearing field of a settings struct (tokens, passwords, keys), so that
/// logging the settings, or an error about them, does not leak it.
///
/// ```
/// use mcp_runtime::Secret;
///
/// let token: Secret<String> = serde_json::from_str("\"s3cret\"").unwrap();
/// assert_eq!(token.expose(), "s3cret");
/// assert_eq!(format!("{token} {token:?}"), "[redacted] [redacted]");
/// assert_eq!(serde_json::to_string(&token).unwrap(), "\"[redacted]\"");
/// ```
#[derive(Clone, Default)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value itself: read it where it is used, never to print it.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// Unwraps the secret value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl<T> Serialize for Secret<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // The inner error may quote the value: replace it, unless there is no value at all.
        T::deserialize(deserializer).map(Self).map_err(|error| {
            if error.to_string().starts_with("missing field") {
                error
            } else {
                de::Error::custom(SECRET_INVALID)
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/// The loaded sources: a TOML file, a `.env` file and environment variables, layered.
///
/// [`Config::load`] reads this process's; [`Config::builder`] takes explicit ones (for tests,
/// or a server with its own rules). [`settings`](Self::settings) and
/// [`section`](Self::section) then read from the same snapshot.
pub struct Config {
    figment: Figment,
    file: Option<PathBuf>,
    dotenv: Option<PathBuf>,
    env: BTreeMap<String, String>,
    dotenv_vars: BTreeMap<String, String>,
}

impl Config {
    /// This process's sources: the environment, `./.env` if present, and the TOML file named
    /// by `MCP_CONFIG` (from the environment or `.env`), else `./mcp.toml` if present.
    pub fn load() -> Result<Self, ConfigError> {
        let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self::builder().process_env().discover(dir).load()
    }

    /// Sources to list explicitly; nothing is read unless added.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The runtime's [`Settings`], validated.
    pub fn settings(&self) -> Result<Settings, ConfigError> {
        let settings: Settings = self
            .figment
            .extract_lossy()
            .map_err(|error| self.error(error, &[], true))?;
        if let Some(problem) = settings.problem() {
            let located = self.locate(&problem.path);
            return Err(ConfigError::invalid(
                problem.path.join("."),
                located.var.unwrap_or_else(|| env_var_name(&problem.path)),
                located.origin,
                located.value.unwrap_or(problem.value),
                problem.expected,
            ));
        }
        Ok(settings)
    }

    /// A server's own settings from section `name`: `[name]` in the TOML file and
    /// `MCP_<NAME>__<KEY>` variables, over the defaults `T` declares with `#[serde(default)]`.
    ///
    /// `name` is lowercase letters, digits and single underscores, and not one of the
    /// runtime's keys (`log`, `auth`, …). Use [`Secret`] for secret fields.
    pub fn section<T: DeserializeOwned>(&self, name: &str) -> Result<T, ConfigError> {
        check_section_name(name)?;
        self.figment
            .focus(name)
            .extract_lossy()
            .map_err(|error| self.error(error, &[name], false))
    }

    /// An environment variable, or else a `.env` entry: for the values a server reads itself
    /// (a database URL, …).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .or_else(|| self.dotenv_vars.get(name))
            .map(String::as_str)
    }

    /// The TOML file read, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The `.env` file read, if any.
    pub fn dotenv_file(&self) -> Option<&Path> {
        self.dotenv.as_deref()
    }

    /// The layered sources, for anything the typed API does not cover. Values keep their
    /// origin in figment's metadata.
    pub fn figment(&self) -> &Figment {
        &self.figment
    }

    /// A figment error as a [`ConfigError`] naming the variable or the file and key.
    fn error(&self, error: figment::Error, base: &[&str], hints: bool) -> ConfigError {
        let mut path: Vec<String> = base.iter().map(|key| (*key).to_owned()).collect();
        path.extend(error.path.iter().cloned());
        match &error.kind {
            figment::error::Kind::MissingField(field) => {
                path.push(field.to_string());
                return ConfigError::Missing {
                    env_var: env_var_name(&path),
                    key: path.join("."),
                };
            }
            figment::error::Kind::UnknownField(field, known) => {
                // figment's path already ends with the key when the value was reached.
                if path.last() != Some(field) {
                    path.push(field.clone());
                }
                let located = self.locate(&path);
                return ConfigError::Unknown {
                    env_var: located.var.unwrap_or_else(|| env_var_name(&path)),
                    key: path.join("."),
                    origin: located.origin,
                    known: known.iter().map(|key| (*key).to_owned()).collect(),
                };
            }
            _ => {}
        }
        let located = self.locate(&path);
        let secret = matches!(&error.kind, figment::error::Kind::Message(m) if m == SECRET_INVALID);
        let value = if secret {
            REDACTED.to_owned()
        } else {
            located
                .value
                .unwrap_or_else(|| actual_text(&error.kind).unwrap_or_default())
        };
        let hint = if hints { hint(&path) } else { None };
        ConfigError::invalid(
            path.join("."),
            located.var.unwrap_or_else(|| env_var_name(&path)),
            located.origin,
            value,
            expected(hint, &error.kind, &path),
        )
    }

    /// Where the value at `path` (or its nearest parent present) came from, and its text (only
    /// for the value itself: a parent may hold secrets).
    fn locate(&self, path: &[String]) -> Located {
        let mut end = path.len();
        let value = loop {
            if end == 0 {
                return Located::default();
            }
            if let Ok(value) = self.figment.find_value(&path[..end].join(".")) {
                break value;
            }
            end -= 1;
        };
        let exact = end == path.len();
        let path = &path[..end];
        let metadata = self.figment.get_metadata(value.tag());
        let from_vars = |vars: &BTreeMap<String, String>| {
            vars.iter()
                .find(|(name, _)| settings_key(name).as_deref() == Some(path))
                .map(|(name, raw)| (name.clone(), raw.clone()))
        };
        let (origin, var, raw) = match metadata.map(|metadata| metadata.name.as_ref()) {
            Some(ENV_SOURCE) => {
                let (var, raw) = from_vars(&self.env).unzip();
                (Origin::Env, var, raw)
            }
            Some(DOTENV_SOURCE) => {
                let (var, raw) = from_vars(&self.dotenv_vars).unzip();
                let path = self.dotenv.clone().unwrap_or_default();
                (Origin::DotEnv(path), var, raw)
            }
            Some(FILE_SOURCE) => {
                let path = self.file.clone().unwrap_or_default();
                (Origin::File(path), None, Some(value_text(&value)))
            }
            _ => (Origin::Default, None, Some(value_text(&value))),
        };
        Located {
            origin,
            var,
            value: raw.filter(|_| exact),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Variable names only: their values may be secrets.
        let settings = |vars: &BTreeMap<String, String>| {
            vars.keys()
                .filter(|name| settings_key(name).is_some())
                .cloned()
                .collect::<Vec<_>>()
        };
        f.debug_struct("Config")
            .field("file", &self.file)
            .field("dotenv", &self.dotenv)
            .field("env", &settings(&self.env))
            .field("dotenv_vars", &settings(&self.dotenv_vars))
            .finish()
    }
}

#[derive(Default)]
struct Located {
    origin: Origin,
    value: Option<String>,
    var: Option<String>,
}

/// Where [`Config`] reads from; see [`Config::builder`].
///
/// ```
/// # fn main() -> Result<(), mcp_runtime::config::ConfigError> {
/// use mcp_runtime::config::Config;
///
/// let config = Config::builder()
///     .env([("MCP_LOG__LEVEL", "debug")])
///     .load()?;
/// assert_eq!(config.settings()?.log.level, "debug");
/// # Ok(()) }
/// ```
#[derive(Debug, Default, Clone)]
pub struct ConfigBuilder {
    file: Option<PathBuf>,
    dotenv: Option<PathBuf>,
    process_env: bool,
    env: BTreeMap<String, String>,
    discover: Option<PathBuf>,
}

impl ConfigBuilder {
    /// Reads this TOML file, which must exist.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.file = Some(path.into());
        self
    }

    /// Reads this `.env` file, which must exist. Its entries rank below the environment's.
    pub fn dotenv(mut self, path: impl Into<PathBuf>) -> Self {
        self.dotenv = Some(path.into());
        self
    }

    /// Uses these variables as the environment, over the process's if
    /// [`process_env`](Self::process_env) is also set. Only `MCP_*` ones are settings.
    pub fn env<I, K, V>(mut self, vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Reads this process's environment (when [`load`](Self::load) runs).
    pub fn process_env(mut self) -> Self {
        self.process_env = true;
        self
    }

    /// Looks in `dir` for what was not given explicitly: `.env` if present, and the file named
    /// by `MCP_CONFIG` (relative to `dir`), else `mcp.toml` if present.
    pub fn discover(mut self, dir: impl Into<PathBuf>) -> Self {
        self.discover = Some(dir.into());
        self
    }

    /// Reads the sources.
    pub fn load(self) -> Result<Config, ConfigError> {
        let mut env = BTreeMap::new();
        if self.process_env {
            env.extend(std::env::vars_os().map(|(name, value)| {
                (
                    name.to_string_lossy().into_owned(),
                    value.to_string_lossy().into_owned(),
                )
            }));
        }
        env.extend(self.env);

        let dir = self.discover.as_deref();
        let dotenv = self.dotenv.or_else(|| {
            dir.map(|dir| dir.join(".env"))
                .filter(|path| path.is_file())
        });
        let dotenv_vars = match &dotenv {
            Some(path) => read_dotenv(path)?,
            None => BTreeMap::new(),
        };

        let file = self.file.or_else(|| {
            let dir = dir?;
            let named = env
                .get(CONFIG_VAR)
                .or_else(|| dotenv_vars.get(CONFIG_VAR))
                .filter(|name| !name.trim().is_empty());
            match named {
                Some(name) => Some(dir.join(name.trim())),
                None => Some(dir.join(DEFAULT_FILE)).filter(|path| path.is_file()),
            }
        });

        let mut figment = Figment::new();
        if let Some(path) = &file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            let dict = Toml::from_str::<Dict>(&text).map_err(|error| {
                let line = error
                    .span()
                    .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
                ConfigError::Parse {
                    path: path.clone(),
                    message: match line {
                        Some(line) => format!("not valid TOML at line {line}: {}", error.message()),
                        None => format!("not valid TOML: {}", error.message()),
                    },
                }
            })?;
            figment = figment.merge(Layer {
                metadata: Metadata::from(FILE_SOURCE, path.as_path()),
                dict,
            });
        }
        if let Some(path) = &dotenv {
            figment = figment.merge(Layer {
                metadata: Metadata::from(DOTENV_SOURCE, path.as_path()),
                dict: vars_dict(&dotenv_vars),
            });
        }
        figment = figment.merge(Layer {
            metadata: Metadata::named(ENV_SOURCE),
            dict: vars_dict(&env),
        });

        Ok(Config {
            figment,
            file,
            dotenv,
            env,
            dotenv_vars,
        })
    }
}

/// One source, already read.
struct Layer {
    metadata: Metadata,
    dict: Dict,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.dict.clone()))
    }
}

fn read_dotenv(path: &Path) -> Result<BTreeMap<String, String>, ConfigError> {
    let read_error = |source| ConfigError::Read {
        path: path.to_owned(),
        source,
    };
    let entries = dotenvy::from_path_iter(path).map_err(|error| match error {
        dotenvy::Error::Io(source) => read_error(source),
        other => read_error(std::io::Error::other(other.to_string())),
    })?;
    let mut vars = BTreeMap::new();
    for entry in entries {
        match entry {
            Ok((name, value)) => {
                vars.insert(name, value);
            }
            Err(dotenvy::Error::Io(source)) => return Err(read_error(source)),
            Err(dotenvy::Error::LineParse(line, _)) => {
                // Name the entry, never its value: it may be a secret.
                let line = line.trim_start();
                let line = line.strip_prefix("export ").unwrap_or(line);
                let name = line
                    .split(|c: char| c == '=' || c.is_whitespace())
                    .next()
                    .unwrap_or_default();
                return Err(ConfigError::Parse {
                    path: path.to_owned(),
                    message: format!("the entry for `{name}` is not valid .env syntax"),
                });
            }
            Err(other) => {
                return Err(ConfigError::Parse {
                    path: path.to_owned(),
                    message: other.to_string(),
                });
            }
        }
    }
    Ok(vars)
}

/// The settings path of an `MCP_*` variable: `MCP_LOG__LEVEL` → `["log", "level"]`.
fn settings_key(name: &str) -> Option<Vec<String>> {
    let prefix = name.get(..ENV_PREFIX.len())?;
    let ignored = name.eq_ignore_ascii_case(CONFIG_VAR)
        || IGNORED_VARS
            .iter()
            .any(|var| name.eq_ignore_ascii_case(var));
    if !prefix.eq_ignore_ascii_case(ENV_PREFIX) || ignored {
        return None;
    }
    let path: Vec<String> = name[ENV_PREFIX.len()..]
        .to_ascii_lowercase()
        .split("__")
        .map(str::to_owned)
        .collect();
    let valid = path
        .iter()
        .all(|key| !key.is_empty() && !key.contains(['.', ' ', '\t']));
    valid.then_some(path)
}

/// The variable for a settings path: `["log", "level"]` → `MCP_LOG__LEVEL`.
fn env_var_name(path: &[String]) -> String {
    format!("{ENV_PREFIX}{}", path.join("__").to_ascii_uppercase())
}

/// The `MCP_*` variables of `vars`, nested by `__`.
fn vars_dict(vars: &BTreeMap<String, String>) -> Dict {
    let mut dict = Dict::new();
    for (name, raw) in vars {
        if let Some(path) = settings_key(name) {
            insert(&mut dict, &path, env_value(raw));
        }
    }
    dict
}

/// A variable's value: a string, or a list or table when written in brackets or braces.
/// Numbers and booleans stay strings until the setting's type asks (figment's lossy
/// extraction), so `MCP_NAME=1234` is still a name.
fn env_value(raw: &str) -> Value {
    let trimmed = raw.trim();
    let bracketed = (trimmed.starts_with('[') && trimmed.ends_with(']'))
        || (trimmed.starts_with('{') && trimmed.ends_with('}'));
    if bracketed && let Ok(value) = trimmed.parse::<Value>() {
        return value;
    }
    Value::from(trimmed.to_owned())
}

fn insert(dict: &mut Dict, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        dict.insert(first.clone(), value);
        return;
    }
    let entry = dict
        .entry(first.clone())
        .or_insert_with(|| Value::Dict(Tag::Default, Dict::new()));
    if entry.as_dict().is_none() {
        *entry = Value::Dict(Tag::Default, Dict::new());
    }
    if let Value::Dict(_, inner) = entry {
        insert(inner, rest, value);
    }
}

fn check_section_name(name: &str) -> Result<(), ConfigError> {
    let reason = if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        Some("use lowercase letters, digits and `_`")
    } else if name.starts_with('_') || name.ends_with('_') || name.contains("__") {
        Some("`__` separates nested keys in variable names: use single `_` inside the name")
    } else if RESERVED_KEYS.contains(&name) {
        Some("the runtime's settings use that key: pick another name")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ConfigError::Section {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// The top-level keys of [`Settings`], which a user section may not reuse.
const RESERVED_KEYS: &[&str] = &[
    "name",
    "transport",
    "host",
    "port",
    "path",
    "log",
    "mask_internal_errors",
    "rate_limit",
    "timeout",
    "cache",
    "auth",
    "config",
];

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Origin {
    /// An environment variable.
    Env,
    /// An entry of this `.env` file.
    DotEnv(PathBuf),
    /// A key of this TOML file.
    File(PathBuf),
    /// The default.
    #[default]
    Default,
    /// Settings built in code (see [`Settings::validate`]).
    Code,
}

/// A configuration that cannot be used: the server should stop and print it.
///
/// Messages name the variable, or the file and key, and say what is expected:
/// `MCP_PORT=notaport: expected a port number (1-65535)`. Secret values are shown as
/// `[redacted]`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A setting's value does not fit.
    #[error("{0}")]
    Invalid(Box<InvalidSetting>),
    /// A required setting has no value.
    #[error("{}", describe_missing(key, env_var))]
    Missing {
        /// The setting's key, dotted: `app.api_key`.
        key: String,
        /// Its environment variable: `MCP_APP__API_KEY`.
        env_var: String,
    },
    /// A key inside a section that has no such setting (a typo, usually).
    #[error("{}", describe_unknown(origin, key, env_var, known))]
    Unknown {
        /// The key, dotted: `log.levle`.
        key: String,
        /// Its environment variable: `MCP_LOG__LEVLE`.
        env_var: String,
        /// Where it was set.
        origin: Origin,
        /// The keys the section has.
        known: Vec<String>,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The TOML or `.env` file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not valid TOML or `.env` syntax.
    #[error("{}: {message}", path.display())]
    Parse {
        /// The TOML or `.env` file.
        path: PathBuf,
        /// What is wrong, and where.
        message: String,
    },
    /// A name given to [`Config::section`] cannot be a section.
    #[error("`{name}` cannot be a settings section: {reason}")]
    Section {
        /// The name.
        name: String,
        /// Why not.
        reason: &'static str,
    },
}

/// A setting whose value does not fit: see [`ConfigError::Invalid`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidSetting {
    /// The setting's key, dotted: `rate_limit.per_client.burst`.
    pub key: String,
    /// Its environment variable: `MCP_RATE_LIMIT__PER_CLIENT__BURST`.
    pub env_var: String,
    /// Where the value came from.
    pub origin: Origin,
    /// The value as written (`[redacted]` for a secret).
    pub value: String,
    /// What is expected instead.
    pub expected: String,
}

impl fmt::Display for InvalidSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            key,
            env_var,
            origin,
            value,
            expected,
        } = self;
        match origin {
            Origin::Env => write!(f, "{env_var}={value}: expected {expected}"),
            Origin::DotEnv(path) => write!(
                f,
                "{env_var}={value} (in {}): expected {expected}",
                path.display()
            ),
            Origin::File(path) => write!(
                f,
                "{}: {key} = {value}: expected {expected}",
                path.display()
            ),
            Origin::Default | Origin::Code => {
                write!(f, "setting `{key}` = {value}: expected {expected}")
            }
        }
    }
}

impl ConfigError {
    fn invalid(
        key: String,
        env_var: String,
        origin: Origin,
        value: String,
        expected: String,
    ) -> Self {
        Self::Invalid(Box::new(InvalidSetting {
            key,
            env_var,
            origin,
            value,
            expected,
        }))
    }

    /// The environment variable of the setting at fault, if the error is about one.
    pub fn env_var(&self) -> Option<&str> {
        match self {
            Self::Invalid(invalid) => Some(&invalid.env_var),
            Self::Missing { env_var, .. } | Self::Unknown { env_var, .. } => Some(env_var),
            _ => None,
        }
    }

    /// The dotted key of the setting at fault, if the error is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Invalid(invalid) => Some(&invalid.key),
            Self::Missing { key, .. } | Self::Unknown { key, .. } => Some(key),
            _ => None,
        }
    }

    /// Where the value at fault came from, if the error is about one.
    pub fn origin(&self) -> Option<&Origin> {
        match self {
            Self::Invalid(invalid) => Some(&invalid.origin),
            Self::Unknown { origin, .. } => Some(origin),
            _ => None,
        }
    }
}

fn describe_missing(key: &str, env_var: &str) -> String {
    let (section, field) = match key.rsplit_once('.') {
        Some((section, field)) => (Some(section), field),
        None => (None, key),
    };
    match section {
        Some(section) => format!(
            "missing setting `{key}`: set {env_var}, or `{field}` under `[{section}]` in the config file"
        ),
        None => format!("missing setting `{key}`: set {env_var}, or `{field}` in the config file"),
    }
}

fn describe_unknown(origin: &Origin, key: &str, env_var: &str, known: &[String]) -> String {
    let section = key.rsplit_once('.').map_or("", |(section, _)| section);
    let known = known
        .iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let what = match origin {
        Origin::Env => format!("{env_var} is not a setting"),
        Origin::DotEnv(path) => format!("{env_var} (in {}) is not a setting", path.display()),
        Origin::File(path) => format!("{}: `{key}` is not a setting", path.display()),
        Origin::Default | Origin::Code => format!("`{key}` is not a setting"),
    };
    format!("{what}; `{section}` has {known}")
}

/// What the runtime's setting at `path` expects, in words.
fn hint(path: &[impl AsRef<str>]) -> Option<&'static str> {
    const DURATION: &str = "a duration greater than 0, like 250ms, 30s, 2m or 1h";
    const BOOL: &str = "true or false";
    let path: Vec<&str> = path.iter().map(AsRef::as_ref).collect();
    Some(match path.as_slice() {
        ["name"] => "a server name",
        ["transport"] => "`stdio` or `http`",
        ["host"] => "a host name or IP address, like 127.0.0.1",
        ["port"] => "a port number (1-65535)",
        ["path"] => "a URL path starting with `/`, like /mcp",
        ["mask_internal_errors"] | ["cache", "enabled"] => BOOL,
        ["log", "level"] => {
            "a log level (trace, debug, info, warn, error, off) or a filter like `info,my_crate=debug`"
        }
        ["log", "format"] => "`text` or `json`",
        ["log", "file"] => "a file path",
        ["rate_limit", _, "per_second"] => {
            "a number of requests per second greater than 0, like 10 or 0.5"
        }
        ["rate_limit", _, "burst"] => "a whole number of requests, at least 1",
        ["timeout", "default"] | ["cache", "ttl"] => DURATION,
        ["cache", "max_entries"] => "a whole number, at least 1",
        ["auth", "algorithms", ..] => {
            "a list of JWS algorithms, like RS256,ES256 (HS256-512, RS256-512, PS256-512, ES256-512, EdDSA)"
        }
        ["auth", "jwks_uri" | "resource"] => "an http(s) URL",
        ["auth", "issuer" | "audience"] => "a string",
        ["auth", "static_tokens", ..] => "a list of tokens, like a,b",
        ["auth", "static_scopes", ..] => "a list of scopes, like notes:read,notes:write",
        ["http", "stateless" | "json_response"] => BOOL,
        ["http", "allowed_hosts", ..] => {
            "a list of host names or host:port, like localhost,example.com"
        }
        ["http", "allowed_origins", ..] => {
            "a list of origins with their scheme, like https://app.example.com,http://localhost:*"
        }
        ["http", "max_body"] => "a number of bytes, at least 1",
        _ => return None,
    })
}

/// What a failed deserialization expected, in words, with the setting's hint if it has one.
fn expected(hint: Option<&str>, kind: &figment::error::Kind, path: &[String]) -> String {
    use figment::error::Kind;
    if let Kind::InvalidType(_, expected) = kind
        && expected.starts_with("struct ")
    {
        // A value where a section belongs: `MCP_LOG=debug` for `MCP_LOG__LEVEL=debug`.
        return format!(
            "a section, not a value: set its keys, as `[{}]` in the file or {}__* variables",
            path.join("."),
            env_var_name(path)
        );
    }
    let detail = match kind {
        Kind::Message(message) if message != SECRET_INVALID => Some(message.clone()),
        _ => None,
    };
    let base = match (hint, kind) {
        (Some(hint), _) => hint.to_owned(),
        (None, Kind::InvalidType(_, expected) | Kind::InvalidValue(_, expected)) => {
            humanize(expected)
        }
        (None, Kind::InvalidLength(_, expected)) => expected.clone(),
        (None, Kind::UnknownVariant(_, variants)) => format!(
            "one of {}",
            variants
                .iter()
                .map(|variant| format!("`{variant}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (None, Kind::Message(message)) if message == SECRET_INVALID => "a valid secret".to_owned(),
        (None, Kind::Message(message)) => return format!("a valid value ({message})"),
        (None, _) => "a valid value".to_owned(),
    };
    match detail {
        Some(detail) if hint.is_some() => format!("{base} ({detail})"),
        _ => base,
    }
}

/// Serde's names for primitive types, in words.
fn humanize(expected: &str) -> String {
    match expected {
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number (0 or more)".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "an integer".to_owned(),
        "f32" | "f64" => "a number".to_owned(),
        "a boolean" => "true or false".to_owned(),
        other => other.to_owned(),
    }
}

fn actual_text(kind: &figment::error::Kind) -> Option<String> {
    use figment::error::{Actual, Kind};
    match kind {
        Kind::InvalidType(actual, _) | Kind::InvalidValue(actual, _) => Some(match actual {
            Actual::Str(text) => quoted(text),
            Actual::Bool(value) => value.to_string(),
            Actual::Unsigned(value) => value.to_string(),
            Actual::Signed(value) => value.to_string(),
            Actual::Float(value) => value.to_string(),
            other => other.to_string(),
        }),
        Kind::UnknownVariant(variant, _) => Some(quoted(variant)),
        _ => None,
    }
}

/// A TOML value as written: strings quoted, lists and tables inline.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(_, text) => quoted(text),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

// ---------------------------------------------------------------------------------------------
// Deserialization helpers
// ---------------------------------------------------------------------------------------------

/// Deserializes a list from a sequence, or from a comma-separated string (as environment
/// variables write lists): `RS256,ES256` and `["RS256", "ES256"]` are the same list.
///
/// For a server's own settings: `#[serde(deserialize_with = "mcp_runtime::config::list")]`.
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ListVisitor<T>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>> de::Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list, or comma-separated values")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<T>, E> {
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| T::deserialize(item.into_deserializer()))
                .collect()
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            Ok(items)
        }
    }

    deserializer.deserialize_any(ListVisitor(std::marker::PhantomData))
}

fn from_str_deserialize<'de, D, T>(deserializer: D, expected: &'static str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
{
    let text = String::deserialize(deserializer)?;
    text.parse()
        .map_err(|_| de::Error::invalid_value(de::Unexpected::Str(&text), &expected))
}

/// Whether `filter` is a log level or a `tracing` filter. A bare word must be a level:
/// `verbose` is rejected rather than read as a target named `verbose`.
fn is_log_filter(filter: &str) -> bool {
    const LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error", "off"];
    if filter.trim().is_empty() {
        return false;
    }
    let bare_words_are_levels = filter.split(',').map(str::trim).all(|directive| {
        directive.is_empty()
            || directive.contains(['=', '[', ':'])
            || LEVELS.contains(&directive.to_ascii_lowercase().as_str())
    });
    bare_words_are_levels
        && tracing_subscriber::EnvFilter::builder()
            .parse(filter)
            .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Config {
        Config::builder()
            .env(vars.iter().copied())
            .load()
            .expect("no files to read")
    }

    fn settings_error(vars: &[(&str, &str)]) -> ConfigError {
        config(vars)
            .settings()
            .expect_err("the settings should not load")
    }

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
    fn env_keys_nest_on_double_underscores() {
        assert_eq!(settings_key("MCP_PORT").unwrap(), ["port"]);
        assert_eq!(
            settings_key("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND").unwrap(),
            ["rate_limit", "per_client", "per_second"]
        );
        assert_eq!(settings_key("mcp_log__level").unwrap(), ["log", "level"]);
        assert_eq!(settings_key("MCP_CONFIG"), None);
        assert_eq!(settings_key("MCP_TIMEOUT"), None, "Claude Code's, not ours");
        assert_eq!(
            settings_key("MCP_TIMEOUT__DEFAULT").unwrap(),
            ["timeout", "default"]
        );
        assert_eq!(settings_key("MCP_LOG____LEVEL"), None);
        assert_eq!(settings_key("MCP_"), None);
        assert_eq!(settings_key("HOME"), None);
        assert_eq!(settings_key("MCPX"), None);
        assert_eq!(
            env_var_name(&["rate_limit".into(), "global".into()]),
            "MCP_RATE_LIMIT__GLOBAL"
        );
    }

    #[test]
    fn env_values_are_strings_read_by_type() {
        let settings = config(&[
            ("MCP_NAME", "1234"),
            ("MCP_PORT", "9000"),
            ("MCP_MASK_INTERNAL_ERRORS", "no"),
            ("MCP_TRANSPORT", "HTTP"),
            ("MCP_RATE_LIMIT__GLOBAL__PER_SECOND", "5"),
        ])
        .settings()
        .unwrap();
        assert_eq!(settings.name.as_deref(), Some("1234"));
        assert_eq!(settings.port, 9000);
        assert!(!settings.mask_internal_errors);
        assert_eq!(settings.transport, Transport::Http);
        assert_eq!(
            settings.rate_limit.global,
            Some(RateSpec::new(5.0, 5)),
            "burst defaults to the rate rounded up"
        );
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
    fn lists_from_brackets_or_commas() {
        const JWKS: (&str, &str) = ("MCP_AUTH__JWKS_URI", "https://auth.example.com/jwks");
        let settings = config(&[JWKS, ("MCP_AUTH__ALGORITHMS", "RS256, EdDSA")])
            .settings()
            .unwrap();
        assert_eq!(settings.auth.unwrap().algorithms, ["RS256", "EdDSA"]);
        let settings = config(&[JWKS, ("MCP_AUTH__ALGORITHMS", "[ES256, ES384]")])
            .settings()
            .unwrap();
        assert_eq!(settings.auth.unwrap().algorithms, ["ES256", "ES384"]);
        let error = settings_error(&[("MCP_AUTH__ALGORITHMS", "RS256,none")]);
        assert_eq!(error.env_var(), Some("MCP_AUTH__ALGORITHMS"));
        assert!(
            error
                .to_string()
                .starts_with("MCP_AUTH__ALGORITHMS=RS256,none: expected"),
            "{error}"
        );
    }

    #[test]
    fn auth_defaults_to_rs256_and_es256() {
        let settings = config(&[
            ("MCP_AUTH__ISSUER", "https://auth.example.com/"),
            ("MCP_AUTH__JWKS_URI", "https://auth.example.com/jwks"),
        ])
        .settings()
        .unwrap();
        let auth = settings.auth.unwrap();
        assert_eq!(auth.issuer.as_deref(), Some("https://auth.example.com/"));
        assert_eq!(auth.algorithms, ["RS256", "ES256"]);
    }

    #[test]
    fn unknown_nested_keys_are_errors() {
        let error = settings_error(&[("MCP_LOG__LEVLE", "debug")]);
        assert_eq!(
            error.to_string(),
            "MCP_LOG__LEVLE is not a setting; `log` has `level`, `format`, `file`"
        );
        // Top-level keys can be anyone's (`MCP_APP__*` sections): not an error.
        config(&[("MCP_SOMETHING_ELSE", "x")]).settings().unwrap();
    }

    #[test]
    fn a_value_where_a_section_belongs() {
        config(&[("MCP_TIMEOUT", "10000")]).settings().unwrap();
        let error = settings_error(&[("MCP_LOG", "debug")]);
        assert_eq!(
            error.to_string(),
            "MCP_LOG=debug: expected a section, not a value: set its keys, as `[log]` in the \
             file or MCP_LOG__* variables"
        );
    }

    #[test]
    fn log_filters() {
        for good in [
            "info",
            "DEBUG",
            "off",
            "info,my_crate=debug",
            "my_crate::db=trace",
        ] {
            assert!(is_log_filter(good), "{good}");
        }
        for bad in ["", "verbose", "info,loud", "my_crate=loud", "info,["] {
            assert!(!is_log_filter(bad), "{bad}");
        }
        let error = settings_error(&[("MCP_LOG__LEVEL", "verbose")]);
        assert!(
            error
                .to_string()
                .starts_with("MCP_LOG__LEVEL=verbose: expected a log level"),
            "{error}"
        );
    }

    #[test]
    fn durations() {
        let settings = config(&[("MCP_TIMEOUT__DEFAULT", "250ms"), ("MCP_CACHE__TTL", "2m")])
            .settings()
            .unwrap();
        assert_eq!(settings.timeout.default, Some(Duration::from_millis(250)));
        assert_eq!(settings.cache.ttl, Duration::from_secs(120));
        let error = settings_error(&[("MCP_TIMEOUT__DEFAULT", "soon")]);
        assert!(
            error
                .to_string()
                .starts_with("MCP_TIMEOUT__DEFAULT=soon: expected a duration"),
            "{error}"
        );
        let error = settings_error(&[("MCP_CACHE__TTL", "0s")]);
        assert_eq!(error.env_var(), Some("MCP_CACHE__TTL"));
    }

    #[test]
    fn rates_are_positive() {
        let error = settings_error(&[("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND", "0")]);
        assert_eq!(
            error.env_var(),
            Some("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND")
        );
        let error = settings_error(&[
            ("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND", "2"),
            ("MCP_RATE_LIMIT__PER_CLIENT__BURST", "0"),
        ]);
        assert_eq!(
            error.to_string(),
            "MCP_RATE_LIMIT__PER_CLIENT__BURST=0: expected a whole number of requests, at least 1"
        );
        let error = settings_error(&[("MCP_RATE_LIMIT__PER_CLIENT__BURST", "3")]);
        assert_eq!(
            error.to_string(),
            "missing setting `rate_limit.per_client.per_second`: set \
             MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND, or `per_second` under \
             `[rate_limit.per_client]` in the config file"
        );
    }

    #[test]
    fn secrets_are_redacted_even_in_errors() {
        #[derive(Debug, Deserialize)]
        struct App {
            #[allow(dead_code)]
            pin: Secret<u32>,
        }
        let error = config(&[("MCP_APP__PIN", "hunter2")])
            .section::<App>("app")
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "MCP_APP__PIN=[redacted]: expected a valid secret"
        );
        let secret = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn section_names() {
        let config = config(&[]);
        for bad in ["", "Log", "a__b", "_a", "log", "auth", "with-dash"] {
            let error = config.section::<Dict>(bad).unwrap_err();
            assert!(
                matches!(error, ConfigError::Section { .. }),
                "{bad}: {error}"
            );
        }
        assert!(config.section::<Dict>("my_app").unwrap().is_empty());
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

    #[test]
    fn config_debug_shows_names_not_values() {
        let config = config(&[("MCP_AUTH__STATIC_TOKENS", "tok"), ("OTHER", "x")]);
        let debug = format!("{config:?}");
        assert!(debug.contains("MCP_AUTH__STATIC_TOKENS"), "{debug}");
        assert!(!debug.contains("tok\""), "{debug}");
        assert!(!debug.contains("OTHER"), "{debug}");
        let settings = config.settings().unwrap();
        let debug = format!("{settings:?}");
        assert!(debug.contains("static_tokens: [[redacted]]"), "{debug}");
        assert_eq!(config.var("OTHER"), Some("x"));
    }
}
