//! [`JwtVerifier`]: JWT access tokens checked against static keys or a JWKS.

use std::fmt;
use std::time::Duration;

use futures::future::BoxFuture;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::error::AuthError;
use super::identity::Identity;
use super::jwks::Jwks;
use super::keys::{KnownKey, Picked, known_key, pick, unknown_kid};
use super::verifier::{Presenter, TokenVerifier};

/// Verifies JWT access tokens: the signature against a JWKS (fetched from a URL, cached, and
/// fetched again when a token names a key it does not know) or static keys, the algorithm
/// against an allow-list, and the issuer, audience, expiry and not-before claims.
///
/// ```
/// use mcp_runtime::auth::JwtVerifier;
///
/// let verifier = JwtVerifier::jwks("https://auth.example.com/.well-known/jwks.json")
///     .issuer("https://auth.example.com/")
///     .audience("https://mcp.example.com/mcp");
/// ```
pub struct JwtVerifier {
    keys: KeySource,
    issuer: Option<String>,
    audience: Option<String>,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
}

enum KeySource {
    Static(Vec<KnownKey>),
    Jwks(Box<Jwks>),
}

impl JwtVerifier {
    /// Keys from a JWKS URL, fetched on first use, cached for an hour (then fetched again in
    /// the background while the cached keys keep verifying), and fetched again when a token
    /// names a key id the cache does not have: at most every 10 seconds, and at most once a
    /// minute for the same client (see [`refresh_cooldown`](Self::refresh_cooldown)).
    ///
    /// A token whose key is cached never waits for a fetch. A token naming an unknown key
    /// waits for the fetch it starts or that is already under way (the HTTP client gives up
    /// after 10 seconds), and is refused at once when no fetch may start.
    pub fn jwks(uri: impl Into<String>) -> Self {
        Self::with_keys(KeySource::Jwks(Box::new(Jwks::new(uri.into()))))
    }

