//! Keys fetched from a JWKS URL: cached, fetched again when stale or when a token names an
//! unknown key, one fetch at a time, never in the way of a token whose key is known, and never
//! more often than the cooldowns allow.
//!
//! A token whose key is cached is checked against it at once, whatever else is going on: no
//! lock is held across a fetch, and a stale set is replaced in the background while its keys
//! keep verifying. A token naming a key the set does not have may start a fetch (a rotation),
//! at most one per `cooldown` for the whole verifier and one per `client_cooldown` for each
//! client; tokens arriving while that fetch is under way wait for it (bounded by the HTTP
//! client's timeout) instead of fetching again, and a token with an unknown key arriving
//! after it, within the cooldown, is refused at once.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey};

use super::error::AuthError;
use super::keys::{KnownKey, Picked, known_key, pick, unknown_kid};
use super::verifier::Presenter;

/// The most clients whose last refresh is remembered at once. A client is recorded only when
/// it starts a fetch, so with the default cooldowns a handful are; past this many (cooldowns
/// set near zero and a crowd of addresses), a client not remembered starts no fetch.
const MAX_CLIENTS: usize = 4096;

/// A fetch under way: every request that waits for it awaits a clone.
type Fetch = Shared<BoxFuture<'static, ()>>;

/// The keys of one JWKS URL.
pub(super) struct Jwks {
    /// The shortest time between two fetches caused by unknown key ids, so tokens with made-up
    /// `kid`s cannot make this server hammer the identity provider.
    pub(super) cooldown: Duration,
    /// The shortest time between two fetches started by the same client's unknown key ids, so
    /// one client cannot take every fetch the cooldown allows.
    pub(super) client_cooldown: Duration,
    /// How long fetched keys are trusted before they are fetched again (in the background:
    /// they keep verifying until new ones arrive).
    pub(super) max_age: Duration,
    keyring: Arc<Keyring>,
}

/// What a fetch needs and updates: shared with the task that runs it.
struct Keyring {
    uri: String,
    client: reqwest::Client,
    state: Mutex<State>,
}

/// The cached keys and the record of fetches. Locked briefly, never across an `await`.
#[derive(Default)]
struct State {
    keys: Vec<KnownKey>,
    /// When a fetch last succeeded.
    fetched: Option<Instant>,
    /// When a fetch last started.
    attempted: Option<Instant>,
    /// When a fetch for an unknown key id last started (what `cooldown` counts from).
    refreshed: Option<Instant>,
    /// Why the last fetch failed (cleared by a success).
    failure: Option<String>,
    in_flight: Option<Fetch>,
    /// When each client last started a fetch with an unknown key id.
    clients: HashMap<IpAddr, Instant>,
}

/// What [`Jwks::decide`] found for a token.
enum Decision {
    Key(DecodingKey),
    /// Wait for this fetch, then look again.
    Wait(Fetch),
}

