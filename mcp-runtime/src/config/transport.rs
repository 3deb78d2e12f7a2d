//! `transport`: which transport `serve` uses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use super::parse::from_str_deserialize;

/// What `transport` expects, in words.
pub(super) const HINT: &str = "`stdio` or `http`";

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
        from_str_deserialize(deserializer, HINT)
    }
}
