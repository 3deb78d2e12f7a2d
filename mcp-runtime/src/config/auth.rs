//! `[auth]`: bearer tokens checked against a JWKS, or static tokens for development.

use serde::{Deserialize, Serialize};

use super::error::quoted;
use super::parse::list;
use super::{Problem, Secret};

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

impl AuthSettings {
    /// The first value that does not pass validation.
    pub(super) fn problem(&self) -> Option<Problem> {
        if self.algorithms.is_empty() {
            return Some(Problem::new(&["algorithms"], "[]"));
        }
        if let Some(bad) = self
            .algorithms
            .iter()
            .find(|algorithm| !JWS_ALGORITHMS.contains(&algorithm.as_str()))
        {
            return Some(Problem::new(&["algorithms"], quoted(bad)));
        }
        if self.jwks_uri.is_none() && self.static_tokens.is_empty() {
            // `[auth]` keys turn auth on: without keys to check tokens with, the server
            // would serve everyone while its operator believes it checks tokens.
            return Some(Problem::new(&["jwks_uri"], "unset").expecting(
                "a JWKS URL (or auth.static_tokens for development): other [auth] settings \
                 are set, so auth is on",
            ));
        }
        for (name, url) in [("jwks_uri", &self.jwks_uri), ("resource", &self.resource)] {
            if let Some(url) = url
                && !(url.starts_with("https://") || url.starts_with("http://"))
            {
                return Some(Problem::new(&[name], quoted(url)));
            }
        }
        None
    }
}

/// What the setting at `key` (inside `[auth]`) expects, in words.
pub(super) fn hint(key: &[&str]) -> Option<&'static str> {
    Some(match key {
        ["algorithms", ..] => {
            "a list of JWS algorithms, like RS256,ES256 (HS256-512, RS256-512, PS256-512, ES256-512, EdDSA)"
        }
        ["jwks_uri" | "resource"] => "an http(s) URL",
        ["issuer" | "audience"] => "a string",
        ["static_tokens", ..] => "a list of tokens, like a,b",
        ["static_scopes", ..] => "a list of scopes, like notes:read,notes:write",
        _ => return None,
    })
}

#[cfg(all(test, feature = "config"))]
mod tests {
    use crate::config::test_util::config;

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
}
