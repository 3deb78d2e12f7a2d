//! Typed configuration through the public API: defaults, the TOML file, `.env`, `MCP_*`
//! variables, errors that name the variable, a server's own section, and secrets.
//!
//! Every test passes its sources to `Config::builder()`: none reads or changes the process
//! environment, so they run in parallel.

use crate::support::temp::TempDir;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mcp_runtime::config::{
    Config, ConfigError, LogFormat, Origin, RateSpec, Secret, Settings, TimeLimit, Transport,
};

fn settings(vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    Config::builder()
        .env(vars.iter().copied())
        .load()?
        .settings()
}

#[test]
fn defaults_when_nothing_is_set() {
    let config = Config::builder().load().unwrap();
    assert_eq!(config.file(), None);
    assert_eq!(config.dotenv_file(), None);
    let settings = config.settings().unwrap();
    assert_eq!(settings.name, None);
    assert_eq!(settings.transport, Transport::Stdio);
    assert_eq!(settings.host, "127.0.0.1");
    assert_eq!(settings.port, 8000);
    assert_eq!(settings.path, "/mcp");
    assert_eq!(settings.log.level, "info");
    assert_eq!(settings.log.format, None);
    assert_eq!(settings.log.file, None);
    assert!(settings.mask_internal_errors);
    assert_eq!(settings.rate_limit.per_client, None);
    assert_eq!(settings.rate_limit.global, None);
    assert_eq!(settings.timeout.default, None);
    assert!(!settings.cache.enabled);
    assert_eq!(settings.cache.ttl, Duration::from_secs(60));
    assert_eq!(settings.cache.max_entries, 1000);
    assert!(settings.auth.is_none());
    // The same as `Settings::default()`.
    assert_eq!(
        serde_json::to_value(&settings).unwrap(),
        serde_json::to_value(Settings::default()).unwrap()
    );
}

#[test]
fn toml_file_layers_over_defaults() {
    let dir = TempDir::new("config");
    let file = dir.write(
        "server.toml",
        r#"
name = "notes"
transport = "http"
port = 9000

[log]
level = "info,notes=debug"
format = "json"
file = "notes.log"

[rate_limit.per_client]
per_second = 2.5
burst = 10

[cache]
enabled = true
ttl = "5m"
"#,
    );
    let config = Config::builder().file(&file).load().unwrap();
    assert_eq!(config.file(), Some(file.as_path()));
    let settings = config.settings().unwrap();
    assert_eq!(settings.name.as_deref(), Some("notes"));
    assert_eq!(settings.transport, Transport::Http);
    assert_eq!(settings.port, 9000);
    assert_eq!(
        settings.host, "127.0.0.1",
        "untouched keys keep their default"
    );
    assert_eq!(settings.log.level, "info,notes=debug");
    assert_eq!(settings.log.format, Some(LogFormat::Json));
    assert_eq!(settings.log.file, Some(PathBuf::from("notes.log")));
    assert_eq!(settings.rate_limit.per_client, Some(RateSpec::new(2.5, 10)));
    assert!(settings.cache.enabled);
    assert_eq!(settings.cache.ttl, Duration::from_secs(300));
    assert_eq!(settings.cache.max_entries, 1000);
}

#[test]
fn env_overrides_the_file() {
    let dir = TempDir::new("config");
    let file = dir.write("mcp.toml", "port = 9000\nhost = \"0.0.0.0\"\n");
    let settings = Config::builder()
        .file(&file)
        .env([("MCP_PORT", "9100"), ("UNRELATED", "x")])
        .load()
        .unwrap()
        .settings()
        .unwrap();
    assert_eq!(settings.port, 9100);
    assert_eq!(settings.host, "0.0.0.0");
}

