//! [`ConfigError`], and how an error names the variable, or the file and key, at fault.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use figment::value::Value;

use super::secret::{REDACTED, SECRET_INVALID};
use super::sources::{DOTENV_SOURCE, ENV_SOURCE, FILE_SOURCE, env_var_name, settings_key};
use super::{Config, hint};

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

impl Config {
    /// A figment error as a [`ConfigError`] naming the variable or the file and key.
    pub(super) fn error(&self, error: figment::Error, base: &[&str], hints: bool) -> ConfigError {
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
    pub(super) fn locate(&self, path: &[String]) -> Located {
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

/// Where a value came from: see [`Config::locate`].
#[derive(Default)]
pub(super) struct Located {
    pub(super) origin: Origin,
    pub(super) value: Option<String>,
    pub(super) var: Option<String>,
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

/// `text` in quotes, escaped.
pub(super) fn quoted(text: &str) -> String {
    format!("{text:?}")
}

#[cfg(test)]
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
