//! Where settings come from: defaults, a TOML file, `.env` and `MCP_*` variables, layered with
//! figment (which keeps each value's origin, so an error can name it).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use figment::providers::{Format, Toml};
use figment::value::{Dict, Map, Tag, Value};
use figment::{Figment, Metadata, Profile, Provider};
use serde::de::DeserializeOwned;

use super::keys::reserved_keys;
use super::warnings::{Scan, UnknownVars};
use super::{
    CONFIG_VAR, ConfigError, ConfigWarning, DEFAULT_FILE, ENV_PREFIX, IGNORED_VARS, Settings,
    env_var_name,
};

// The names of the figment providers, so an error can say where a value came from.
pub(super) const ENV_SOURCE: &str = "environment variables";
pub(super) const DOTENV_SOURCE: &str = ".env file";
pub(super) const FILE_SOURCE: &str = "config file";

/// The loaded sources: a TOML file, a `.env` file and environment variables, layered.
///
/// [`Config::load`] reads this process's; [`Config::builder`] takes explicit ones (for tests,
/// or a server with its own rules). [`settings`](Self::settings) and
/// [`section`](Self::section) then read from the same snapshot.
pub struct Config {
    pub(super) figment: Figment,
    pub(super) file: Option<PathBuf>,
    pub(super) dotenv: Option<PathBuf>,
    pub(super) env: BTreeMap<String, String>,
    pub(super) dotenv_vars: BTreeMap<String, String>,
    /// The `MCP_*` variables that name no setting, and what the server read itself.
    scan: Arc<Scan>,
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
        let mut settings: Settings = self
            .figment
            .extract_lossy()
            .map_err(|error| self.error(error, &[], true))?;
        if let Some(problem) = settings.problem() {
            let located = self.locate(&problem.path);
            return Err(ConfigError::invalid(
                problem.path.join("."),
                located.var.unwrap_or_else(|| env_var_name(&problem.path)),
                located.origin,
                match located.value {
                    Some(value) if !problem.secret => value,
                    _ => problem.value.clone(),
                },
                problem.expected(),
            ));
        }
        settings.unknown_vars = UnknownVars::new(Arc::clone(&self.scan));
        Ok(settings)
    }

    /// A server's own settings from section `name`: `[name]` in the TOML file and
    /// `MCP_<NAME>__<KEY>` variables, over the defaults `T` declares with `#[serde(default)]`.
    ///
    /// `name` is lowercase letters, digits and single underscores, and not one of the
    /// runtime's keys (`log`, `auth`, …). Use [`Secret`](super::Secret) for secret fields.
    /// Its variables are never [warnings](Self::warnings).
    pub fn section<T: DeserializeOwned>(&self, name: &str) -> Result<T, ConfigError> {
        check_section_name(name)?;
        self.scan.read_section(name);
        self.figment
            .focus(name)
            .extract_lossy()
            .map_err(|error| self.error(error, &[name], false))
    }

    /// An environment variable, or else a `.env` entry: for the values a server reads itself
    /// (a database URL, …). A variable read here is never a [warning](Self::warnings).
    pub fn var(&self, name: &str) -> Option<&str> {
        self.scan.read_var(name);
        self.env
            .get(name)
            .or_else(|| self.dotenv_vars.get(name))
            .map(String::as_str)
    }

    /// The `MCP_*` variables (from the environment or `.env`) that name no setting, each with
    /// the setting it most likely meant: see [`Settings::warnings`] for the rule.
    pub fn warnings(&self) -> Vec<ConfigWarning> {
        self.scan.warnings()
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

        let scan = Arc::new(Scan::new(&env, &dotenv_vars, dotenv.as_deref()));
        Ok(Config {
            figment,
            file,
            dotenv,
            env,
            dotenv_vars,
            scan,
        })
    }
}

/// One source, already read.
pub(super) struct Layer {
    pub(super) metadata: Metadata,
    pub(super) dict: Dict,
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
pub(super) fn settings_key(name: &str) -> Option<Vec<String>> {
    let path = var_path(name)?;
    let valid = path
        .iter()
        .all(|key| !key.is_empty() && !key.contains(['.', ' ', '\t']));
    valid.then_some(path)
}

/// The path an `MCP_*` variable's name spells, well-formed or not (`MCP_LOG____LEVEL` →
/// `["log", "", "level"]`); `None` for other variables, `MCP_CONFIG` and [`IGNORED_VARS`].
pub(super) fn var_path(name: &str) -> Option<Vec<String>> {
    let prefix = name.get(..ENV_PREFIX.len())?;
    let ignored = name.eq_ignore_ascii_case(CONFIG_VAR)
        || IGNORED_VARS
            .iter()
            .any(|var| name.eq_ignore_ascii_case(var));
    if !prefix.eq_ignore_ascii_case(ENV_PREFIX) || ignored {
        return None;
    }
    Some(
        name[ENV_PREFIX.len()..]
            .to_ascii_lowercase()
            .split("__")
            .map(str::to_owned)
            .collect(),
    )
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

/// Sets `value` at `path` in `dict`, making the tables on the way.
pub(super) fn insert(dict: &mut Dict, path: &[String], value: Value) {
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
    } else if reserved_keys().any(|key| key == name) {
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

#[cfg(test)]
mod tests {
    use figment::value::Dict;

    use super::*;
    use crate::config::test_util::config;
    use crate::config::{RateSpec, Transport};

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
            env_var_name(&["rate_limit".to_owned(), "global".to_owned()]),
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