#[test]
fn nested_keys_use_double_underscores() {
    let settings = settings(&[
        ("MCP_LOG__LEVEL", "debug"),
        ("MCP_LOG__FORMAT", "JSON"),
        ("MCP_RATE_LIMIT__PER_CLIENT__PER_SECOND", "5"),
        ("MCP_RATE_LIMIT__PER_CLIENT__BURST", "20"),
        ("MCP_RATE_LIMIT__GLOBAL__PER_SECOND", "0.5"),
        ("MCP_CACHE__MAX_ENTRIES", "10"),
        ("MCP_MASK_INTERNAL_ERRORS", "false"),
        ("MCP_AUTH__JWKS_URI", "https://auth.example.com/jwks.json"),
        ("MCP_AUTH__ISSUER", "https://auth.example.com/"),
        ("MCP_AUTH__AUDIENCE", "notes"),
        ("MCP_AUTH__RESOURCE", "https://notes.example.com/mcp"),
    ])
    .unwrap();
    assert_eq!(settings.log.level, "debug");
    assert_eq!(settings.log.format, Some(LogFormat::Json));
    assert_eq!(settings.rate_limit.per_client, Some(RateSpec::new(5.0, 20)));
    assert_eq!(
        settings.rate_limit.global,
        Some(RateSpec::new(0.5, 1)),
        "burst defaults to the rate rounded up"
    );
    assert_eq!(settings.cache.max_entries, 10);
    assert!(!settings.mask_internal_errors);
    let auth = settings.auth.expect("auth is set");
    assert_eq!(
        auth.jwks_uri.as_deref(),
        Some("https://auth.example.com/jwks.json")
    );
    assert_eq!(auth.issuer.as_deref(), Some("https://auth.example.com/"));
    assert_eq!(auth.audience.as_deref(), Some("notes"));
    assert_eq!(
        auth.resource.as_deref(),
        Some("https://notes.example.com/mcp")
    );
    assert_eq!(
        auth.algorithms,
        ["RS256", "ES256"],
        "the default algorithms"
    );

    const JWKS: (&str, &str) = ("MCP_AUTH__JWKS_URI", "https://auth.example.com/jwks.json");
    let auth = settings_auth(&[JWKS, ("MCP_AUTH__ALGORITHMS", "ES256,EdDSA")]);
    assert_eq!(auth.algorithms, ["ES256", "EdDSA"]);
    let auth = settings_auth(&[JWKS, ("MCP_AUTH__ALGORITHMS", "[RS512]")]);
    assert_eq!(auth.algorithms, ["RS512"]);
}

#[test]
fn auth_settings_without_keys_are_an_error_not_an_open_server() {
    let error = settings(&[("MCP_AUTH__ISSUER", "https://auth.example.com/")])
        .expect_err("an issuer without a JWKS is refused");
    let message = error.to_string();
    assert!(message.contains("MCP_AUTH__JWKS_URI"), "{message}");
    assert!(message.contains("auth is on"), "{message}");
    // Development tokens alone are enough.
    let settings = settings(&[("MCP_AUTH__STATIC_TOKENS", "dev")]).expect("valid");
    assert!(settings.auth.is_some());
}

fn settings_auth(vars: &[(&str, &str)]) -> mcp_runtime::config::AuthSettings {
    settings(vars).unwrap().auth.expect("auth is set")
}

#[test]
fn dotenv_ranks_between_the_file_and_the_environment() {
    let dir = TempDir::new("config");
    dir.write(
        "mcp.toml",
        "port = 9000\nhost = \"0.0.0.0\"\nname = \"from-file\"\n",
    );
    dir.write(
        ".env",
        "# local overrides\nMCP_PORT=7000\nexport MCP_NAME=\"from dotenv\"\nNOTES_DB_URL_FROM_DOTENV=postgres://localhost/notes\n",
    );
    let config = Config::builder()
        .discover(dir.path())
        .env([("MCP_PORT", "7100")])
        .load()
        .unwrap();
    assert_eq!(config.file(), Some(dir.path().join("mcp.toml").as_path()));
    assert_eq!(
        config.dotenv_file(),
        Some(dir.path().join(".env").as_path())
    );
    let settings = config.settings().unwrap();
    assert_eq!(settings.port, 7100, "the environment beats .env");
    assert_eq!(
        settings.name.as_deref(),
        Some("from dotenv"),
        ".env beats the file"
    );
    assert_eq!(settings.host, "0.0.0.0", "the file beats the defaults");
    // Other entries are there for the server, without touching the process environment.
    assert_eq!(
        config.var("NOTES_DB_URL_FROM_DOTENV"),
        Some("postgres://localhost/notes")
    );
    assert_eq!(std::env::var_os("NOTES_DB_URL_FROM_DOTENV"), None);
}