impl Jwks {
    /// Keys from `uri`, fetched on first use, cached for an hour, and fetched again (at most
    /// every 10 seconds, and every minute per client) when a token names a key id the cache
    /// does not have.
    pub(super) fn new(uri: String) -> Self {
        Self {
            cooldown: Duration::from_secs(10),
            client_cooldown: Duration::from_secs(60),
            max_age: Duration::from_secs(3600),
            keyring: Arc::new(Keyring {
                uri,
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap_or_default(),
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// The JWKS URL.
    pub(super) fn uri(&self) -> &str {
        &self.keyring.uri
    }

    /// The key a token names: from the cache when it has it, else after the fetch this token
    /// may start or join (see the module docs).
    pub(super) async fn key_for(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        presenter: Presenter,
    ) -> Result<DecodingKey, AuthError> {
        let fetch = match self.decide(kid, alg, presenter)? {
            Decision::Key(key) => return Ok(key),
            Decision::Wait(fetch) => fetch,
        };
        fetch.await;
        // What the fetch brought, or the keys from before when it failed: an unreachable
        // provider does not lock out the tokens those keys signed.
        let state = self.keyring.lock();
        if state.fetched.is_none()
            && let Some(failure) = &state.failure
        {
            return Err(AuthError::Unavailable(failure.clone()));
        }
        match pick(&state.keys, kid, alg)? {
            Picked::Key(key) => Ok(key),
            Picked::UnknownKid => Err(unknown_kid(kid)),
        }
    }

    /// The key from the cache, or the fetch to wait for, or why the token is refused now.
    fn decide(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
        presenter: Presenter,
    ) -> Result<Decision, AuthError> {
        let mut state = self.keyring.lock();
        let now = Instant::now();
        let within = |at: Option<Instant>, period: Duration| {
            at.is_some_and(|at| now.saturating_duration_since(at) < period)
        };
        if state.fetched.is_none() {
            // No keys yet: every token needs the first fetch.
            if let Some(fetch) = &state.in_flight {
                return Ok(Decision::Wait(fetch.clone()));
            }
            if within(state.attempted, self.cooldown) {
                // A failure is remembered for the cooldown: a provider that is down is not
                // asked again by every request.
                return Err(match &state.failure {
                    Some(failure) => AuthError::Unavailable(failure.clone()),
                    None => unknown_kid(kid),
                });
            }
            return Ok(Decision::Wait(self.start_fetch(&mut state, now)));
        }
        let stale = !within(state.fetched, self.max_age);
        if let Picked::Key(key) = pick(&state.keys, kid, alg)? {
            if stale && state.in_flight.is_none() && !within(state.attempted, self.cooldown) {
                // Replaced in the background (its own task drives the fetch); the stale keys
                // verify meanwhile.
                drop(self.start_fetch(&mut state, now));
            }
            return Ok(Decision::Key(key));
        }
        // An unknown key id: perhaps a rotation, perhaps made up.
        if let Some(fetch) = &state.in_flight {
            return Ok(Decision::Wait(fetch.clone()));
        }
        if within(state.refreshed, self.cooldown) {
            return Err(unknown_kid(kid));
        }
        // A stale set is due for a fetch anyway: that one costs the client nothing.
        if !stale && !self.charge(&mut state, presenter, now) {
            return Err(unknown_kid(kid));
        }
        state.refreshed = Some(now);
        Ok(Decision::Wait(self.start_fetch(&mut state, now)))
    }

    /// Whether the presenter may start a fetch (recording that it did): a client that started
    /// one within `client_cooldown` may not. Unknown presenters share the global cooldown only.
    fn charge(&self, state: &mut State, presenter: Presenter, now: Instant) -> bool {
        let Some(client) = presenter.client() else {
            return true;
        };
        let period = self.client_cooldown;
        let recent = |at: &Instant| now.saturating_duration_since(*at) < period;
        if state.clients.get(&client).is_some_and(recent) {
            return false;
        }
        if state.clients.len() >= MAX_CLIENTS {
            state.clients.retain(|_, at| recent(at));
            if state.clients.len() >= MAX_CLIENTS {
                return false;
            }
        }
        state.clients.insert(client, now);
        true
    }

    /// Starts a fetch in a task of its own, so that it finishes (and stores what it fetched)
    /// even if every request waiting for it goes away.
    fn start_fetch(&self, state: &mut State, now: Instant) -> Fetch {
        state.attempted = Some(now);
        let keyring = self.keyring.clone();
        let fetch: Fetch = async move { keyring.refresh().await }.boxed().shared();
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => drop(runtime.spawn(fetch.clone())),
            // Outside a runtime, whoever waits for the fetch drives it.
            Err(_) => tracing::debug!("no tokio runtime: the JWKS fetch runs in the request"),
        }
        state.in_flight = Some(fetch.clone());
        fetch
    }
}

impl Keyring {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is whole between statements: a panic elsewhere leaves nothing half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Fetches the keys and records the outcome.
    async fn refresh(&self) {
        let outcome = self.fetch().await;
        let mut state = self.lock();
        state.in_flight = None;
        match outcome {
            Ok(keys) => {
                tracing::debug!(uri = self.uri, keys = keys.len(), "fetched the JWKS");
                state.keys = keys;
                state.fetched = Some(Instant::now());
                state.failure = None;
            }
            Err(failure) => {
                if state.fetched.is_some() {
                    tracing::warn!(error = failure, "using the JWKS fetched before");
                } else {
                    tracing::warn!(error = failure, "cannot fetch the JWKS");
                }
                state.failure = Some(failure);
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