    /// Fixed keys from a JWK set (for instance a JWKS file shipped with the server).
    pub fn from_jwk_set(set: &JwkSet) -> Result<Self, AuthError> {
        let keys = set
            .keys
            .iter()
            .map(known_key)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::with_keys(KeySource::Static(keys)))
    }

    /// One fixed key: `kid` is the key id tokens name (`None` accepts tokens naming no key).
    pub fn from_key(kid: Option<&str>, key: DecodingKey) -> Self {
        Self::with_keys(KeySource::Static(vec![KnownKey {
            kid: kid.map(str::to_owned),
            algorithm: None,
            key,
        }]))
    }

    fn with_keys(keys: KeySource) -> Self {
        Self {
            keys,
            issuer: None,
            audience: None,
            algorithms: vec![Algorithm::RS256, Algorithm::ES256],
            leeway: Duration::from_secs(30),
        }
    }

    /// The `iss` claim tokens must carry.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The `aud` claim tokens must carry (this server's resource identifier).
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// The accepted algorithms (`RS256` and `ES256` by default). `none` is never accepted.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// The clock skew tolerated on `exp` and `nbf` (30 seconds by default).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// The shortest time between two JWKS fetches caused by unknown key ids (10 seconds by
    /// default); has no effect on static keys. A token naming an unknown key within it is
    /// refused at once (`unknown signing key`), unless a fetch is under way, which it waits
    /// for.
    pub fn refresh_cooldown(mut self, cooldown: Duration) -> Self {
        if let KeySource::Jwks(jwks) = &mut self.keys {
            jwks.cooldown = cooldown;
        }
        self
    }

    /// How long fetched keys are used before the JWKS is fetched again (an hour by default).
    /// The fetch runs in the background: the keys it replaces keep verifying until it
    /// brings new ones, and still do if it fails. Has no effect on static keys.
    pub fn key_max_age(mut self, max_age: Duration) -> Self {
        if let KeySource::Jwks(jwks) = &mut self.keys {
            jwks.max_age = max_age;
        }
        self
    }

    /// The shortest time between two JWKS fetches that the same client's unknown key ids
    /// start (a minute by default), so that one client sending made-up `kid`s cannot take
    /// every fetch [`refresh_cooldown`](Self::refresh_cooldown) allows and keep a real key
    /// rotation from being picked up. Clients are told apart by the address the transport
    /// saw ([`Presenter`]); tokens verified without one share the global cooldown only. Has
    /// no effect on static keys.
    pub fn refresh_cooldown_per_client(mut self, cooldown: Duration) -> Self {
        if let KeySource::Jwks(jwks) = &mut self.keys {
            jwks.client_cooldown = cooldown;
        }
        self
    }

    /// A verifier from the `[auth]` settings, when they name a JWKS URL.
    pub fn from_settings(
        settings: &crate::config::AuthSettings,
    ) -> Result<Option<Self>, AuthError> {
        let Some(uri) = &settings.jwks_uri else {
            return Ok(None);
        };
        let mut verifier = Self::jwks(uri.clone());
        verifier.issuer = settings.issuer.clone();
        verifier.audience = settings.audience.clone();
        verifier.algorithms = settings
            .algorithms
            .iter()
            .map(|name| {
                name.parse::<Algorithm>()
                    .map_err(|_| AuthError::Malformed(format!("unknown algorithm `{name}`")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Some(verifier))
    }

    async fn verify_jwt(&self, token: &str, presenter: Presenter) -> Result<Identity, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|error| header_problem(token, &error))?;
        if let Some(critical) = &header.crit {
            return Err(critical_header(critical));
        }
        if !self.algorithms.contains(&header.alg) {
            return Err(AuthError::invalid(format!(
                "the algorithm `{:?}` is not accepted (accepted: {})",
                header.alg,
                self.algorithm_names()
            )));
        }
        let kid = header.kid.as_deref();
        let key = self.key_for(kid, header.alg, presenter).await?;
        // Only the token's own algorithm, already checked against the allow-list.
        let mut validation = Validation::new(header.alg);
        validation.leeway = self.leeway.as_secs();
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "sub"]);
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
        }
        match &self.audience {
            Some(audience) => validation.set_audience(&[audience]),
            None => validation.validate_aud = false,
        }
        let data = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|error| self.claims_problem(&error))?;
        Identity::from_claims(data.claims)
    }

    fn algorithm_names(&self) -> String {
        self.algorithms
            .iter()
            .map(|alg| format!("{alg:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    async fn key_for(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        presenter: Presenter,
    ) -> Result<DecodingKey, AuthError> {
        match &self.keys {
            KeySource::Static(keys) => match pick(keys, kid, alg)? {
                Picked::Key(key) => Ok(key),
                Picked::UnknownKid => Err(unknown_kid(kid)),
            },
            KeySource::Jwks(jwks) => jwks.key_for(kid, alg, presenter).await,
        }
    }

    fn claims_problem(&self, error: &jsonwebtoken::errors::Error) -> AuthError {
        use jsonwebtoken::errors::ErrorKind;
        let message = match error.kind() {
            ErrorKind::InvalidSignature => "the signature does not verify".to_owned(),
            ErrorKind::ExpiredSignature => "the token has expired".to_owned(),
            ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf`)".to_owned(),
            ErrorKind::InvalidIssuer => format!(
                "the issuer is not `{}`",
                self.issuer.as_deref().unwrap_or_default()
            ),
            ErrorKind::InvalidAudience => format!(
                "the audience is not `{}`",
                self.audience.as_deref().unwrap_or_default()
            ),
            ErrorKind::MissingRequiredClaim(claim) => format!("the token has no `{claim}` claim"),
            ErrorKind::InvalidAlgorithm => {
                "the key does not match the token's algorithm".to_owned()
            }
            ErrorKind::InvalidToken
            | ErrorKind::Base64(_)
            | ErrorKind::Json(_)
            | ErrorKind::Utf8(_) => {
                return AuthError::Malformed(error.to_string());
            }
            _ => error.to_string(),
        };
        AuthError::Invalid(message)
    }
}

/// Explains a header that does not decode: a `crit` this verifier refuses anyway, `alg: none`,
/// an algorithm it does not know, or else a malformed header.
fn header_problem(token: &str, error: &jsonwebtoken::errors::Error) -> AuthError {
    use base64::Engine;
    let header = token
        .split('.')
        .next()
        .and_then(|header| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(header)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok());
    let Some(header) = header else {
        return AuthError::Malformed(format!("not a JWT ({error})"));
    };
    if header.contains_key("crit") {
        return critical_header(&[]);
    }
    match header.get("alg").and_then(Value::as_str) {
        Some(alg) if alg.eq_ignore_ascii_case("none") => {
            AuthError::invalid("unsigned tokens (`alg: none`) are not accepted")
        }
        Some(alg) if alg.parse::<Algorithm>().is_err() => {
            AuthError::invalid(format!("the algorithm `{alg}` is not accepted"))
        }
        _ => AuthError::Malformed(format!("the header does not decode ({error})")),
    }
}

/// Refuses a token whose header has `crit`. RFC 7515 §4.1.11: a recipient must refuse a JWS
/// whose `crit` lists an extension it does not understand, and `crit` may list extensions
/// only (never `exp` or another registered name), never be empty. This verifier understands
/// no extension, so no `crit` passes.
fn critical_header(names: &[String]) -> AuthError {
    // The names are the sender's: a few, shortened, go into the answer.
    let named: Vec<String> = names
        .iter()
        .take(3)
        .map(|name| format!("`{}`", name.chars().take(40).collect::<String>()))
        .collect();
    let what = if named.is_empty() {
        "a `crit` header parameter".to_owned()
    } else {
        format!("`crit` ({})", named.join(", "))
    };
    AuthError::invalid(format!(
        "the token's header has {what}, which this server does not understand (RFC 7515, \
         section 4.1.11)"
    ))
}

impl TokenVerifier for JwtVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Identity, AuthError>> {
        Box::pin(self.verify_jwt(token, Presenter::unknown()))
    }

    fn verify_presented<'a>(
        &'a self,
        token: &'a str,
        presenter: Presenter,
    ) -> BoxFuture<'a, Result<Identity, AuthError>> {
        Box::pin(self.verify_jwt(token, presenter))
    }

    fn authorization_servers(&self) -> Vec<String> {
        self.issuer.iter().cloned().collect()
    }
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = match &self.keys {
            KeySource::Static(keys) => format!("{} static keys", keys.len()),
            KeySource::Jwks(jwks) => jwks.uri().to_owned(),
        };
        f.debug_struct("JwtVerifier")
            .field("keys", &keys)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("algorithms", &self.algorithms)
            .finish()
    }
}
