//! `[log]`: the level or filter, the line format, the file.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use super::Problem;
use super::error::quoted;
use super::parse::from_str_deserialize;

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

impl LogSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if !is_log_filter(&self.level) {
            return Some(Problem::new(&["level"], quoted(&self.level)));
        }
        None
    }
}

/// What the setting at `key` (inside `[log]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["level"] => {
            "a log level (trace, debug, info, warn, error, off) or a filter like `info,my_crate=debug`"
        }
        ["format"] => FORMAT_HINT,
        ["file"] => "a file path",
        _ => return None,
    })
}

const FORMAT_HINT: &str = "`text` or `json`";

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
        from_str_deserialize(deserializer, FORMAT_HINT)
    }
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
    bare_words_are_levels && crate::logging::parse_filter(filter).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for bad in [
            "",
            "verbose",
            "info,loud",
            "my_crate=loud",
            "info,[",
            "my_crate[span]=debug",
        ] {
            assert!(!is_log_filter(bad), "{bad}");
        }
    }

    #[cfg(feature = "config")]
    #[test]
    fn a_bad_level_names_its_variable() {
        let error = crate::config::test_util::settings_error(&[("MCP_LOG__LEVEL", "verbose")]);
        assert!(
            error
                .to_string()
                .starts_with("MCP_LOG__LEVEL=verbose: expected a log level"),
            "{error}"
        );
    }
}
