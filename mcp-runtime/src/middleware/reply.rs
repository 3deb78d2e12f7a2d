//! How big an answer was, told by the transport that wrote it: the `Logging` middleware
//! reports `response_bytes` from the one serialization the transport does, instead of
//! serializing every answer a second time only to count it.
//!
//! A transport that knows its sizes (the line codec of stdio, the in-memory transport and
//! `serve`) puts a [`ReplyMeter`] in each request's extensions. Middleware that wants the size
//! of the answer gives the meter a closure for the request's id ([`ReplyMeter::on_reply`]); the
//! transport calls it with the bytes it wrote for that id ([`ReplyMeter::replied`]), or with
//! `None` when the answer was never written (the connection closed first).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rmcp::model::RequestId;

/// What runs once the answer to a request is written, with its size in bytes (`None` when it
/// could not be written).
pub(crate) type OnReply = Box<dyn FnOnce(Option<usize>) + Send>;

/// The answers a transport will report the size of, by request id.
#[derive(Clone, Default)]
pub(crate) struct ReplyMeter {
    waiting: Arc<Mutex<HashMap<RequestId, OnReply>>>,
}

impl ReplyMeter {
    fn waiting(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, OnReply>> {
        // A plain map that no code panics while holding.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `then` once the answer to `id` is written. A second closure for the same id
    /// (a client that reused an id while the first was in flight) runs the first one at once
    /// with `None`: each closure runs exactly once.
    pub(crate) fn on_reply(&self, id: RequestId, then: OnReply) {
        let previous = self.waiting().insert(id, then);
        if let Some(previous) = previous {
            previous(None);
        }
    }

    /// The answer to `id` was written, `bytes` long (`None`: it could not be).
    pub(crate) fn replied(&self, id: &RequestId, bytes: Option<usize>) {
        // Looked up without the lock held while the closure runs (it may log).
        let then = self.waiting().remove(id);
        if let Some(then) = then {
            then(bytes);
        }
    }

    /// The transport is closing: what still waits runs with `None`.
    pub(crate) fn close(&self) {
        self.replied_all(None);
    }

    /// Every answer waited for was written, `bytes` long in all (`None`: not all of it was):
    /// how HTTP reports, with one meter per exchange, once its response body is finished.
    pub(crate) fn replied_all(&self, bytes: Option<usize>) {
        let waiting: Vec<OnReply> = self.waiting().drain().map(|(_, then)| then).collect();
        for then in waiting {
            then(bytes);
        }
    }

    /// The meter of the request with these extensions: the transport's (the line codec puts
    /// it in each request), or, over HTTP, the exchange's, in the HTTP request's parts.
    pub(crate) fn of(extensions: &rmcp::model::Extensions) -> Option<&ReplyMeter> {
        if let Some(meter) = extensions.get::<ReplyMeter>() {
            return Some(meter);
        }
        #[cfg(feature = "http")]
        if let Some(parts) = extensions.get::<http::request::Parts>() {
            return parts.extensions.get::<ReplyMeter>();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Which closure ran, with what.
    type Log = Arc<Mutex<Vec<(u32, Option<usize>)>>>;

    fn recorder(log: &Log, tag: u32) -> OnReply {
        let log = log.clone();
        Box::new(move |bytes| log.lock().expect("unpoisoned").push((tag, bytes)))
    }

    #[test]
    fn each_closure_runs_once_with_its_answer_s_size() {
        let meter = ReplyMeter::default();
        let log = Arc::new(Mutex::new(Vec::new()));
        meter.on_reply(RequestId::Number(1), recorder(&log, 1));
        meter.on_reply(RequestId::String("a".into()), recorder(&log, 2));
        meter.replied(&RequestId::Number(1), Some(42));
        // Written twice (cannot happen, but costs nothing): the closure ran already.
        meter.replied(&RequestId::Number(1), Some(43));
        // An answer nobody waits for.
        meter.replied(&RequestId::Number(9), Some(1));
        assert_eq!(*log.lock().expect("unpoisoned"), [(1, Some(42))]);

        // The same id again while the first waits: the first is told it will not be measured.
        meter.on_reply(RequestId::String("a".into()), recorder(&log, 3));
        meter.on_reply(RequestId::Number(5), recorder(&log, 4));
        meter.close();
        let mut log = log.lock().expect("unpoisoned").clone();
        log[2..].sort();
        assert_eq!(log, [(1, Some(42)), (2, None), (3, None), (4, None)]);
    }

    #[test]
    fn a_closure_may_use_the_meter_again() {
        let meter = ReplyMeter::default();
        let count = Arc::new(AtomicUsize::new(0));
        let inner = meter.clone();
        let seen = count.clone();
        meter.on_reply(
            RequestId::Number(1),
            Box::new(move |_| {
                // Would deadlock if the lock were held while closures run.
                inner.replied(&RequestId::Number(2), Some(1));
                seen.fetch_add(1, Ordering::SeqCst);
            }),
        );
        meter.replied(&RequestId::Number(1), Some(10));
        assert_eq!(count.load(Ordering::SeqCst), 1);
    }
}
