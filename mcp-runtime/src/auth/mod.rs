//! Who is calling: the verified [`Identity`] of a request, the [`Auth`] extractor, and the
//! [`TokenVerifier`]s that turn a bearer token into an identity ([`JwtVerifier`] for OAuth
//! access tokens, [`StaticTokens`] for development).
//!
//! Over HTTP ([`Server::serve_http`](crate::Server::serve_http)) a server with a verifier
//! refuses requests without a valid bearer token (401, with a `WWW-Authenticate` header that
//! points at the OAuth protected resource metadata), and a request for a component whose scopes
//! the token lacks (403). Components declare scopes with `#[tool(scopes = ["notes:write"])]`
//! (also on `#[resource]` and `#[prompt]`): a caller without them does not see the component in
//! lists and is refused when calling it.
//!
//! ```
//! use mcp_runtime::prelude::*;
//! use mcp_runtime::auth::{Auth, StaticTokens, Identity};
//!
//! /// Who am I?
//! #[tool(scopes = ["profile:read"])]
//! async fn whoami(auth: Auth) -> String {
//!     auth.subject().to_owned()
//! }
//!
//! # fn main() -> Result<(), mcp_runtime::Error> {
//! let server = Server::builder("profile")
//!     .tools(tools![whoami])
//!     .auth(StaticTokens::new().token("dev-token", Identity::new("alice").with_scopes(["profile:read"])))
//!     .build()?;
//! # Ok(()) }
//! ```

mod error;
mod identity;
#[cfg(feature = "auth")]
mod jwks;
#[cfg(feature = "auth")]
mod jwt;
#[cfg(feature = "auth")]
mod keys;
#[cfg(feature = "auth")]
mod static_tokens;
mod verifier;

#[cfg(feature = "auth")]
use std::sync::Arc;

pub use error::AuthError;
pub use identity::{Auth, Identity};
#[cfg(feature = "auth")]
#[cfg_attr(docsrs, doc(cfg(feature = "auth")))]
pub use jwt::JwtVerifier;
#[cfg(feature = "auth")]
#[cfg_attr(docsrs, doc(cfg(feature = "auth")))]
pub use static_tokens::StaticTokens;
pub use verifier::{Presenter, TokenVerifier};

/// The verifier the `[auth]` settings describe: a [`JwtVerifier`] when `jwks_uri` is set, else
/// [`StaticTokens`] (each token standing for subject `dev` with `static_scopes`) when
/// `static_tokens` is, else none.
#[cfg(feature = "auth")]
#[cfg_attr(docsrs, doc(cfg(feature = "auth")))]
pub fn verifier_from_settings(
    settings: &crate::config::AuthSettings,
) -> Result<Option<Arc<dyn TokenVerifier>>, AuthError> {
    if let Some(jwt) = JwtVerifier::from_settings(settings)? {
        return Ok(Some(Arc::new(jwt)));
    }
    if settings.static_tokens.is_empty() {
        return Ok(None);
    }
    let identity = Identity::new("dev").with_scopes(settings.static_scopes.iter().cloned());
    let tokens = settings
        .static_tokens
        .iter()
        .fold(StaticTokens::new(), |tokens, token| {
            tokens.token(token.expose().clone(), identity.clone())
        });
    Ok(Some(Arc::new(tokens)))
}
