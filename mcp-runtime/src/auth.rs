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

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::context::{FromRequestCx, RequestCx};
use crate::error::ToolError;

// ---------------------------------------------------------------------------------------------
// Identity
// ---------------------------------------------------------------------------------------------

/// A verified caller: the token's subject, its scopes and all of its claims. Cheap to clone.
#[derive(Clone, PartialEq)]
pub struct Identity {
    inner: Arc<IdentityInner>,
}

#[derive(Clone, PartialEq)]
struct IdentityInner {
    subject: String,
    scopes: Vec<String>,
    claims: Map<String, Value>,
}

impl Identity {
    /// An identity with this subject, no scopes and no other claims.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            inner: Arc::new(IdentityInner {
                subject: subject.into(),
                scopes: Vec::new(),
                claims: Map::new(),
            }),
        }
    }

    /// The same identity with these scopes.
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Arc::make_mut(&mut self.inner).scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The same identity with these claims (a token's whole payload).
    pub fn with_claims(mut self, claims: Map<String, Value>) -> Self {
        Arc::make_mut(&mut self.inner).claims = claims;
        self
    }

    /// The subject (`sub` claim): who the caller is.
    pub fn subject(&self) -> &str {
        &self.inner.subject
    }

    /// The granted scopes (the `scope` claim, space-separated, or `scp`).
    pub fn scopes(&self) -> &[String] {
        &self.inner.scopes
    }

    /// Whether the caller was granted `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.inner.scopes.iter().any(|granted| granted == scope)
    }

    /// The scopes of `required` that the caller lacks.
    pub fn missing_scopes<'a>(&self, required: &[&'a str]) -> Vec<&'a str> {
        required
            .iter()
            .copied()
            .filter(|scope| !self.has_scope(scope))
            .collect()
    }

    /// Every claim of the token (empty for identities not built from a JWT).
    pub fn claims(&self) -> &Map<String, Value> {
        &self.inner.claims
    }

    /// One claim of the token.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.inner.claims.get(name)
    }

    /// An identity from a token's claims: `sub`, and `scope` (a space-separated string) or
    /// `scp` (a list or a string).
    pub fn from_claims(claims: Map<String, Value>) -> Result<Self, AuthError> {
        let subject = match claims.get("sub") {
            Some(Value::String(subject)) if !subject.is_empty() => subject.clone(),
            _ => return Err(AuthError::invalid("the token has no `sub` claim")),
        };
        let scopes = match claims.get("scope").or_else(|| claims.get("scp")) {
            Some(Value::String(scopes)) => scopes.split_whitespace().map(str::to_owned).collect(),
            Some(Value::Array(scopes)) => scopes
                .iter()
                .filter_map(|scope| scope.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        Ok(Self {
            inner: Arc::new(IdentityInner {
                subject,
                scopes,
                claims,
            }),
        })
    }

    /// The identity a request carries: attached by the HTTP auth layer (in the HTTP request's
    /// parts), or directly (the in-memory [`TestClient`](crate::testing::TestClient) and
    /// middleware do that).
    pub fn of(extensions: &rmcp::model::Extensions) -> Option<&Identity> {
        extensions.get::<Identity>().or_else(|| {
            extensions
                .get::<http::request::Parts>()
                .and_then(|parts| parts.extensions.get::<Identity>())
        })
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Claims can hold personal data; the subject and scopes are what debugging needs.
        f.debug_struct("Identity")
            .field("subject", &self.inner.subject)
            .field("scopes", &self.inner.scopes)
            .finish_non_exhaustive()
    }
}

/// The verified caller, as an injected parameter: `async fn whoami(auth: Auth) -> String`.
///
/// A call without an identity (auth is off and no identity was attached) fails with a clear
/// error; take `Option<Auth>` to accept both.
#[derive(Debug, Clone)]
pub struct Auth(pub Identity);

impl Deref for Auth {
    type Target = Identity;

    fn deref(&self) -> &Identity {
        &self.0
    }
}

impl FromRequestCx for Auth {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        Identity::of(&cx.request().extensions)
            .cloned()
            .map(Auth)
            .ok_or_else(|| {
                ToolError::new(format!(
                    "`{}` needs an authenticated caller, and this request has none",
                    cx.component()
                ))
            })
    }
}

