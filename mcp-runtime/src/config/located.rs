//! How an error names the variable, or the file and key, at fault: a figment error as a
//! [`ConfigError`], and where a value came from.

use std::collections::BTreeMap;

use figment::value::Value;

use super::error::quoted;
use super::secret::{REDACTED, SECRET_INVALID};
use super::sources::{DOTENV_SOURCE, ENV_SOURCE, FILE_SOURCE, settings_key};
use super::{Config, ConfigError, Origin, env_var_name, hint};

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
