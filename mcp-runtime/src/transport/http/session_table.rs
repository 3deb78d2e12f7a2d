//! What the HTTP transport knows of its sessions beyond rmcp's map: whose each one is, when it
//! last served a request, which requests it has in flight, and the caps on how many there are.
//!
//! - **Caps.** At most `max_sessions` in all and `max_sessions_per_client` per client (its
//!   token's subject when auth is on, else its IP address). A new session over a cap takes the
//!   place of the session idle longest (the client's own, for the per-client cap); when none is
//!   idle it is refused (`503`).
//! - **Idle.** A session is idle when it has no request in flight and no stream open. One idle
//!   for `idle_timeout` is closed.
//! - **Duplicate ids.** A request whose id is already in flight in its session is answered
//!   with an error, and the first keeps its answer (rmcp would route both answers by id).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rmcp::model::RequestId;

/// Who holds a session: a token's subject, or an IP address.
pub(super) type ClientKey = Arc<str>;

/// The sessions' bookkeeping (see the module's documentation).
pub(super) struct SessionTable {
    state: Mutex<State>,
    pub(super) max_sessions: usize,
    pub(super) max_per_client: usize,
    pub(super) idle_timeout: Duration,
}

#[derive(Default)]
struct State {
    sessions: HashMap<Arc<str>, Entry>,
    per_client: HashMap<ClientKey, usize>,
    /// Sessions being opened (an `initialize` in flight), counted against the caps.
    reserved: usize,
}

struct Entry {
    client: ClientKey,
    last_active: Instant,
    in_flight: HashSet<RequestId>,
    /// Open GET streams (and resumed ones).
    streams: usize,
}

impl Entry {
    fn is_idle(&self) -> bool {
        self.in_flight.is_empty() && self.streams == 0
    }
}

/// Why a new session cannot be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Full {
    /// `max_sessions` are open and none is idle.
    Server(usize),
    /// The client holds `max_sessions_per_client` and none is idle.
    Client(usize),
}

impl Full {
    /// What the client is told.
    pub(super) fn message(self) -> String {
        match self {
            Self::Server(cap) => format!(
                "the server holds its limit of {cap} open sessions and none is idle: retry later"
            ),
            Self::Client(cap) => format!(
                "this client holds its limit of {cap} open sessions and none is idle: close one \
                 (DELETE) or retry later"
            ),
        }
    }
}

/// A session being opened, counted against the caps until it is registered or dropped.
pub(super) struct Reservation {
    table: Arc<SessionTable>,
    client: ClientKey,
    done: bool,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if !self.done {
            let mut state = self.table.lock();
            state.reserved = state.reserved.saturating_sub(1);
            release(&mut state, &self.client);
        }
    }
}

fn release(state: &mut State, client: &ClientKey) {
    if let Some(count) = state.per_client.get_mut(client) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            state.per_client.remove(client);
        }
    }
}

/// What [`SessionTable::begin`] says of a request.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Begun {
    /// Counted in flight until [`SessionTable::end`].
    Started,
    /// Its id is already in flight in this session.
    Duplicate,
    /// The session is not in the table (not registered yet, or closed): not tracked.
    Untracked,
}

