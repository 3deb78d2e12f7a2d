//! The MCP exchanges in flight, counted until their response is written, so that a graceful
//! shutdown can wait for them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use axum::body::Body;

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
pub(super) struct Tracked {
    pub(super) body: Body,
    pub(super) _exchange: ExchangeGuard,
}

impl http_body::Body for Tracked {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}
