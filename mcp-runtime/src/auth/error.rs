//! Why a bearer token was refused.

/// Why a bearer token was refused. Over HTTP every kind is a 401 with `error="invalid_token"`
/// (and this message as its description), except [`Missing`](Self::Missing), which carries no
/// error code (RFC 6750 §3.1), and [`Unavailable`](Self::Unavailable), which is a 503.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No `Authorization: Bearer …` header.
    #[error("this server needs a bearer token (`Authorization: Bearer <token>`)")]
    Missing,
    /// Not a JWT, or a header this server cannot read.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// A well-formed token that does not verify: signature, algorithm, issuer, audience,
    /// expiry, not-before, unknown key, unknown static token.
    #[error("invalid token: {0}")]
    Invalid(String),
    /// The signing keys could not be fetched.
    #[error("the signing keys are unavailable: {0}")]
    Unavailable(String),
}

impl AuthError {
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}
