//! Keys fetched from a JWKS URL: cached, fetched again when stale or when a token names an
//! unknown key, and never fetched more often than the cooldown allows.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey};

use super::error::AuthError;
use super::keys::{KnownKey, Picked, known_key, pick, unknown_kid};

/// The keys of one JWKS URL.
pub(super) struct Jwks {
    pub(super) uri: String,
    client: reqwest::Client,
    cache: tokio::sync::RwLock<Vec<KnownKey>>,
    /// When the keys were last fetched and last tried, behind the lock that lets one request
    /// fetch while others wait for its result.
    fetches: tokio::sync::Mutex<Fetches>,
    /// The shortest time between two fetches caused by unknown key ids, so tokens with made-up
    /// `kid`s cannot make this server hammer the identity provider.
    pub(super) cooldown: Duration,
    /// How long fetched keys are trusted before they are fetched again.
    max_age: Duration,
}

/// When a JWKS was last fetched, and last tried (with the error, if that try failed).
#[derive(Default)]
struct Fetches {
    succeeded: Option<Instant>,
    attempted: Option<Instant>,
    failure: Option<String>,
}

impl Jwks {
    /// Keys from `uri`, fetched on first use, cached for an hour, and fetched again (at most
    /// every 10 seconds) when a token names a key id the cache does not have.
    pub(super) fn new(uri: String) -> Self {
        Self {
            uri,
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            cache: tokio::sync::RwLock::new(Vec::new()),
            fetches: tokio::sync::Mutex::new(Fetches::default()),
            cooldown: Duration::from_secs(10),
            max_age: Duration::from_secs(3600),
        }
    }

    /// The key a token names, from the cache, fetching the set first when it is stale or
    /// does not have the key.
    pub(super) async fn key_for(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<DecodingKey, AuthError> {
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
