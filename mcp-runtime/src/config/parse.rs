//! Reading values as people write them: lists as `a,b` or `[a, b]`, enums from their names.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, IntoDeserializer};
use serde::{Deserialize, Deserializer};

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

/// Deserializes a string through `T`'s `FromStr`; `expected` says what fits.
pub(super) fn from_str_deserialize<'de, D, T>(
    deserializer: D,
    expected: &'static str,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
{
    let text = String::deserialize(deserializer)?;
    text.parse()
        .map_err(|_| de::Error::invalid_value(de::Unexpected::Str(&text), &expected))
}

#[cfg(all(test, feature = "config"))]
mod tests {
    use crate::config::test_util::{config, settings_error};

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
}