#[test]
fn an_explicit_dotenv_file() {
    let dir = TempDir::new("config");
    let dotenv = dir.write("local.env", "MCP_LOG__LEVEL=warn\n");
    let settings = Config::builder()
        .dotenv(&dotenv)
        .load()
        .unwrap()
        .settings()
        .unwrap();
    assert_eq!(settings.log.level, "warn");

    let missing = Config::builder()
        .dotenv(dir.path().join("nope.env"))
        .load()
        .unwrap_err();
    assert!(matches!(missing, ConfigError::Read { .. }), "{missing}");
}

#[test]
fn mcp_config_names_the_file() {
    let dir = TempDir::new("config");
    dir.write("mcp.toml", "port = 1111\n");
    dir.write("other.toml", "port = 2222\n");
    let from_env = Config::builder()
        .discover(dir.path())
        .env([("MCP_CONFIG", "other.toml")])
        .load()
        .unwrap();
    assert_eq!(from_env.settings().unwrap().port, 2222);

    // `MCP_CONFIG` may itself come from `.env`.
    dir.write(".env", "MCP_CONFIG=other.toml\n");
    let from_dotenv = Config::builder().discover(dir.path()).load().unwrap();
    assert_eq!(from_dotenv.settings().unwrap().port, 2222);

    let missing = Config::builder()
        .discover(dir.path())
        .env([("MCP_CONFIG", "missing.toml")])
        .load()
        .unwrap_err();
    let message = missing.to_string();
    assert!(message.starts_with("cannot read "), "{message}");
    assert!(message.contains("missing.toml"), "{message}");
}

#[test]
fn a_bad_port_names_the_variable_and_the_value() {
    let error = settings(&[("MCP_PORT", "notaport")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "MCP_PORT=notaport: expected a port number (1-65535)"
    );
    assert_eq!(error.env_var(), Some("MCP_PORT"));
    assert_eq!(error.key(), Some("port"));
    let ConfigError::Invalid(invalid) = &error else {
        panic!("not an invalid value: {error:?}")
    };
    assert_eq!(invalid.origin, Origin::Env);
    assert_eq!(invalid.value, "notaport");
    assert_eq!(invalid.expected, "a port number (1-65535)");

    let error = settings(&[("MCP_PORT", "0")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "MCP_PORT=0: expected a port number (1-65535)"
    );
}

#[test]
fn a_bad_value_in_the_file_names_the_file_and_the_key() {
    let dir = TempDir::new("config");
    let file = dir.write("mcp.toml", "port = \"notaport\"\n");
    let error = Config::builder()
        .file(&file)
        .load()
        .unwrap()
        .settings()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}: port = \"notaport\": expected a port number (1-65535)",
            file.display()
        )
    );
    assert_eq!(error.origin(), Some(&Origin::File(file.clone())));

    let file = dir.write("typo.toml", "[log]\nlevle = \"debug\"\n");
    let error = Config::builder()
        .file(&file)
        .load()
        .unwrap()
        .settings()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{}: `log.levle` is not a setting; `log` has `level`, `format`, `file`",
            file.display()
        )
    );
}

#[test]
fn a_bad_value_in_dotenv_names_the_variable_and_the_file() {
    let dir = TempDir::new("config");
    let dotenv = dir.write(".env", "MCP_PORT=eighty\n");
    let error = Config::builder()
        .discover(dir.path())
        .load()
        .unwrap()
        .settings()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "MCP_PORT=eighty (in {}): expected a port number (1-65535)",
            dotenv.display()
        )
    );
}

#[test]
fn invalid_toml_names_the_file() {
    let dir = TempDir::new("config");
    let file = dir.write("mcp.toml", "port = \n");
    let error = Config::builder().file(&file).load().unwrap_err();
    assert!(matches!(error, ConfigError::Parse { .. }), "{error}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("{}: not valid TOML", file.display())),
        "{error}"
    );
}