impl FromRequestCx for Option<Auth> {
    fn from_request_cx(cx: &RequestCx) -> Result<Self, ToolError> {
        Ok(Identity::of(&cx.request().extensions).cloned().map(Auth))
    }
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

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
    fn invalid(message: impl Into<String>) -> Self {
        Self::Invalid(message.into())
    }
}

// ---------------------------------------------------------------------------------------------
// Verifiers
// ---------------------------------------------------------------------------------------------

/// Turns a bearer token into an [`Identity`], or refuses it.
///
/// Implemented by [`JwtVerifier`] and [`StaticTokens`]; implement it to check tokens another
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

/// Constant-time equality: the time taken does not depend on where the bytes differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
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

struct KnownKey {
    kid: Option<String>,
    algorithm: Option<Algorithm>,
    key: DecodingKey,
}

struct Jwks {
    uri: String,
    client: reqwest::Client,
    cache: tokio::sync::RwLock<Vec<KnownKey>>,
    /// When the keys were last fetched and last tried, behind the lock that lets one request
    /// fetch while others wait for its result.
    fetches: tokio::sync::Mutex<Fetches>,
    /// The shortest time between two fetches caused by unknown key ids, so tokens with made-up
    /// `kid`s cannot make this server hammer the identity provider.
    cooldown: Duration,
    /// How long fetched keys are trusted before they are fetched again.
    max_age: Duration,
}