impl SessionTable {
    pub(super) fn new(max_sessions: usize, max_per_client: usize, idle_timeout: Duration) -> Self {
        Self {
            state: Mutex::default(),
            max_sessions: max_sessions.max(1),
            max_per_client: max_per_client.max(1),
            idle_timeout,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a session about to be opened for `client`. Returns the sessions to close to make
    /// room (already out of the table), or why there is no room.
    pub(super) fn reserve(
        self: &Arc<Self>,
        client: ClientKey,
    ) -> Result<(Reservation, Vec<Arc<str>>), Full> {
        let mut state = self.lock();
        let mut evicted = Vec::new();
        if state.per_client.get(&client).copied().unwrap_or(0) >= self.max_per_client {
            let victim = oldest_idle(&state, Some(&client), None)
                .ok_or(Full::Client(self.max_per_client))?;
            evicted.push(victim);
        }
        if state.sessions.len() + state.reserved - evicted.len() >= self.max_sessions {
            let victim = oldest_idle(&state, None, evicted.first())
                .ok_or(Full::Server(self.max_sessions))?;
            evicted.push(victim);
        }
        for victim in &evicted {
            remove(&mut state, victim);
        }
        state.reserved += 1;
        *state.per_client.entry(client.clone()).or_default() += 1;
        Ok((
            Reservation {
                table: self.clone(),
                client,
                done: false,
            },
            evicted,
        ))
    }

    /// The reserved session was opened, as `id`.
    pub(super) fn register(&self, mut reservation: Reservation, id: &str) {
        reservation.done = true;
        let mut state = self.lock();
        state.reserved = state.reserved.saturating_sub(1);
        let client = reservation.client.clone();
        let previous = state.sessions.insert(
            Arc::from(id),
            Entry {
                client,
                last_active: Instant::now(),
                in_flight: HashSet::new(),
                streams: 0,
            },
        );
        // A session id is never handed out twice; if it were, count it once.
        if let Some(previous) = previous {
            release(&mut state, &previous.client);
        }
    }

    /// Whether the table knows session `id`.
    pub(super) fn contains(&self, id: &str) -> bool {
        self.lock().sessions.contains_key(id)
    }

    /// Session `id` was closed (by its client, or by the reaper).
    pub(super) fn forget(&self, id: &str) {
        let mut state = self.lock();
        remove(&mut state, id);
    }

    /// A request `request` starts in session `id`.
    pub(super) fn begin(&self, id: &str, request: &RequestId) -> Begun {
        let mut state = self.lock();
        let Some(entry) = state.sessions.get_mut(id) else {
            return Begun::Untracked;
        };
        entry.last_active = Instant::now();
        if entry.in_flight.insert(request.clone()) {
            Begun::Started
        } else {
            Begun::Duplicate
        }
    }

    /// The request `request` of session `id` was answered (or its stream dropped).
    pub(super) fn end(&self, id: &str, request: &RequestId) {
        let mut state = self.lock();
        if let Some(entry) = state.sessions.get_mut(id) {
            entry.in_flight.remove(request);
            entry.last_active = Instant::now();
        }
    }

    /// Session `id` was used (a notification, a response).
    pub(super) fn touch(&self, id: &str) {
        if let Some(entry) = self.lock().sessions.get_mut(id) {
            entry.last_active = Instant::now();
        }
    }

    /// A stream of session `id` opened (`true`) or closed (`false`).
    pub(super) fn stream(&self, id: &str, open: bool) {
        if let Some(entry) = self.lock().sessions.get_mut(id) {
            entry.last_active = Instant::now();
            if open {
                entry.streams += 1;
            } else {
                entry.streams = entry.streams.saturating_sub(1);
            }
        }
    }

    /// Takes out the sessions idle for longer than the idle timeout, to close.
    pub(super) fn expired(&self, now: Instant) -> Vec<Arc<str>> {
        let mut state = self.lock();
        let expired: Vec<Arc<str>> = (state.sessions.iter())
            .filter(|(_, entry)| {
                entry.is_idle()
                    && now.saturating_duration_since(entry.last_active) >= self.idle_timeout
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in &expired {
            remove(&mut state, id);
        }
        expired
    }

    /// How many sessions are open (and being opened).
    pub(super) fn len(&self) -> usize {
        let state = self.lock();
        state.sessions.len() + state.reserved
    }
}

fn remove(state: &mut State, id: &str) {
    if let Some(entry) = state.sessions.remove(id) {
        release(state, &entry.client);
    }
}

/// The session idle longest (of `client`, when given; never `except`).
fn oldest_idle(
    state: &State,
    client: Option<&ClientKey>,
    except: Option<&Arc<str>>,
) -> Option<Arc<str>> {
    (state.sessions.iter())
        .filter(|(id, entry)| {
            entry.is_idle()
                && client.is_none_or(|client| entry.client == *client)
                && except.is_none_or(|except| *id != except)
        })
        .min_by_key(|(_, entry)| entry.last_active)
        .map(|(id, _)| id.clone())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use rmcp::model::RequestId;

    use super::{Begun, Full, SessionTable};

    fn table(total: usize, per_client: usize) -> Arc<SessionTable> {
        Arc::new(SessionTable::new(
            total,
            per_client,
            Duration::from_secs(60),
        ))
    }

    fn open(table: &Arc<SessionTable>, client: &str, id: &str) -> Vec<Arc<str>> {
        let (reservation, evicted) = table.reserve(Arc::from(client)).expect("room");
        table.register(reservation, id);
        evicted
    }

    #[test]
    fn the_per_client_cap_takes_the_clients_own_oldest_idle_session() {
        let table = table(100, 2);
        assert!(open(&table, "a", "a1").is_empty());
        assert!(open(&table, "a", "a2").is_empty());
        assert!(open(&table, "b", "b1").is_empty());
        // a1 is busy: a2 is the one to go.
        assert_eq!(table.begin("a1", &RequestId::Number(1)), Begun::Started);
        assert_eq!(open(&table, "a", "a3"), vec![Arc::from("a2")]);
        assert!(table.contains("b1"), "another client's session stays");
        // Both of a's sessions busy: refused.
        assert_eq!(table.begin("a3", &RequestId::Number(1)), Begun::Started);
        assert_eq!(table.reserve(Arc::from("a")).err(), Some(Full::Client(2)));
        assert_eq!(table.len(), 3);
    }

    #[test]
    fn the_global_cap_takes_the_oldest_idle_session_of_anyone() {
        let table = table(2, 10);
        open(&table, "a", "a1");
        std::thread::sleep(Duration::from_millis(2));
        open(&table, "b", "b1");
        assert_eq!(open(&table, "c", "c1"), vec![Arc::from("a1")]);
        assert_eq!(table.begin("b1", &RequestId::Number(7)), Begun::Started);
        assert_eq!(table.begin("c1", &RequestId::Number(7)), Begun::Started);
        assert_eq!(table.reserve(Arc::from("d")).err(), Some(Full::Server(2)));
        table.end("c1", &RequestId::Number(7));
        assert_eq!(open(&table, "d", "d1"), vec![Arc::from("c1")]);
    }

    #[test]
    fn a_reservation_counts_until_registered_or_dropped() {
        let table = table(1, 1);
        let (reservation, _) = table.reserve(Arc::from("a")).expect("room");
        assert_eq!(table.reserve(Arc::from("b")).err(), Some(Full::Server(1)));
        drop(reservation);
        assert_eq!(table.len(), 0);
        assert!(table.reserve(Arc::from("b")).is_ok());
    }

    #[test]
    fn a_duplicate_id_in_flight_is_told_apart_until_the_first_ends() {
        let table = table(10, 10);
        open(&table, "a", "s");
        let id = RequestId::Number(1);
        assert_eq!(table.begin("s", &id), Begun::Started);
        assert_eq!(table.begin("s", &id), Begun::Duplicate);
        assert_eq!(table.begin("s", &RequestId::Number(2)), Begun::Started);
        table.end("s", &id);
        assert_eq!(table.begin("s", &id), Begun::Started);
        assert_eq!(table.begin("other", &id), Begun::Untracked);
    }

    #[test]
    fn only_idle_sessions_expire() {
        let table = Arc::new(SessionTable::new(10, 10, Duration::from_millis(10)));
        open(&table, "a", "idle");
        open(&table, "a", "busy");
        open(&table, "a", "streaming");
        table.begin("busy", &RequestId::Number(1));
        table.stream("streaming", true);
        let later = Instant::now() + Duration::from_secs(1);
        assert_eq!(table.expired(later), vec![Arc::from("idle")]);
        assert!(!table.contains("idle"));
        assert_eq!(table.len(), 2);
        table.stream("streaming", false);
        assert_eq!(
            table.expired(later + Duration::from_secs(1)),
            vec![Arc::from("streaming")]
        );
    }
}
