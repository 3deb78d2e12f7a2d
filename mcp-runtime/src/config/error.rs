//! [`ConfigError`], and how an error names the variable, or the file and key, at fault.

use std::fmt;
use std::path::PathBuf;

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
    /// Settings built in code (see [`Settings::validate`](super::Settings::validate)).
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
    /// A name given to `Config::section` cannot be a section.
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
    pub(super) fn invalid(
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

/// `text` in quotes, escaped.
pub(super) fn quoted(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(all(test, feature = "config"))]
mod tests {
    use crate::config::test_util::{config, settings_error};

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
}