#[test]
fn a_bad_log_level_is_rejected() {
    for level in ["verbose", "info,my_crate=loud", ""] {
        let error = settings(&[("MCP_LOG__LEVEL", level)]).unwrap_err();
        assert_eq!(error.env_var(), Some("MCP_LOG__LEVEL"), "{level}");
        assert!(
            error.to_string().starts_with(&format!(
                "MCP_LOG__LEVEL={level}: expected a log level (trace, debug, info, warn, error, off)"
            )),
            "{error}"
        );
    }
    for level in ["trace", "WARN", "info,rmcp=warn", "notes::db=debug"] {
        settings(&[("MCP_LOG__LEVEL", level)]).unwrap();
    }
    let error = settings(&[("MCP_LOG__FORMAT", "xml")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "MCP_LOG__FORMAT=xml: expected `text` or `json`"
    );
    let error = settings(&[("MCP_TRANSPORT", "carrier-pigeon")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "MCP_TRANSPORT=carrier-pigeon: expected `stdio` or `http`"
    );
}

#[test]
fn durations_are_written_as_people_write_them() {
    for (text, duration) in [
        ("250ms", Duration::from_millis(250)),
        ("5s", Duration::from_secs(5)),
        ("2m", Duration::from_secs(120)),
        ("1h", Duration::from_secs(3600)),
        ("1m 30s", Duration::from_secs(90)),
    ] {
        let settings = settings(&[("MCP_TIMEOUT__DEFAULT", text)]).unwrap();
        assert_eq!(
            settings.timeout.default,
            Some(TimeLimit::After(duration)),
            "{text}"
        );
    }
    let error = settings(&[("MCP_TIMEOUT__DEFAULT", "30")]).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "MCP_TIMEOUT__DEFAULT=30: expected a duration greater than 0, like 250ms, 30s, 2m or 1h"
        ),
        "{error}"
    );
    let error = settings(&[("MCP_CACHE__TTL", "0s")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "MCP_CACHE__TTL=0s: expected a duration greater than 0, like 250ms, 30s, 2m or 1h"
    );
    // Serialized back the same way.
    let settings = settings(&[("MCP_TIMEOUT__DEFAULT", "90s")]).unwrap();
    let json = serde_json::to_value(&settings).unwrap();
    assert_eq!(json["timeout"]["default"], "1m 30s");
    assert_eq!(json["cache"]["ttl"], "1m");
}

#[derive(Debug, serde::Deserialize)]
#[serde(default)]
struct App {
    greeting: String,
    retries: u32,
    tags: Vec<String>,
    api_key: Option<Secret<String>>,
}

impl Default for App {
    fn default() -> Self {
        Self {
            greeting: "hello".to_owned(),
            retries: 1,
            tags: Vec::new(),
            api_key: None,
        }
    }
}

#[test]
fn a_servers_own_settings_layer_the_same_way() {
    let dir = TempDir::new("config");
    let file = dir.write(
        "mcp.toml",
        "port = 9000\n\n[app]\ngreeting = \"bonjour\"\nretries = 3\n",
    );
    let config = Config::builder()
        .file(&file)
        .env([
            ("MCP_APP__RETRIES", "5"),
            ("MCP_APP__TAGS", "[a, b]"),
            ("MCP_APP__API_KEY", "s3cret"),
        ])
        .load()
        .unwrap();
    let settings = config.settings().unwrap();
    let app: App = config.section("app").unwrap();
    assert_eq!(settings.port, 9000);
    assert_eq!(app.greeting, "bonjour", "from the file");
    assert_eq!(app.retries, 5, "the environment beats the file");
    assert_eq!(app.tags, ["a", "b"]);
    assert_eq!(app.api_key.as_ref().map(Secret::expose).unwrap(), "s3cret");
    assert!(!format!("{app:?}").contains("s3cret"));

    // No section at all: the struct's defaults.
    let app: App = Config::builder().load().unwrap().section("app").unwrap();
    assert_eq!(app.greeting, "hello");
    assert_eq!(app.retries, 1);

    // A bad value names the section's variable.
    let error = Config::builder()
        .env([("MCP_APP__RETRIES", "many")])
        .load()
        .unwrap()
        .section::<App>("app")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "MCP_APP__RETRIES=many: expected a whole number (0 or more)"
    );
}

