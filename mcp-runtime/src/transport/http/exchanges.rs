//! The MCP exchanges in flight, counted until their response is written, so that a graceful
//! shutdown can wait for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::body::Body;
use http_body::Body as _;

use crate::middleware::reply::ReplyMeter;

/// The MCP exchanges (POSTs) in flight, counted until their response body is finished, so
/// a graceful shutdown waits for answers to be written, not only computed.
#[derive(Default)]
pub(super) struct Exchanges {
    pub(super) open: AtomicUsize,
    idle: tokio::sync::Notify,
    /// Set when the server stops: new exchanges are refused.
    pub(super) draining: AtomicBool,
}

impl Exchanges {
    /// Counts one more exchange, until the returned guard drops.
    pub(super) fn open(self: &Arc<Self>) -> ExchangeGuard {
        self.open.fetch_add(1, Ordering::AcqRel);
        ExchangeGuard(self.clone())
    }

    /// Returns once no exchange is in flight.
    pub(super) async fn idle(&self) {
        loop {
            let idle = self.idle.notified();
            if self.open.load(Ordering::Acquire) == 0 {
                return;
            }
            idle.await;
        }
    }
}

/// One exchange in flight; dropped with the response body.
pub(super) struct ExchangeGuard(Arc<Exchanges>);

impl Drop for ExchangeGuard {
    fn drop(&mut self) {
        if self.0.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// A response body holding its exchange open until it is finished or dropped. Frames, the
/// end of stream and the size hint pass through, so a JSON answer keeps its length.
///
/// It also counts the bytes written, and once the body is finished tells the exchange's
/// [`ReplyMeter`] (`Logging`'s `response_bytes`: the body as sent, an event stream with its
/// framing and any notification sent on it); a body dropped unfinished tells it `None`.
pub(super) struct Tracked {
    pub(super) body: Body,
    pub(super) _exchange: ExchangeGuard,
    pub(super) meter: ReplyMeter,
    pub(super) written: usize,
    pub(super) finished: bool,
}

impl Tracked {
    pub(super) fn new(body: Body, exchange: ExchangeGuard, meter: ReplyMeter) -> Self {
        Self {
            body,
            _exchange: exchange,
            meter,
            written: 0,
            finished: false,
        }
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let written = (self.finished || self.body.is_end_stream()).then_some(self.written);
        self.meter.replied_all(written);
    }
}

impl http_body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = std::pin::Pin::new(&mut self.body).poll_frame(cx);
        match &polled {
            std::task::Poll::Ready(Some(Ok(frame))) => {
                self.written += frame.data_ref().map_or(0, |data| data.len());
            }
            std::task::Poll::Ready(None) => self.finished = true,
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
