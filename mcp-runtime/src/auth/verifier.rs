//! The [`TokenVerifier`] trait: what turns a bearer token into an [`Identity`].

use futures::future::BoxFuture;

use super::error::AuthError;
use super::identity::Identity;

/// Turns a bearer token into an [`Identity`], or refuses it.
///
/// Implemented by [`JwtVerifier`](super::JwtVerifier) and [`StaticTokens`](super::StaticTokens); implement it to check tokens another
/// way (token introspection, an API-key table).
pub trait TokenVerifier: Send + Sync + 'static {
    /// Verifies `token` (the part after `Bearer `).
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Identity, AuthError>>;

    /// The authorization servers to advertise in the protected resource metadata (the token
    /// issuer, for a JWT verifier).
    fn authorization_servers(&self) -> Vec<String> {
        Vec::new()
    }
}
