//! A set of known signing keys, and the one a token names.

use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey};

use super::error::AuthError;

/// One usable key: its id, the algorithm it is for (when the JWK says), and the key.
pub(super) struct KnownKey {
    pub(super) kid: Option<String>,
    pub(super) algorithm: Option<Algorithm>,
    pub(super) key: DecodingKey,
}

/// A key of a JWK set, or why this verifier cannot use it.
pub(super) fn known_key(jwk: &Jwk) -> Result<KnownKey, AuthError> {
    let key = DecodingKey::from_jwk(jwk).map_err(|error| {
        AuthError::Unavailable(format!("a key of the JWKS is unusable: {error}"))
    })?;
    let algorithm = jwk
        .common
        .key_algorithm
        .and_then(|alg| alg.to_string().parse::<Algorithm>().ok());
    Ok(KnownKey {
        kid: jwk.common.key_id.clone(),
        algorithm,
        key,
    })
}

/// What [`pick`] found.
pub(super) enum Picked {
    Key(DecodingKey),
    /// The token names a key id the set does not have (perhaps a rotation: fetch again).
    UnknownKid,
}

/// The key a token names: by `kid`, or the only key when the token names none.
pub(super) fn pick(
    keys: &[KnownKey],
    kid: Option<&str>,
    alg: Algorithm,
) -> Result<Picked, AuthError> {
    let key = match kid {
        Some(kid) => keys.iter().find(|key| key.kid.as_deref() == Some(kid)),
        None if keys.len() == 1 => keys.first(),
        None => return Err(AuthError::invalid("the token names no key (`kid`)")),
    };
    let Some(key) = key else {
        return Ok(Picked::UnknownKid);
    };
    if key.algorithm.is_some_and(|expected| expected != alg) {
        return Err(AuthError::invalid(format!(
            "the key `{}` is not for `{alg:?}`",
            kid.unwrap_or_default()
        )));
    }
    Ok(Picked::Key(key.key.clone()))
}

pub(super) fn unknown_kid(kid: Option<&str>) -> AuthError {
    AuthError::invalid(format!("unknown signing key `{}`", kid.unwrap_or_default()))
}