#[test]
fn a_missing_required_setting_names_its_variable() {
    #[derive(Debug, serde::Deserialize)]
    struct Billing {
        #[allow(dead_code)]
        api_key: Secret<String>,
    }
    let error = Config::builder()
        .load()
        .unwrap()
        .section::<Billing>("billing")
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "missing setting `billing.api_key`: set MCP_BILLING__API_KEY, or `api_key` under `[billing]` in the config file"
    );
    assert_eq!(error.env_var(), Some("MCP_BILLING__API_KEY"));

    let error = Config::builder()
        .load()
        .unwrap()
        .section::<Billing>("log")
        .unwrap_err();
    assert!(matches!(error, ConfigError::Section { .. }), "{error}");
}

#[test]
fn secrets_never_print() {
    let secret: Secret<String> = serde_json::from_str("\"hunter2\"").unwrap();
    assert_eq!(secret.expose(), "hunter2");
    assert_eq!(format!("{secret}"), "[redacted]");
    assert_eq!(format!("{secret:?}"), "[redacted]");
    assert_eq!(format!("{secret:#?}"), "[redacted]");
    assert_eq!(serde_json::to_string(&secret).unwrap(), "\"[redacted]\"");
    assert_eq!(secret.clone().into_inner(), "hunter2");

    // Inside the settings too.
    let settings = settings(&[("MCP_AUTH__STATIC_TOKENS", "hunter2,correct-horse")]).unwrap();
    let auth = settings.auth.as_ref().unwrap();
    let tokens: Vec<&str> = auth
        .static_tokens
        .iter()
        .map(|token| token.expose().as_str())
        .collect();
    assert_eq!(tokens, ["hunter2", "correct-horse"]);
    for text in [
        format!("{settings:?}"),
        format!("{settings:#?}"),
        serde_json::to_string(&settings).unwrap(),
    ] {
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("correct-horse"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    // Nor in an error about a secret's value.
    #[derive(Debug, serde::Deserialize)]
    struct Pin {
        #[allow(dead_code)]
        pin: Secret<u16>,
    }
    let error = Config::builder()
        .env([("MCP_VAULT__PIN", "hunter2")])
        .load()
        .unwrap()
        .section::<Pin>("vault")
        .unwrap_err();
    assert!(!error.to_string().contains("hunter2"), "{error}");
    assert!(!format!("{error:?}").contains("hunter2"), "{error:?}");
    assert_eq!(error.env_var(), Some("MCP_VAULT__PIN"));
}

#[test]
fn settings_built_in_code_validate() {
    let mut settings = Settings::default();
    settings.validate().unwrap();
    settings.path = "mcp".to_owned();
    assert_eq!(
        settings.validate().unwrap_err().to_string(),
        "setting `path` = \"mcp\": expected a URL path starting with `/`, like /mcp"
    );
}

#[test]
fn the_transports_bounds_are_settings() {
    let loaded = settings(&[
        ("MCP_STDIO__MAX_IN_FLIGHT", "8"),
        ("MCP_STDIO__MAX_LINE", "4096"),
        ("MCP_HTTP__HEADER_TIMEOUT", "3s"),
        ("MCP_HTTP__BODY_TIMEOUT", "500ms"),
        ("MCP_HTTP__MAX_CONNECTIONS", "100"),
        ("MCP_HTTP__MAX_CONNECTIONS_PER_CLIENT", "10"),
        ("MCP_HTTP__MAX_REQUESTS_PER_CONNECTION", "0"),
        ("MCP_HTTP__MAX_SESSIONS", "50"),
        ("MCP_HTTP__MAX_SESSIONS_PER_CLIENT", "5"),
        ("MCP_HTTP__SESSION_IDLE_TIMEOUT", "30s"),
    ])
    .unwrap();
    let limits = loaded.stdio.limits();
    assert_eq!((limits.max_in_flight, limits.max_line), (8, 4096));
    assert_eq!(limits.max_unwritten, 8 * 1024 * 1024, "the default");
    let server = mcp_runtime::Server::builder("bounds")
        .settings(loaded.clone())
        .build()
        .expect("builds");
    assert_eq!(server.stdio_limits(), limits);
    let options = mcp_runtime::http::HttpOptions::from_settings(&loaded);
    assert_eq!(options.header_timeout, Duration::from_secs(3));
    assert_eq!(options.body_timeout, Duration::from_millis(500));
    assert_eq!(
        (options.max_connections, options.max_connections_per_client),
        (100, 10)
    );
    assert_eq!(options.max_requests_per_connection, 0);
    assert_eq!(
        (options.max_sessions, options.max_sessions_per_client),
        (50, 5)
    );
    assert_eq!(options.session_idle_timeout, Duration::from_secs(30));
    for (var, value) in [
        ("MCP_STDIO__MAX_IN_FLIGHT", "0"),
        ("MCP_HTTP__MAX_SESSIONS", "0"),
        ("MCP_HTTP__HEADER_TIMEOUT", "0s"),
    ] {
        let error = settings(&[(var, value)]).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("{var}={value}: expected")),
            "{error}"
        );
    }
}

