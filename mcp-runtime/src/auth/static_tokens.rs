//! Fixed bearer tokens, for development and tests.

use std::fmt;

use futures::future::BoxFuture;

use super::error::AuthError;
use super::identity::Identity;
use super::verifier::TokenVerifier;
use crate::util::constant_time_eq;

/// Fixed bearer tokens, each standing for one identity: for development and tests, never for
/// production. Tokens are compared in constant time.
#[derive(Default, Clone)]
pub struct StaticTokens {
    tokens: Vec<(Vec<u8>, Identity)>,
}

impl StaticTokens {
    /// No tokens yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts `token` as `identity`.
    pub fn token(mut self, token: impl Into<String>, identity: Identity) -> Self {
        self.tokens.push((token.into().into_bytes(), identity));
        self
    }
}

impl fmt::Debug for StaticTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticTokens")
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

impl TokenVerifier for StaticTokens {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Identity, AuthError>> {
        // Every entry is compared, so the time does not say which one matched.
        let found = self
            .tokens
            .iter()
            .fold(None, |found, (candidate, identity)| {
                if constant_time_eq(candidate, token.as_bytes()) {
                    Some(identity.clone())
                } else {
                    found
                }
            });
        Box::pin(std::future::ready(
            found.ok_or_else(|| AuthError::invalid("unknown token")),
        ))
    }
}
