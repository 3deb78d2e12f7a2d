//! [`Secret`]: a setting that never prints.

use std::fmt;

use serde::de;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What a [`Secret`] prints.
pub const REDACTED: &str = "[redacted]";

// A secret that does not deserialize reports this, so its value is never shown.
pub(super) const SECRET_INVALID: &str = "the value of a secret setting is not valid";

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

#[cfg(all(test, feature = "config"))]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::config::test_util::config;

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
}