#[test]
fn the_files_section_is_read_from_the_environment() {
    let loaded = settings(&[
        ("MCP_FILES__ROOT", "/srv/data"),
        ("MCP_FILES__READ_ONLY", "true"),
        ("MCP_FILES__MAX_FILE_SIZE", "2048"),
    ])
    .unwrap();
    assert_eq!(loaded.files.root.as_deref(), Some(Path::new("/srv/data")));
    assert!(loaded.files.read_only);
    assert_eq!(loaded.files.max_file_size, 2048);
    let error = settings(&[("MCP_FILES__MAX_FILE_SIZE", "0")]).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("MCP_FILES__MAX_FILE_SIZE=0: expected"),
        "{error}"
    );
}

#[test]
fn the_fetch_section_is_read_from_the_environment() {
    let loaded = settings(&[
        ("MCP_FETCH__ALLOW_HTTP", "true"),
        ("MCP_FETCH__ALLOW_HOSTS", "wiki.corp.example, 10.20.0.0/16"),
        ("MCP_FETCH__DENY_HOSTS", "*.ads.example"),
        ("MCP_FETCH__MAX_RESPONSE_SIZE", "2048"),
        ("MCP_FETCH__CONNECT_TIMEOUT", "250ms"),
        ("MCP_FETCH__TIMEOUT", "5s"),
        ("MCP_FETCH__MAX_REDIRECTS", "0"),
        (
            "MCP_FETCH__PROXY",
            "http://user:hunter2@proxy.corp.example:3128",
        ),
        ("MCP_FETCH__RATE_LIMIT_PER_HOST__PER_SECOND", "2"),
    ])
    .unwrap();
    let fetch = &loaded.fetch;
    assert!(fetch.allow_http);
    assert_eq!(fetch.allow_hosts, ["wiki.corp.example", "10.20.0.0/16"]);
    assert_eq!(fetch.deny_hosts, ["*.ads.example"]);
    assert_eq!(fetch.max_response_size, 2048);
    assert_eq!(fetch.connect_timeout, Duration::from_millis(250));
    assert_eq!(fetch.timeout, Duration::from_secs(5));
    assert_eq!(fetch.max_redirects, 0);
    assert_eq!(
        fetch.proxy.as_ref().map(|proxy| proxy.expose().as_str()),
        Some("http://user:hunter2@proxy.corp.example:3128")
    );
    let rate = fetch.rate_limit_per_host.unwrap();
    assert_eq!((rate.per_second, rate.burst), (2.0, 2));
    // The proxy URL may carry a password: it is a secret.
    assert!(!format!("{loaded:?}").contains("hunter2"));
    let fetcher = mcp_runtime::fetch::Fetcher::from_settings(fetch).unwrap();
    assert!(!format!("{fetcher:?}").contains("hunter2"));

    let error = settings(&[("MCP_FETCH__TIMEOUT", "0s")]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "MCP_FETCH__TIMEOUT=0s: expected a duration greater than 0, like 250ms, 30s, 2m or 1h"
    );
    let error = settings(&[("MCP_FETCH__MAX_RESPONSE_SIZE", "0")]).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("MCP_FETCH__MAX_RESPONSE_SIZE=0: expected"),
        "{error}"
    );
}