impl JwtVerifier {
    /// Keys from a JWKS URL, fetched on first use, cached for an hour, and fetched again
    /// (at most every 10 seconds) when a token names a key id the cache does not have.
    pub fn jwks(uri: impl Into<String>) -> Self {
        Self::with_keys(KeySource::Jwks(Box::new(Jwks {
            uri: uri.into(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            cache: tokio::sync::RwLock::new(Vec::new()),
            fetches: tokio::sync::Mutex::new(Fetches::default()),
            cooldown: Duration::from_secs(10),
            max_age: Duration::from_secs(3600),
        })))
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
    /// default); has no effect on static keys.
    pub fn refresh_cooldown(mut self, cooldown: Duration) -> Self {
        if let KeySource::Jwks(jwks) = &mut self.keys {
            jwks.cooldown = cooldown;
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

    async fn verify_jwt(&self, token: &str) -> Result<Identity, AuthError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|error| header_problem(token, &error))?;
        if !self.algorithms.contains(&header.alg) {
            return Err(AuthError::invalid(format!(
                "the algorithm `{:?}` is not accepted (accepted: {})",
                header.alg,
                self.algorithm_names()
            )));
        }
        let kid = header.kid.as_deref();
        let key = self.key_for(kid, header.alg).await?;
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

    async fn key_for(&self, kid: Option<&str>, alg: Algorithm) -> Result<DecodingKey, AuthError> {
        match &self.keys {
            KeySource::Static(keys) => match pick(keys, kid, alg)? {
                Picked::Key(key) => Ok(key),
                Picked::UnknownKid => Err(unknown_kid(kid)),
            },
            KeySource::Jwks(jwks) => jwks.key_for(kid, alg).await,
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

/// Explains a header that does not decode, naming `alg: none` when that is the reason.
fn header_problem(token: &str, error: &jsonwebtoken::errors::Error) -> AuthError {
    use base64::Engine;
    let alg = token
        .split('.')
        .next()
        .and_then(|header| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(header)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
        .and_then(|header| header.get("alg").and_then(Value::as_str).map(str::to_owned));
    match alg {
        Some(alg) if alg.eq_ignore_ascii_case("none") => {
            AuthError::invalid("unsigned tokens (`alg: none`) are not accepted")
        }
        Some(alg) => AuthError::invalid(format!("the algorithm `{alg}` is not accepted")),
        None => AuthError::Malformed(format!("not a JWT ({error})")),
    }
}

fn known_key(jwk: &Jwk) -> Result<KnownKey, AuthError> {
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
enum Picked {
    Key(DecodingKey),
    /// The token names a key id the set does not have (perhaps a rotation: fetch again).
    UnknownKid,
}

/// The key a token names: by `kid`, or the only key when the token names none.
fn pick(keys: &[KnownKey], kid: Option<&str>, alg: Algorithm) -> Result<Picked, AuthError> {
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

fn unknown_kid(kid: Option<&str>) -> AuthError {
    AuthError::invalid(format!("unknown signing key `{}`", kid.unwrap_or_default()))
}

/// When a JWKS was last fetched, and last tried (with the error, if that try failed).
#[derive(Default)]
struct Fetches {
    succeeded: Option<Instant>,
    attempted: Option<Instant>,
    failure: Option<String>,
}

impl Jwks {
    async fn key_for(&self, kid: Option<&str>, alg: Algorithm) -> Result<DecodingKey, AuthError> {
        let fresh = {
            let fetches = self.fetches.lock().await;
            fetches
                .succeeded
                .is_some_and(|at| at.elapsed() < self.max_age)
        };
        if fresh {
            match pick(&self.cache.read().await, kid, alg)? {
                Picked::Key(key) => return Ok(key),
                // Perhaps a rotation: fetch again (below), at most once per cooldown.
                Picked::UnknownKid => {}
            }
        }
        if let Err(error) = self.refresh(!fresh).await {
            // An unreachable provider does not lock everyone out: keys fetched before still
            // verify the tokens they signed.
            if self.cache.read().await.is_empty() {
                return Err(error);
            }
            tracing::warn!(%error, "using the JWKS fetched before");
        }
        match pick(&self.cache.read().await, kid, alg)? {
            Picked::Key(key) => Ok(key),
            Picked::UnknownKid => Err(unknown_kid(kid)),
        }
    }

    /// Fetches the keys, unless another request just did or tried (`forced`: the cache is
    /// stale, so only a recent failure stops it). A failure is remembered for the cooldown, so
    /// a provider that is down is not asked again by every request.
    async fn refresh(&self, forced: bool) -> Result<(), AuthError> {
        let mut fetches = self.fetches.lock().await;
        let recent =
            |at: Option<Instant>, within: Duration| at.is_some_and(|at| at.elapsed() < within);
        if forced && recent(fetches.succeeded, self.max_age) {
            // Another request refreshed while this one waited for the lock.
            return Ok(());
        }
        if recent(fetches.attempted, self.cooldown) {
            return match &fetches.failure {
                Some(failure) => Err(AuthError::Unavailable(failure.clone())),
                None => Ok(()),
            };
        }
        fetches.attempted = Some(Instant::now());
        match self.fetch().await {
            Ok(keys) => {
                tracing::debug!(uri = self.uri, keys = keys.len(), "fetched the JWKS");
                *self.cache.write().await = keys;
                fetches.succeeded = fetches.attempted;
                fetches.failure = None;
                Ok(())
            }
            Err(failure) => {
                fetches.failure = Some(failure.clone());
                Err(AuthError::Unavailable(failure))
            }
        }
    }

    async fn fetch(&self) -> Result<Vec<KnownKey>, String> {
        let set: JwkSet = self
            .client
            .get(&self.uri)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|error| format!("{}: {error}", self.uri))?
            .json()
            .await
            .map_err(|error| format!("{} is not a JWKS: {error}", self.uri))?;
        // Keys of a kind this verifier cannot use are skipped rather than failing the set.
        Ok(set
            .keys
            .iter()
            .filter_map(|jwk| known_key(jwk).ok())
            .collect())
    }
}

impl TokenVerifier for JwtVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<Identity, AuthError>> {
        Box::pin(self.verify_jwt(token))
    }

    fn authorization_servers(&self) -> Vec<String> {
        self.issuer.iter().cloned().collect()
    }
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = match &self.keys {
            KeySource::Static(keys) => format!("{} static keys", keys.len()),
            KeySource::Jwks(jwks) => jwks.uri.clone(),
        };
        f.debug_struct("JwtVerifier")
            .field("keys", &keys)
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("algorithms", &self.algorithms)
            .finish()
    }
}

/// The verifier the `[auth]` settings describe: a [`JwtVerifier`] when `jwks_uri` is set, else
/// [`StaticTokens`] (each token standing for subject `dev` with `static_scopes`) when
/// `static_tokens` is, else none.
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
